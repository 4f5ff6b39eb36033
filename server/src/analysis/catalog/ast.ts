// Small readers over libpg-query's JSON AST. The JSON omits fields holding their default value (0, false, ''),
// so every reader treats a missing field as that default.
import type { A_Const, DefElem, Node, RangeVar, TypeName } from '@pgsql/types';

/** The single key of a Node (`{ CreateStmt: … }` → 'CreateStmt'). */
export function nodeKind(node: Node): string {
  return Object.keys(node)[0] ?? '';
}

/** The payload of a node of a known kind, or undefined when the node is of another kind. */
export function nodeAs<T>(node: Node | undefined, kind: string): T | undefined {
  if (!node || typeof node !== 'object') return undefined;
  return (node as Record<string, unknown>)[kind] as T | undefined;
}

/** `[{String:{sval:'a'}}, {String:{sval:'b'}}]` → ['a', 'b']. Non-string items are skipped. */
export function stringList(nodes: readonly Node[] | undefined): string[] {
  const out: string[] = [];
  for (const n of nodes ?? []) {
    const s = nodeAs<{ sval?: string }>(n, 'String');
    if (s) out.push(s.sval ?? '');
  }
  return out;
}

/** The value of an A_Const (or a bare String/Integer node): string, number, boolean, or null for NULL. */
export function constValue(node: Node | undefined): string | number | boolean | null | undefined {
  if (!node) return undefined;
  const c = nodeAs<A_Const>(node, 'A_Const');
  if (c) {
    if (c.isnull) return null;
    if (c.sval) return c.sval.sval ?? '';
    if (c.ival) return c.ival.ival ?? 0;
    if (c.fval) return Number(c.fval.fval ?? '0');
    if (c.boolval) return c.boolval.boolval ?? false;
    if (c.bsval) return c.bsval.bsval ?? '';
    return undefined;
  }
  const s = nodeAs<{ sval?: string }>(node, 'String');
  if (s) return s.sval ?? '';
  const i = nodeAs<{ ival?: number }>(node, 'Integer');
  if (i) return i.ival ?? 0;
  const f = nodeAs<{ fval?: string }>(node, 'Float');
  if (f) return Number(f.fval ?? '0');
  const b = nodeAs<{ boolval?: boolean }>(node, 'Boolean');
  if (b) return b.boolval ?? false;
  return undefined;
}

/** DefElem list → map from defname to DefElem. */
export function defElems(nodes: readonly Node[] | undefined): Map<string, DefElem> {
  const out = new Map<string, DefElem>();
  for (const n of nodes ?? []) {
    const d = nodeAs<DefElem>(n, 'DefElem');
    if (d?.defname) out.set(d.defname, d);
  }
  return out;
}

/** Column names a ColumnRef-bearing expression mentions (the last name of each reference). */
export function columnRefNames(node: unknown): Set<string> {
  const out = new Set<string>();
  visit(node, (key, value) => {
    if (key === 'ColumnRef') {
      const fields = (value as { fields?: Node[] }).fields ?? [];
      const names = stringList(fields);
      if (names.length > 0 && names.length === fields.length) out.add(names[names.length - 1]!);
    }
  });
  return out;
}

/** Calls `fn` for every keyed object in the tree (depth first), with the key it sits under. */
export function visit(node: unknown, fn: (key: string, value: unknown, parent: unknown) => void): void {
  const stack: { key: string; value: unknown; parent: unknown }[] = [{ key: '', value: node, parent: undefined }];
  while (stack.length > 0) {
    const { key, value, parent } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (key !== '') fn(key, value, parent);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ key: '', value: value[i], parent: value });
    } else {
      const entries = Object.entries(value as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        if (v !== null && typeof v === 'object') stack.push({ key: k, value: v, parent: value });
      }
    }
  }
}

/**
 * Copy of `node` where references to column `from` (unqualified, or qualified by `tableName`) read `to`.
 * PostgreSQL stores expressions by column number, so after RENAME COLUMN they deparse with the new name; the
 * catalog keeps expressions as AST and rewrites them to match.
 */
export function renameColumnRefs<T>(node: T, from: string, to: string, tableName?: string): T {
  return rewrite(node) as T;
  function rewrite(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((v) => {
        const r = rewrite(v);
        if (r !== v) changed = true;
        return r;
      });
      return changed ? out : value;
    }
    const record = value as Record<string, unknown>;
    if ('ColumnRef' in record) {
      const ref = record.ColumnRef as { fields?: Node[] };
      const names = stringList(ref.fields);
      const fields = ref.fields ?? [];
      const matches =
        names.length === fields.length &&
        names[names.length - 1] === from &&
        (names.length === 1 || (names.length === 2 && tableName !== undefined && names[0] === tableName));
      if (matches) {
        const newFields = [...fields.slice(0, -1), { String: { sval: to } }];
        return { ...record, ColumnRef: { ...ref, fields: newFields } };
      }
      return value;
    }
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      const r = rewrite(v);
      if (r !== v) changed = true;
      out[k] = r;
    }
    return changed ? out : value;
  }
}

/**
 * FigureColnameInternal: the column name PostgreSQL gives an expression in a select list or an index
 * (`lower(email)` → lower, `x::text` → x, `CASE …` → case). Undefined when PostgreSQL would say `?column?`.
 */
export function figureColumnName(node: Node | undefined): string | undefined {
  return figure(node)?.name;
  function figure(n: Node | undefined): { name: string; strength: number } | undefined {
    if (!n) return undefined;
    const kind = nodeKind(n);
    const v = (n as Record<string, any>)[kind];
    switch (kind) {
      case 'ColumnRef': {
        const names = stringList(v.fields);
        return names.length > 0 ? { name: names[names.length - 1]!, strength: 2 } : undefined;
      }
      case 'A_Indirection': {
        const names = stringList(v.indirection);
        if (names.length > 0) return { name: names[names.length - 1]!, strength: 2 };
        return figure(v.arg);
      }
      case 'FuncCall': {
        const names = stringList(v.funcname);
        return names.length > 0 ? { name: names[names.length - 1]!, strength: 2 } : undefined;
      }
      case 'A_Expr':
        if (v.kind === 'AEXPR_NULLIF') return { name: 'nullif', strength: 2 };
        return undefined;
      case 'TypeCast': {
        const inner = figure(v.arg);
        if (inner && inner.strength > 1) return inner;
        const names = stringList((v.typeName as TypeName | undefined)?.names);
        return names.length > 0 ? { name: names[names.length - 1]!, strength: 1 } : inner;
      }
      case 'CollateClause':
        return figure(v.arg);
      case 'CaseExpr':
        return { name: 'case', strength: 1 };
      case 'A_ArrayExpr':
        return { name: 'array', strength: 2 };
      case 'RowExpr':
        return { name: 'row', strength: 2 };
      case 'CoalesceExpr':
        return { name: 'coalesce', strength: 2 };
      case 'MinMaxExpr':
        return { name: v.op === 'IS_GREATEST' ? 'greatest' : 'least', strength: 2 };
      case 'SQLValueFunction': {
        const op = String(v.op ?? '');
        const name = op.replace(/^SVFOP_/, '').toLowerCase().replace(/_n$/, '');
        return name ? { name, strength: 2 } : undefined;
      }
      case 'SubLink':
        if (v.subLinkType === 'EXISTS_SUBLINK') return { name: 'exists', strength: 2 };
        if (v.subLinkType === 'ARRAY_SUBLINK') return { name: 'array', strength: 2 };
        return undefined;
      default:
        return undefined;
    }
  }
}

/** A RangeVar reduced to [schema | undefined, name]. */
export function rangeVarParts(rv: RangeVar): [string | undefined, string] {
  return [rv.schemaname || undefined, rv.relname ?? ''];
}
