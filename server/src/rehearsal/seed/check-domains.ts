/**
 * Reads a CHECK expression (as pg_get_expr renders it) and narrows the values each column may take, so generated
 * rows satisfy it by construction: `(total_cents >= 0)`, `((q >= 1) AND (q <= 10))` (how BETWEEN comes back),
 * `(status = ANY (ARRAY['a'::text, 'b'::text]))` (how IN comes back), `(char_length(name) <= 40)`,
 * `(btrim(name) <> ''::text)`, `(x IS NOT NULL)`. Domain checks work the same with the column called `value`.
 *
 * A check it cannot fully read is reported as not understood; the seeder then filters generated rows through the
 * expression itself (and names the constraint if too few rows pass).
 */
import { parseStatementText } from '../../analysis/parse/parser.js';

export interface ValueDomain {
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  /** The only values allowed, as text (the literal's value, without quotes or casts). */
  allowed?: string[];
  minLength?: number;
  maxLength?: number;
  notNull?: boolean;
}

export interface CheckReading {
  /** Every conjunct was turned into a domain: rows built from `domains` satisfy the check. */
  understood: boolean;
  /** Per column name (or 'value' for a domain check). */
  domains: Map<string, ValueDomain>;
}

type Node = Record<string, unknown>;

export function readCheck(expression: string): CheckReading {
  const domains = new Map<string, ValueDomain>();
  const parsed = parseStatementText(`SELECT ${expression}`);
  if (!parsed.ok || parsed.nodes.length !== 1) return { understood: false, domains };
  const select = (parsed.nodes[0]!.ast as Node).SelectStmt as Node | undefined;
  const target = ((select?.targetList as Node[] | undefined)?.[0]?.ResTarget as Node | undefined)?.val as Node | undefined;
  if (!target) return { understood: false, domains };
  const understood = readConjunct(target, domains);
  return { understood, domains };
}

/** Intersects two domains (both must hold). */
export function intersectDomains(a: ValueDomain, b: ValueDomain): ValueDomain {
  const out: ValueDomain = { ...a };
  if (b.min !== undefined && (out.min === undefined || b.min > out.min || (b.min === out.min && b.minExclusive))) {
    out.min = b.min;
    out.minExclusive = b.minExclusive;
  }
  if (b.max !== undefined && (out.max === undefined || b.max < out.max || (b.max === out.max && b.maxExclusive))) {
    out.max = b.max;
    out.maxExclusive = b.maxExclusive;
  }
  if (b.allowed) out.allowed = out.allowed ? out.allowed.filter((v) => b.allowed!.includes(v)) : [...b.allowed];
  if (b.minLength !== undefined) out.minLength = Math.max(out.minLength ?? 0, b.minLength);
  if (b.maxLength !== undefined) out.maxLength = Math.min(out.maxLength ?? Infinity, b.maxLength);
  if (b.notNull) out.notNull = true;
  return out;
}

function narrow(domains: Map<string, ValueDomain>, column: string, by: ValueDomain): void {
  domains.set(column, intersectDomains(domains.get(column) ?? {}, by));
}

function readConjunct(node: Node, domains: Map<string, ValueDomain>): boolean {
  const bool = node.BoolExpr as Node | undefined;
  if (bool) {
    if (bool.boolop !== 'AND_EXPR') return false;
    let all = true;
    for (const arg of (bool.args as Node[]) ?? []) all = readConjunct(arg, domains) && all;
    return all;
  }
  const nullTest = node.NullTest as Node | undefined;
  if (nullTest) {
    const column = columnName(nullTest.arg as Node);
    if (column === undefined || nullTest.nulltesttype !== 'IS_NOT_NULL') return false;
    narrow(domains, column, { notNull: true });
    return true;
  }
  const expr = node.A_Expr as Node | undefined;
  if (!expr) return false;
  const op = ((expr.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval as string | undefined;
  if (op === undefined) return false;

  if (expr.kind === 'AEXPR_OP_ANY' && op === '=') {
    const column = columnName(expr.lexpr as Node);
    const values = arrayConstants(expr.rexpr as Node);
    if (column === undefined || values === undefined) return false;
    narrow(domains, column, { allowed: values });
    return true;
  }
  if (expr.kind !== 'AEXPR_OP' || !['<', '<=', '>', '>=', '=', '<>'].includes(op)) return false;

  let left = expr.lexpr as Node;
  let right = expr.rexpr as Node;
  let operator = op;
  if (constantOf(left) !== undefined && constantOf(right) === undefined) {
    [left, right] = [right, left];
    operator = FLIPPED[operator]!;
  }
  const constant = constantOf(right);
  if (constant === undefined) return false;

  const lengthOf = lengthFunctionArgument(left);
  if (lengthOf !== undefined) {
    const n = Number(constant);
    if (!Number.isFinite(n)) return false;
    narrow(domains, lengthOf, lengthBound(operator, n));
    return true;
  }
  // trim(x) <> '' / lower(x) <> '': generated strings are never empty and never blank.
  const nonBlankOf = wrappedColumn(left, ['btrim', 'trim', 'lower', 'upper']) ?? columnName(left);
  if (operator === '<>' && constant === '' && nonBlankOf !== undefined) {
    narrow(domains, nonBlankOf, { minLength: 1 });
    return true;
  }
  const column = columnName(left);
  if (column === undefined) return false;
  if (operator === '=') {
    narrow(domains, column, { allowed: [constant] });
    return true;
  }
  const n = Number(constant);
  if (operator === '<>' || constant.trim() === '' || !Number.isFinite(n)) return false;
  if (operator === '>') narrow(domains, column, { min: n, minExclusive: true });
  if (operator === '>=') narrow(domains, column, { min: n });
  if (operator === '<') narrow(domains, column, { max: n, maxExclusive: true });
  if (operator === '<=') narrow(domains, column, { max: n });
  return true;
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<>': '<>' };

function lengthBound(operator: string, n: number): ValueDomain {
  switch (operator) {
    case '<':
      return { maxLength: Math.ceil(n) - 1 };
    case '<=':
      return { maxLength: Math.floor(n) };
    case '>':
      return { minLength: Math.floor(n) + 1 };
    case '>=':
      return { minLength: Math.ceil(n) };
    case '=':
      return { minLength: n, maxLength: n };
    default:
      return {};
  }
}

/** `x`, `(x)::text`, `VALUE` → the column name; anything else → undefined. */
function columnName(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const cast = node.TypeCast as Node | undefined;
  if (cast) return columnName(cast.arg as Node);
  const ref = node.ColumnRef as Node | undefined;
  const fields = ref?.fields as Node[] | undefined;
  const last = fields?.[fields.length - 1]?.String as Node | undefined;
  return typeof last?.sval === 'string' ? last.sval : undefined;
}

function wrappedColumn(node: Node, functions: string[]): string | undefined {
  const call = node.FuncCall as Node | undefined;
  if (!call) return undefined;
  const names = (call.funcname as Node[] | undefined) ?? [];
  const name = (names[names.length - 1]?.String as Node | undefined)?.sval;
  const args = (call.args as Node[] | undefined) ?? [];
  if (typeof name !== 'string' || !functions.includes(name) || args.length !== 1) return undefined;
  return columnName(args[0]);
}

function lengthFunctionArgument(node: Node): string | undefined {
  return wrappedColumn(node, ['char_length', 'character_length', 'length', 'octet_length']);
}

/** A literal (possibly cast: '-1'::integer, (0)::numeric) as text; undefined for anything else. */
function constantOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const cast = node.TypeCast as Node | undefined;
  if (cast) return constantOf(cast.arg as Node);
  const constant = node.A_Const as Node | undefined;
  if (!constant || constant.isnull) return undefined;
  if (constant.ival !== undefined) return String((constant.ival as Node).ival ?? 0);
  if (constant.fval !== undefined) return String((constant.fval as Node).fval ?? '0');
  if (constant.sval !== undefined) return String((constant.sval as Node).sval ?? '');
  if (constant.boolval !== undefined) return (constant.boolval as Node).boolval ? 'true' : 'false';
  return undefined;
}

function arrayConstants(node: Node | undefined): string[] | undefined {
  if (!node) return undefined;
  const cast = node.TypeCast as Node | undefined;
  if (cast) return arrayConstants(cast.arg as Node);
  const array = node.A_ArrayExpr as Node | undefined;
  if (!array) return undefined;
  const values: string[] = [];
  for (const element of (array.elements as Node[] | undefined) ?? []) {
    const value = constantOf(element);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}
