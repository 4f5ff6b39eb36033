// The catalog seen through the lock model's SchemaLookup interface (lockmodel/schema.ts): names in, facts out,
// every name schema-qualified and quote_ident-style.
import type { A_Const, Node, RangeVar, TypeName } from '@pgsql/types';
import type { ColumnFacts, ConstraintFacts, ForeignKeyFacts, IndexFacts, RelationKind, SchemaLookup, TypeFacts } from '../lockmodel/schema';
import type { FunctionVolatilityLookup } from '../pgfacts/volatility';
import { columnRefNames, nodeAs } from './ast';
import type { Catalog } from './catalog';
import type { ColumnType, Constraint, Relation, Volatility } from './model';
import { quoteIdentifier } from './names';
import { columnTypeOf } from './type-names';

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
    ...(type.arrayDimensions > 0
      ? { arrayBounds: Array.from({ length: type.arrayDimensions }, () => ({ Integer: { ival: -1 } })) }
      : {}),
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
    inheritorsOf(table: string): string[] {
      return catalog.inheritorsOf(table).map((c) => c.key);
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
        ...sequenceOf(catalog, table, c.name),
      };
    },
    columnNames(table: string): string[] {
      const rel = relation(table);
      return rel && !rel.partial ? rel.columns.map((c) => c.name) : [];
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
    // ---- for the lock model's roles (lockmodel/targets.ts) ----
    foreignKeysFrom(table: string): ForeignKeyFacts[] {
      const rel = relation(table);
      if (!rel) return [];
      return rel.constraints.filter((c) => c.kind === 'foreign-key' && c.references).map((c) => foreignKeyFacts(catalog, rel.key, c));
    },
    foreignKeysTo(table: string): ForeignKeyFacts[] {
      return catalog.referencingForeignKeys(table).map(({ table: from, constraint }) => foreignKeyFacts(catalog, from.key, constraint));
    },
    defaultPartitionOf(table: string): string | undefined {
      return catalog.partitionsOf(table).find((p) => nodeAs<{ is_default?: boolean }>(p.partitionBound, 'PartitionBoundSpec')?.is_default === true)?.key;
    },
    dependentViews(name: string): string[] {
      return catalog.dependentViews(name, { transitive: true }).map((v) => v.key);
    },
    viewSources(view: string): string[] {
      return [...(relation(view)?.dependsOn ?? [])];
    },
    viewQuery(view: string): Node | undefined {
      return relation(view)?.query;
    },
    relationsInSchema(schema: string): string[] {
      return catalog.relations().filter((r) => r.schema === schema).map((r) => r.key);
    },
    tablesUsingType(type: string): string[] {
      const wanted = catalog.type(type);
      if (!wanted) return [];
      return catalog
        .relations()
        .filter((r) => (r.kind === 'table' || r.kind === 'partitioned-table') && r.columns.some((c) => catalog.type(c.type)?.key === wanted.key))
        .map((r) => r.key);
    },
    relationsCreatedBy(statement: Node): Array<{ name: string; kind: RelationKind; table?: string }> {
      // Replayed on a copy-on-write clone, so the names are exactly those the catalog will give the objects. A
      // scratch clone: it is dropped before the catalog applies the statement (a plain clone would make that apply
      // copy every map of the catalog, for every CREATE — quadratic in the file).
      const after = catalog.scratchClone();
      const { touched } = after.apply(statement, { statement: -1, textHash: '' });
      const created = new Map<string, { name: string; kind: RelationKind; table?: string }>();
      const addIndex = (key: string): void => {
        const index = after.index(key);
        if (!index || created.has(key)) return;
        const kind = after.relation(index.table)?.kind === 'partitioned-table' ? 'partitioned index' : 'index';
        created.set(key, { name: index.key, kind, table: index.table });
      };
      for (const key of touched) {
        const before = catalog.relation(key);
        const rel = after.relation(key);
        if (!before && rel && !rel.partial) {
          // A new relation: it and everything on it are new.
          created.set(rel.key, { name: rel.key, kind: KIND_NAMES[rel.kind] });
          for (const index of rel.indexes) addIndex(index.key);
          for (const sequence of after.ownedSequences(rel.key)) {
            if (!catalog.relation(sequence.key)) created.set(sequence.key, { name: sequence.key, kind: 'sequence' });
          }
        } else if (rel) {
          // An existing table (or one first seen here): only what it did not have before. Set differences, not
          // lookups per index, so a table with thousands of indexes stays cheap.
          // Usually the statement appended one index to the (persistent) index list, which the list records: then
          // the new one is its last, found in O(1). Comparing the lists would cost the table's index count.
          const old = before?.indexes;
          if (old && rel.indexes.appendedTo === old.id) addIndex(rel.indexes.get(rel.indexes.length - 1)!.key);
          else if (old !== rel.indexes) {
            const had = new Set(old?.map((i) => i.key));
            for (const index of rel.indexes) if (!had.has(index.key)) addIndex(index.key);
          }
          if (rel.columns.length !== (before?.columns.length ?? -1) || rel.columns.some((c, i) => c !== before?.columns[i])) {
            for (const sequence of after.ownedSequences(rel.key)) {
              if (!catalog.relation(sequence.key)) created.set(sequence.key, { name: sequence.key, kind: 'sequence' });
            }
          }
        } else if (!catalog.index(key)) {
          addIndex(key);
        }
      }
      return [...created.values()];
    },
    // ---- for the ALTER TABLE facts ----
    constraintsOf(table: string): ConstraintFacts[] {
      return catalog.constraintsOf(table).map((c) => ({
        name: c.name,
        kind: c.kind,
        columns: [...c.columns],
        valid: c.valid,
        ...(c.index !== undefined ? { index: c.index } : {}),
        ...(c.references ? { references: { table: c.references.table, columns: [...c.references.columns] } } : {}),
        ...(c.kind === 'check' && c.expression !== undefined ? { expression: c.expression } : {}),
      }));
    },
    indexFacts(name: string): IndexFacts | undefined {
      const index = catalog.index(name);
      if (!index) return undefined;
      return {
        name: index.key,
        table: index.table,
        method: index.method,
        keys: index.columns.map((k) => ({
          ...(k.column !== undefined ? { column: k.column } : {}),
          ...(k.opclass !== undefined ? { opclass: k.opclass } : {}),
          ...(k.expression !== undefined ? { expression: k.expression } : {}),
        })),
        include: [...index.include],
        ...(index.predicate !== undefined ? { predicate: index.predicate } : {}),
        unique: index.unique,
        primary: index.primary,
        ...(index.constraint !== undefined ? { constraint: index.constraint } : {}),
        ...(index.parent !== undefined ? { parent: index.parent } : {}),
      };
    },
    columnType(table: string, name: string): { type: TypeFacts; collation?: string } | undefined {
      const c = catalog.column(table, name);
      if (!c) return undefined;
      return { type: typeFactsOf(catalog, c.type), ...(c.collation !== undefined ? { collation: c.collation } : {}) };
    },
    resolveType(type: TypeName): TypeFacts {
      const resolved = columnTypeOf(type, (schema, typeName) =>
        catalog.type(schema !== undefined ? `${quoteIdentifier(schema)}.${quoteIdentifier(typeName)}` : quoteIdentifier(typeName))?.schema,
      );
      return typeFactsOf(catalog, resolved);
    },
    persistence(table: string): 'permanent' | 'unlogged' | 'temporary' | undefined {
      return relation(table)?.persistence;
    },
    partitionKeyOf(table: string) {
      const key = relation(table)?.partitionKey;
      return key ? { strategy: key.strategy, columns: key.parts.map((p) => p.column) } : undefined;
    },
    sequenceOf(table: string, column: string): string | undefined {
      return catalog.ownedSequences(table).find((s) => s.sequence?.ownedBy?.column === column)?.key;
    },
  };
}

/** A catalog ColumnType as the lock model's TypeFacts; domains carry their base type and whether they constrain. */
function typeFactsOf(catalog: Catalog, type: ColumnType, depth = 0): TypeFacts {
  const base = {
    ...(type.schema !== undefined ? { schema: type.schema } : {}),
    name: type.name,
    typmods: [...type.typmods],
    arrayDimensions: type.arrayDimensions,
  };
  if (type.schema === 'pg_catalog') return { ...base, kind: 'builtin' };
  const info = catalog.type(type);
  if (!info) return { ...base, kind: 'unknown' };
  if (info.kind !== 'domain') return { ...base, kind: info.kind };
  // A domain over a domain: PostgreSQL checks the constraints of the whole chain (DomainHasConstraints).
  const baseType = depth < 10 ? typeFactsOf(catalog, info.baseType, depth + 1) : { ...base, kind: 'unknown' as const };
  const own = info.notNull || info.constraints.length > 0;
  return { ...base, kind: 'domain', domain: { base: baseType, hasConstraints: own || baseType.domain?.hasConstraints === true } };
}

function sequenceOf(catalog: Catalog, table: string, column: string): { sequence?: string } {
  const owned = catalog.ownedSequences(table).find((s) => s.sequence?.ownedBy?.column === column);
  return owned ? { sequence: owned.key } : {};
}

function foreignKeyFacts(catalog: Catalog, table: string, constraint: Constraint): ForeignKeyFacts {
  const columns = [...constraint.columns];
  const indexed = catalog
    .indexesOf(table)
    .some((i) => i.predicate === undefined && columns.every((c, n) => i.columns[n]?.column === c));
  return {
    table,
    columns,
    referenced: constraint.references!.table,
    referencedColumns: [...constraint.references!.columns],
    onDelete: constraint.references!.onDelete,
    onUpdate: constraint.references!.onUpdate,
    indexed,
  };
}

/**
 * The catalog as pgfacts/volatility.ts's FunctionVolatilityLookup: user functions created by earlier statements,
 * the most volatile overload when several share the name (the call's argument types are not known).
 */
export function catalogFunctionVolatility(catalog: Catalog): FunctionVolatilityLookup {
  return (fn) => {
    const name = quoteIdentifier(fn.name);
    const overloads = catalog.functions(fn.schema !== undefined ? `${quoteIdentifier(fn.schema)}.${name}` : name);
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
