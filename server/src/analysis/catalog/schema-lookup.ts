// The catalog seen through the lock model's SchemaLookup interface (lockmodel/schema.ts): names in, facts out,
// every name schema-qualified and quote_ident-style.
import type { A_Const, Node, RangeVar, TypeName } from '@pgsql/types';
import type { ColumnFacts, RelationKind, SchemaLookup } from '../lockmodel/schema';
import type { FunctionVolatilityLookup } from '../pgfacts/volatility';
import { columnRefNames, nodeAs } from './ast';
import type { Catalog } from './catalog';
import type { ColumnType, Relation, Volatility } from './model';
import { quoteIdentifier } from './names';

export interface SchemaLookupOptions {
  /** The file being analyzed: objects created by it count as created in the current transaction… */
  file?: string;
  /**
   * …from this statement index on (the statement after the file's last COMMIT, or 0 when the runner wraps the
   * whole file in one transaction). Leave `file` undefined when the file does not run in a transaction.
   */
  transactionStart?: number;
}

const KIND_NAMES: Record<Relation['kind'], RelationKind> = {
  table: 'table',
  'partitioned-table': 'partitioned table',
  view: 'view',
  'materialized-view': 'materialized view',
  'foreign-table': 'other',
  sequence: 'sequence',
};

const VOLATILITY_RANK: Record<Volatility, number> = { immutable: 0, stable: 1, volatile: 2 };

/** A ColumnType back as the parser's TypeName, which is what ColumnFacts carries. */
export function typeNameOf(type: ColumnType): TypeName {
  const names: Node[] = [
    ...(type.schema !== undefined ? [{ String: { sval: type.schema } }] : []),
    { String: { sval: type.name } },
  ];
  const typmods: Node[] = type.typmods.map((m): Node => ({
    A_Const: (typeof m === 'number' ? { ival: { ival: m } } : { sval: { sval: m } }) as A_Const,
  }));
  return {
    names,
    ...(typmods.length > 0 ? { typmods } : {}),
    typemod: -1,
    ...(type.arrayDimensions > 0 ? { arrayBounds: Array.from({ length: type.arrayDimensions }, () => ({ Integer: { ival: -1 } })) } : {}),
  };
}

/** `col IS NOT NULL`, alone or as one conjunct of an AND, proves the column has no NULLs. */
function provesNotNull(expression: Node | undefined, column: string): boolean {
  const test = nodeAs<{ arg?: Node; nulltesttype?: string }>(expression, 'NullTest');
  if (test) {
    const refs = columnRefNames(test.arg);
    return test.nulltesttype === 'IS_NOT_NULL' && nodeAs(test.arg, 'ColumnRef') !== undefined && refs.has(column);
  }
  const bool = nodeAs<{ boolop?: string; args?: Node[] }>(expression, 'BoolExpr');
  if (bool?.boolop === 'AND_EXPR') return (bool.args ?? []).some((a) => provesNotNull(a, column));
  return false;
}

export function catalogSchemaLookup(catalog: Catalog, options: SchemaLookupOptions = {}): SchemaLookup {
  const relation = (name: string) => catalog.relation(name);
  return {
    resolve(rv: RangeVar): string {
      return catalog.resolveRelationKey(rv) ?? `${rv.schemaname ?? 'public'}.${rv.relname ?? ''}`;
    },
    relationKind(name: string): RelationKind | undefined {
      const rel = relation(name);
      if (rel) return KIND_NAMES[rel.kind];
      const index = catalog.index(name);
      if (!index) return undefined;
      return catalog.relation(index.table)?.kind === 'partitioned-table' ? 'partitioned index' : 'index';
    },
    indexesOf(table: string): string[] {
      return catalog.indexesOf(table).map((i) => i.key);
    },
    tableOfIndex(index: string): string | undefined {
      return catalog.index(index)?.table;
    },
    partitionsOf(table: string): string[] {
      return catalog.partitionsOf(table).map((p) => p.key);
    },
    parentOf(table: string): string | undefined {
      return catalog.parentOf(table)?.key;
    },
    sequencesOf(table: string): string[] {
      return catalog.ownedSequences(table).map((s) => s.key);
    },
    column(table: string, name: string): ColumnFacts | undefined {
      const c = catalog.column(table, name);
      if (!c) return undefined;
      return {
        name: c.name,
        type: typeNameOf(c.type),
        notNull: c.notNull,
        ...(c.default !== undefined ? { default: c.default } : {}),
        ...(c.identity ? { identity: c.identity === 'always' ? ('always' as const) : ('by default' as const) } : {}),
        ...(c.generated ? { generated: c.generated.stored ? ('stored' as const) : ('virtual' as const) } : {}),
      };
    },
    hasValidatedNotNullCheck(table: string, column: string): boolean {
      return catalog
        .constraintsOf(table)
        .some(
          (c) =>
            c.valid &&
            ((c.kind === 'check' && provesNotNull(c.expression, column)) ||
              (c.kind === 'not-null' && c.columns[0] === column)),
        );
    },
    functionVolatility(name: string): Volatility | undefined {
      // Without argument types the overload is unknown: answer for the most volatile one.
      return mostVolatile(catalog.functions(name));
    },
    createdInCurrentTransaction(name: string): boolean {
      if (options.file === undefined) return false;
      const origin = catalog.createdBy(name);
      return origin?.file === options.file && origin.statement >= (options.transactionStart ?? 0);
    },
  };
}

/**
 * The catalog as pgfacts/volatility.ts's FunctionVolatilityLookup: user functions created by earlier statements,
 * the most volatile overload when several share the name (the call's argument types are not known).
 */
export function catalogFunctionVolatility(catalog: Catalog): FunctionVolatilityLookup {
  return (fn) => {
    const overloads = catalog.functions(fn.schema !== undefined ? `${quoteIdentifier(fn.schema)}.${quoteIdentifier(fn.name)}` : quoteIdentifier(fn.name));
    return mostVolatile(overloads);
  };
}

function mostVolatile(overloads: readonly { volatility: Volatility }[]): Volatility | undefined {
  if (overloads.length === 0) return undefined;
  return overloads.reduce<Volatility>(
    (worst, f) => (VOLATILITY_RANK[f.volatility] > VOLATILITY_RANK[worst] ? f.volatility : worst),
    'immutable',
  );
}
