/**
 * How volatile an (unanalyzed, raw-parse-tree) SQL expression is, from the volatility PostgreSQL itself records
 * for its functions, operators and types (builtin-functions.json, generated from a real server by
 * scripts/gen-function-volatility.mjs).
 *
 * The raw parse tree has no resolved types, so an overloaded name whose overloads differ (age(), date_trunc(),
 * the `+` operator, casts to timestamptz…) counts as its most volatile overload: the answer is an upper bound,
 * never lower than what PostgreSQL decides. Volatility levels follow
 * https://www.postgresql.org/docs/current/xfunc-volatility.html.
 */
import type { A_Expr, FuncCall, Node, TypeName } from '@pgsql/types';
import facts from './builtin-functions.json';

export type Volatility = 'immutable' | 'stable' | 'volatile' | 'unknown';

/** What a schema catalog knows about a function that is not built in (e.g. created by an earlier migration). */
export type FunctionVolatilityLookup = (fn: { schema?: string; name: string }) => Volatility | undefined;

export interface VolatilityVerdict {
  volatility: Volatility;
  /**
   * The call that decided the verdict: the first volatile one, else the first unknown one, else the first stable
   * one. `location` is the libpg-query byte offset of the node, when it has one.
   */
  culprit?: { kind: 'function' | 'operator' | 'expression'; name: string; location?: number };
}

type Letters = string;

const builtinFunctions = facts.functions as Record<string, Letters>;
const functionsAddedLater = facts.addedInPg18 as Record<string, Letters>;
const builtinTypes = facts.types as Record<string, Letters>;
const extensionFunctions = new Map<string, Letters>();
const operators = new Map<string, Letters>(Object.entries(facts.operators as Record<string, Letters>));
for (const extension of Object.values(facts.extensions as Record<string, { functions: Record<string, Letters>; operators?: Record<string, Letters> }>)) {
  for (const [name, letters] of Object.entries(extension.functions)) {
    extensionFunctions.set(name, mergeLetters(extensionFunctions.get(name), letters));
  }
  // An operator name can exist both built in and in an extension; without types we cannot tell which one runs.
  for (const [name, letters] of Object.entries(extension.operators ?? {})) operators.set(name, mergeLetters(operators.get(name), letters));
}

const RANK: Record<Volatility, number> = { immutable: 0, stable: 1, unknown: 2, volatile: 3 };

export function expressionVolatility(expr: Node | undefined, lookup?: FunctionVolatilityLookup): Volatility {
  return explainVolatility(expr, lookup).volatility;
}

export function explainVolatility(expr: Node | undefined, lookup?: FunctionVolatilityLookup): VolatilityVerdict {
  const walker = new VolatilityWalker(lookup);
  walker.visit(expr);
  return walker.verdict;
}

class VolatilityWalker {
  verdict: VolatilityVerdict = { volatility: 'immutable' };

  constructor(private readonly lookup: FunctionVolatilityLookup | undefined) {}

  private note(volatility: Volatility, culprit: NonNullable<VolatilityVerdict['culprit']>): void {
    if (RANK[volatility] > RANK[this.verdict.volatility]) this.verdict = { volatility, culprit };
  }

  visit(node: Node | Node[] | undefined): void {
    if (node === undefined) return;
    if (Array.isArray(node)) {
      for (const item of node) this.visit(item);
      return;
    }
    const [kind, payload] = Object.entries(node)[0] ?? [];
    if (kind === undefined) return;
    const p = payload as Record<string, unknown>;
    switch (kind) {
      case 'A_Const':
      // A column reference is the row's own value (generated columns); in a DEFAULT PostgreSQL rejects it.
      case 'ColumnRef':
        return;
      case 'FuncCall':
        return this.visitFuncCall(payload as FuncCall);
      case 'A_Expr':
        return this.visitOperator(payload as A_Expr);
      case 'TypeCast':
        this.visit(p.arg as Node);
        return this.visitType(p.typeName as TypeName, p.location as number | undefined);
      case 'SQLValueFunction':
        // CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIME, CURRENT_USER, SESSION_USER, CURRENT_SCHEMA…: parser nodes, not
        // pg_proc entries, so the JSON cannot list them. They read the transaction start time or session state:
        // STABLE (executor/execExprInterp.c ExecEvalSQLValueFunction; the functions they stand for are stable).
        return this.note('stable', { kind: 'function', name: sqlValueFunctionName(p.op as string), location: p.location as number });
      case 'List':
        return this.visit(p.items as Node[]);
      case 'NullTest':
      case 'BooleanTest':
      case 'CollateClause':
      case 'NamedArgExpr':
        return this.visit(p.arg as Node);
      case 'BoolExpr':
      case 'CoalesceExpr':
      case 'RowExpr':
        return this.visit(p.args as Node[]);
      case 'MinMaxExpr':
        // GREATEST/LEAST compare with the type's btree ordering operators.
        this.visit(p.args as Node[]);
        return this.visitOperatorName((p.op as string) === 'IS_GREATEST' ? '>' : '<', p.location as number | undefined);
      case 'A_ArrayExpr':
        return this.visit(p.elements as Node[]);
      case 'CaseExpr':
        this.visit(p.arg as Node);
        this.visit(p.args as Node[]);
        this.visit(p.defresult as Node);
        // CASE x WHEN v compares with `=`.
        if (p.arg !== undefined) this.visitOperatorName('=', p.location as number | undefined);
        return;
      case 'CaseWhen':
        this.visit(p.expr as Node);
        return this.visit(p.result as Node);
      case 'A_Indirection':
        this.visit(p.arg as Node);
        return this.visit(p.indirection as Node[]);
      case 'A_Indices':
        this.visit(p.lidx as Node);
        return this.visit(p.uidx as Node);
      case 'String':
      case 'A_Star':
        return;
      default:
        // Sub-selects, parameters, XML/JSON constructors…: not modelled, so not claimed to be safe.
        return this.note('unknown', { kind: 'expression', name: kind, location: p.location as number | undefined });
    }
  }

  private visitFuncCall(call: FuncCall): void {
    this.visit(call.args);
    const parts = (call.funcname ?? []).map(stringValue);
    const name = parts[parts.length - 1] ?? '';
    const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
    const volatility = this.functionVolatility(schema, name);
    const display = schema && schema !== 'pg_catalog' ? `${schema}.${name}` : name;
    if (volatility !== 'immutable') this.note(volatility, { kind: 'function', name: display, location: call.location });
  }

  private functionVolatility(schema: string | undefined, name: string): Volatility {
    // pg_catalog comes first on every search_path, so an unqualified builtin name always means the builtin.
    if (schema === undefined || schema === 'pg_catalog') {
      const builtin = builtinFunctions[name] ?? functionsAddedLater[name];
      if (builtin !== undefined) return fromLetters(builtin);
      if (schema === 'pg_catalog') return 'unknown';
    }
    const known = this.lookup?.({ ...(schema !== undefined ? { schema } : {}), name });
    if (known !== undefined) return known;
    // Extensions are installed into a schema of the user's choice, usually public: match by name alone.
    const fromExtension = extensionFunctions.get(name);
    return fromExtension !== undefined ? fromLetters(fromExtension) : 'unknown';
  }

  private visitOperator(expr: A_Expr): void {
    this.visit(expr.lexpr);
    this.visit(expr.rexpr);
    switch (expr.kind) {
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM':
        // x BETWEEN a AND b is x >= a AND x <= b; the node's name is the keyword, not an operator.
        this.visitOperatorName('>=', expr.location);
        this.visitOperatorName('<=', expr.location);
        return;
      default: {
        const parts = (expr.name ?? []).map(stringValue);
        this.visitOperatorName(parts[parts.length - 1] ?? '', expr.location);
      }
    }
  }

  private visitOperatorName(name: string, location: number | undefined): void {
    const letters = operators.get(name);
    const volatility = letters !== undefined ? fromLetters(letters) : 'unknown';
    if (volatility !== 'immutable') this.note(volatility, { kind: 'operator', name, location });
  }

  private visitType(typeName: TypeName | undefined, location: number | undefined): void {
    if (!typeName) return;
    const parts = (typeName.names ?? []).map(stringValue);
    const base = parts[parts.length - 1] ?? '';
    const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
    const name = (typeName.arrayBounds?.length ?? 0) > 0 ? `_${base}` : base;
    const letters = schema === undefined || schema === 'pg_catalog' ? builtinTypes[name] : undefined;
    // Types users create in SQL (enums, domains, composites, ranges) read input with enum_in, domain_in,
    // record_in, range_in — all STABLE. Only a C-language base type could have a volatile input function.
    const volatility = letters !== undefined ? fromLetters(letters) : 'stable';
    if (volatility !== 'immutable') this.note(volatility, { kind: 'function', name: `cast to ${name}`, location });
  }
}

function stringValue(node: Node): string {
  return (node as { String?: { sval?: string } }).String?.sval ?? '';
}

/** The most volatile overload decides: letters are sorted i < s < v. */
function fromLetters(letters: Letters): Volatility {
  const last = letters[letters.length - 1];
  return last === 'v' ? 'volatile' : last === 's' ? 'stable' : 'immutable';
}

function mergeLetters(a: Letters | undefined, b: Letters): Letters {
  return [...new Set((a ?? '') + b)].sort().join('');
}

function sqlValueFunctionName(op: string | undefined): string {
  // SVFOP_CURRENT_TIMESTAMP_N → current_timestamp
  return (op ?? 'SVFOP_UNKNOWN').replace(/^SVFOP_/, '').replace(/_N$/, '').toLowerCase();
}
