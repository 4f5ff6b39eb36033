/**
 * Plans the synthetic data for a rehearsal: which tables, in which order, and the one `INSERT … SELECT … FROM
 * generate_series` per table that fills each, such that the rows satisfy the schema by construction:
 *
 * - NOT NULL and domain NOT NULL columns always get a value; nullable ones are NULL in about 10 % of rows.
 * - Every unique key (primary key, UNIQUE, unique index) gets one column whose values are injective in the row
 *   number. A key made only of foreign-key columns (a join table) enumerates parent-row combinations instead.
 * - A foreign-key column recomputes the parent's key for some parent row number 1…n_parent, so it always points at
 *   an existing row; parents are seeded first (topological order).
 * - CHECK constraints (and domain checks) are read into value ranges / allowed sets where possible; the rest are
 *   enforced by filtering generated rows through the expression itself.
 * - Constraints the target migration is about to add (seen by running it on an empty copy) are honoured too: a
 *   migration that adds a foreign key, SET NOT NULL or a unique index expects the existing rows to satisfy it, and
 *   rehearsing it on rows that do not would measure a failure instead of the migration.
 * - Columns that are better left to their default (identity/serial columns nobody references, generated columns,
 *   types we cannot generate but that have a default) are omitted.
 *
 * Pure planning: the schema comes in as data; the SQL goes out as text for seeder.ts to run.
 */
import { scanTokens } from '../../analysis/parse/parser.js';
import { readCheck, intersectDomains, type ValueDomain } from './check-domains.js';
import { baseTypeOf, domainChain, type ForeignKeyInfo, type SeedColumn, type SeedSchema, type SeedTable, type UniqueKey } from './schema.js';
import { hashOf, valueExpression, type ValueExpression } from './values.js';
import { quoteIdent } from '../driver.js';

/** Bump when generated data changes, so templates built by an older version are not reused. */
export const SEED_GENERATOR_VERSION = 1;

/** Share of NULLs in nullable columns. */
export const NULL_PER_MILLE = 100;

export interface SeedProblem {
  table: string;
  /** The constraint, column or type that blocked seeding. */
  blocker: string;
  message: string;
}

export interface TableSeed {
  table: string;
  rows: number;
  /** The INSERT; for tables with CHECKs we cannot read, it filters rows and needs `oversample` first. */
  insert: string;
  /** Present when rows are filtered through CHECK expressions: how to measure their pass rate. */
  filter?: FilteredInsert;
  /** setval() calls that move identity/serial sequences past the generated keys. */
  afterInsert: string[];
  /** Columns left to their defaults, for the report. */
  omitted: string[];
}

export interface FilteredInsert {
  /** The CHECKs applied as a filter, by name. */
  checks: Array<{ name: string; sql: string }>;
  /** SELECT returning (n, pass, check_0 … check_k) counts over `sampleRows` generated rows. */
  passRateSql: string;
  sampleRows: number;
  /** The INSERT with `{{generate}}` standing for how many rows to generate before filtering. */
  insertTemplate: string;
}

export interface SeedPlan {
  tables: TableSeed[];
  problems: SeedProblem[];
  notes: string[];
}

export interface SeedRequest {
  /** The schema the target migration runs against (read from the server after the replay). */
  schema: SeedSchema;
  /** The schema after the target migration ran on an empty copy, when that worked. */
  future?: SeedSchema;
  /** Tables the target migration touches; their foreign-key parents are added. */
  touched: readonly string[];
  /** Rows per table name; tables missing here get `defaultRows`. 0 = leave empty. */
  rows: ReadonlyMap<string, number>;
  defaultRows: number;
}

/**
 * The tables to seed, parents before children: `touched` (partitions replaced by their partitioned root) plus
 * every table they reference through a foreign key, now or after the migration.
 */
export function seedOrder(request: Pick<SeedRequest, 'schema' | 'future' | 'touched'>): { tables: string[]; cycles: string[][] } {
  const byName = new Map(request.schema.tables.map((t) => [t.name, t]));
  const root = (name: string): string => {
    let table = byName.get(name);
    for (let depth = 0; table?.partitionOf && depth < 16; depth++) table = byName.get(table.partitionOf);
    return table?.name ?? name;
  };
  const wanted = new Set<string>();
  const visit = (name: string): void => {
    const key = root(name);
    if (wanted.has(key) || !byName.has(key)) return;
    wanted.add(key);
    for (const fk of foreignKeysOf(key, request.schema, request.future)) visit(fk.references);
  };
  for (const name of request.touched) visit(name);

  // Depth-first topological sort; a back edge (other than a self-reference) is a cycle.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const sort = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(name)), name]);
      return;
    }
    state.set(name, 'visiting');
    for (const fk of foreignKeysOf(name, request.schema, request.future)) {
      const parent = root(fk.references);
      if (parent !== name && wanted.has(parent)) sort(parent, [...path, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...wanted].sort()) sort(name, []);
  return { tables: order, cycles };
}

/** The table's foreign keys, plus those the migration adds (columns that exist now, parents that exist now). */
function foreignKeysOf(name: string, schema: SeedSchema, future: SeedSchema | undefined): ForeignKeyInfo[] {
  const table = schema.tables.find((t) => t.name === name);
  if (!table) return [];
  const result = [...table.foreignKeys];
  const later = future?.tables.find((t) => t.name === name);
  const columns = new Set(table.columns.map((c) => c.name));
  for (const fk of later?.foreignKeys ?? []) {
    const parent = schema.tables.find((t) => t.name === fk.references);
    if (!parent || !fk.columns.every((c) => columns.has(c)) || !fk.referencedColumns.every((c) => parent.columns.some((p) => p.name === c))) continue;
    if (result.some((known) => sameList(known.columns, fk.columns) && known.references === fk.references)) continue;
    result.push(fk);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------

type Role =
  | { kind: 'omit'; reason: string }
  | { kind: 'unique' }
  | { kind: 'foreign-key'; fk: ForeignKeyInfo; index: number }
  | { kind: 'value' };

interface ColumnPlan {
  column: SeedColumn;
  role: Role;
  notNull: boolean;
  domain: ValueDomain;
  /** Type to generate values of (the type after the migration, when it converts a string column). */
  generateAs: { typeOid: string; typeSql: string; maxLength: number | null; precision: number | null; scale: number | null };
  /** Never NULL, and a pure function of the row number: some child's foreign key recomputes it. */
  referenced: boolean;
  /** Cast the generated value through the base type, not the domain, so a filter can test the domain's checks. */
  filterThroughBase: boolean;
  seed: number;
}

interface TableContext {
  table: SeedTable;
  rows: number;
  columns: Map<string, ColumnPlan>;
  /** How each FK picks its parent row: a hash (many-to-one) or an enumeration of parent rows (unique FKs). */
  parentRow: Map<ForeignKeyInfo, (row: string) => string>;
}

export function planSeeding(request: SeedRequest): SeedPlan {
  const problems: SeedProblem[] = [];
  const notes: string[] = [];
  const { tables: order, cycles } = seedOrder(request);
  for (const cycle of cycles) {
    notes.push(`tables reference each other (${cycle.join(' → ')}): seeded in an arbitrary order; foreign keys still point at rows that exist once all are seeded`);
  }
  const byName = new Map(request.schema.tables.map((t) => [t.name, t]));
  const rowsOf = (name: string): number => request.rows.get(name) ?? request.defaultRows;

  // Columns that some seeded child references: they must be computable from the parent's row number.
  const referenced = new Map<string, Set<string>>();
  for (const name of order) {
    for (const fk of foreignKeysOf(name, request.schema, request.future)) {
      const set = referenced.get(fk.references) ?? new Set<string>();
      fk.referencedColumns.forEach((c) => set.add(c));
      referenced.set(fk.references, set);
    }
  }

  const contexts = new Map<string, TableContext>();
  const seeds: TableSeed[] = [];
  for (const name of order) {
    const table = byName.get(name)!;
    const rows = rowsOf(name);
    const context = planTable(table, rows, request, referenced.get(name) ?? new Set(), contexts, rowsOf, problems);
    contexts.set(name, context);
    if (rows <= 0) continue;
    const seed = buildInsert(context, request, contexts, problems);
    if (seed) seeds.push(seed);
  }
  return { tables: seeds, problems, notes };
}

function planTable(
  table: SeedTable,
  rows: number,
  request: SeedRequest,
  referencedColumns: Set<string>,
  contexts: Map<string, TableContext>,
  rowsOf: (name: string) => number,
  problems: SeedProblem[],
): TableContext {
  const types = typesOf(request);
  const later = request.future?.tables.find((t) => t.name === table.name);
  const columns = new Map<string, ColumnPlan>();

  for (const column of table.columns) {
    const future = later?.columns.find((c) => c.name === column.name);
    let domain: ValueDomain = {};
    let notNull = column.notNull || (future?.notNull ?? false);
    let filterThroughBase = false;
    for (const d of domainChain(column.typeOid, types)) {
      if (d.domainNotNull) notNull = true;
      for (const check of d.domainChecks) {
        const reading = readCheck(check.expression);
        const value = reading.domains.get('value');
        if (value) domain = intersectDomains(domain, value);
        if (!reading.understood) filterThroughBase = true;
      }
    }
    const base = baseTypeOf(column.typeOid, types);
    // A migration converting a string column (ALTER COLUMN … TYPE int USING code::int) needs strings that convert.
    const futureBase = future ? baseTypeOf(future.typeOid, request.future!.types) : undefined;
    const convertsString = future !== undefined && future.typeOid !== column.typeOid && base?.category === 'S' && futureBase !== undefined;
    const generateAs = convertsString && future
      ? { typeOid: future.typeOid, typeSql: future.typeSql, maxLength: future.maxLength, precision: future.precision, scale: future.scale }
      : { typeOid: column.typeOid, typeSql: column.typeSql, maxLength: column.maxLength, precision: column.precision, scale: column.scale };
    if (future && future.maxLength !== null && (generateAs.maxLength === null || future.maxLength < generateAs.maxLength)) {
      generateAs.maxLength = future.maxLength; // shortened by the migration: generate what will still fit
    }
    columns.set(column.name, {
      column,
      role: { kind: 'value' },
      notNull: notNull || referencedColumns.has(column.name),
      domain,
      generateAs,
      referenced: referencedColumns.has(column.name),
      filterThroughBase,
      seed: seedFor(`${table.name}.${column.name}`),
    });
  }

  // CHECK constraints we can read narrow the columns' domains; the others become row filters (buildInsert).
  for (const check of mergedChecks(table, later)) {
    const reading = readCheck(check.expression);
    for (const [name, domain] of reading.domains) {
      const plan = columns.get(name);
      if (!plan) continue;
      plan.domain = intersectDomains(plan.domain, domain);
      if (domain.notNull) plan.notNull = true;
    }
  }

  const context: TableContext = { table, rows, columns, parentRow: new Map() };
  const fks = foreignKeysOf(table.name, request.schema, request.future);
  const fkColumns = new Set(fks.flatMap((fk) => fk.columns));

  // Unique keys: primary key first, then narrower keys first, so one uniquified column serves as many as possible.
  const keys = mergedUniqueKeys(table, later).sort(
    (a, b) => Number(b.kind === 'primary key') - Number(a.kind === 'primary key') || a.columns.length - b.columns.length,
  );
  for (const key of keys) {
    if (key.columns.length === 0) continue;
    if (key.nullsNotDistinct) for (const name of key.columns) columns.get(name)!.notNull = true;
    if (key.kind === 'primary key') for (const name of key.columns) if (columns.get(name)) columns.get(name)!.notNull = true;
    if (key.columns.some((name) => columns.get(name)?.role.kind === 'unique')) continue;
    if (key.columns.some((name) => [...context.parentRow.keys()].some((fk) => fk.columns.includes(name)))) continue;
    const candidate = key.columns.find((name) => {
      const plan = columns.get(name);
      if (!plan || fkColumns.has(name) || plan.column.generated) return false;
      const expression = expressionFor(plan, true, types);
      return expression.ok && expression.capacity >= rows;
    });
    if (candidate !== undefined) {
      columns.get(candidate)!.role = { kind: 'unique' };
      continue;
    }
    // A key made of foreign keys only: enumerate combinations of parent rows (mixed radix).
    const keyFks = fks.filter((fk) => fk.columns.every((c) => key.columns.includes(c)));
    const covered = new Set(keyFks.flatMap((fk) => fk.columns));
    if (keyFks.length > 0 && key.columns.every((c) => covered.has(c))) {
      let stride = 1;
      let combinations = 1;
      for (const fk of keyFks) {
        const parentRows = fk.references === table.name ? rows : rowsOf(fk.references);
        const currentStride = stride;
        context.parentRow.set(fk, (row) => `(1 + (((${row}) - 1) / ${currentStride}) % ${Math.max(parentRows, 1)})`);
        stride *= Math.max(parentRows, 1);
        combinations *= parentRows;
      }
      if (combinations < rows) {
        problems.push({
          table: table.name,
          blocker: key.name,
          message:
            `${key.kind} ${key.name} on ${table.name} (${key.columns.join(', ')}) allows only ${combinations} distinct combinations of ` +
            `parent rows, fewer than the ${rows} rows asked for. Give ${table.name} fewer rows or its parents more (--rows).`,
        });
      }
      continue;
    }
    problems.push({
      table: table.name,
      blocker: key.name,
      message:
        `${key.kind} ${key.name} on ${table.name} (${key.columns.join(', ')}): none of its columns can hold ${rows} distinct generated values ` +
        '(their types or CHECK constraints allow too few). Give the table fewer rows (--rows), or 0 to leave it empty.',
    });
  }

  for (const fk of fks) {
    fk.columns.forEach((name, index) => {
      const plan = columns.get(name);
      if (plan && plan.role.kind !== 'foreign-key') plan.role = { kind: 'foreign-key', fk, index };
    });
  }

  for (const plan of columns.values()) {
    const { column } = plan;
    if (plan.role.kind === 'foreign-key') continue;
    if (column.generated) {
      plan.role = { kind: 'omit', reason: 'generated column' };
    } else if ((column.identity || column.sequence) && plan.role.kind !== 'unique' && !plan.referenced) {
      plan.role = { kind: 'omit', reason: column.identity ? 'identity column: its sequence fills it' : 'serial column: its sequence fills it' };
    } else if (plan.role.kind === 'value' || plan.role.kind === 'unique') {
      const expression = expressionFor(plan, plan.role.kind === 'unique', types);
      if (!expression.ok) {
        if (column.defaultExpr !== null) plan.role = { kind: 'omit', reason: `default used: ${expression.reason}` };
        else if (!plan.notNull) plan.role = { kind: 'omit', reason: `left NULL: ${expression.reason}` };
        else {
          problems.push({
            table: table.name,
            blocker: column.name,
            message: `column ${table.name}.${column.name} is NOT NULL without a default, and Lockstep cannot generate values for it: ${expression.reason}.`,
          });
          plan.role = { kind: 'omit', reason: 'cannot generate' };
        }
      }
    }
  }
  return context;
}

function expressionFor(plan: ColumnPlan, unique: boolean, types: SeedSchema['types']): ValueExpression {
  return valueExpression(
    {
      typeOid: plan.generateAs.typeOid,
      maxLength: plan.generateAs.maxLength,
      precision: plan.generateAs.precision,
      scale: plan.generateAs.scale,
      domain: plan.domain,
      unique,
    },
    types,
    plan.seed,
  );
}

/** SQL computing `column` of the table in `context` for the row-number expression `row`. */
function columnSql(
  context: TableContext,
  name: string,
  row: string,
  request: SeedRequest,
  contexts: Map<string, TableContext>,
  options: { castToBase?: boolean } = {},
): string | undefined {
  const plan = context.columns.get(name);
  if (!plan) return undefined;
  const types = typesOf(request);
  const role = plan.role;
  const castTarget = options.castToBase ? (baseTypeOf(plan.column.typeOid, types)?.sql ?? plan.column.typeSql) : plan.column.typeSql;
  const finish = (value: string): string => {
    const generated = plan.generateAs.typeSql !== plan.column.typeSql ? `(${value})::${plan.generateAs.typeSql}` : value;
    return `(${generated})::${castTarget}`;
  };
  switch (role.kind) {
    case 'omit':
      return undefined;
    case 'unique': {
      const expression = expressionFor(plan, true, types);
      return expression.ok ? finish(expression.sql(row)) : undefined;
    }
    case 'value': {
      const expression = expressionFor(plan, false, types);
      if (!expression.ok) return undefined;
      return withNulls(plan, finish(expression.sql(row)), row, plan.seed + 7);
    }
    case 'foreign-key': {
      const parentName = role.fk.references;
      const parent = parentName === context.table.name ? context : contexts.get(parentName);
      const parentRows = parent?.rows ?? 0;
      if (!parent || parentRows <= 0) return plan.notNull ? undefined : 'NULL';
      const pick =
        context.parentRow.get(role.fk) ??
        (parent === context
          ? // A self-reference points at this row or an earlier one, so it also holds when FK checks run per row.
            (r: string) => `(1 + ${hashOf(r, seedFor(role.fk.name))} % (${r}))`
          : (r: string) => `(1 + ${hashOf(r, seedFor(role.fk.name))} % ${parentRows})`);
      const parentColumn = role.fk.referencedColumns[role.index];
      if (parentColumn === undefined) return undefined;
      const value = columnSql(parent, parentColumn, pick(row), request, contexts);
      if (value === undefined) return undefined;
      const cast = `(${value})::${plan.column.typeSql}`;
      // All columns of one FK are NULL together (MATCH FULL needs that; MATCH SIMPLE does not mind).
      const fkNullable = role.fk.columns.every((c) => !context.columns.get(c)?.notNull);
      return fkNullable ? withNulls(plan, cast, row, seedFor(role.fk.name) + 7) : cast;
    }
  }
}

function withNulls(plan: ColumnPlan, value: string, row: string, seed: number): string {
  if (plan.notNull || plan.referenced) return value;
  return `CASE WHEN ${hashOf(row, seed)} % 1000 < ${NULL_PER_MILLE} THEN NULL ELSE ${value} END`;
}

function buildInsert(context: TableContext, request: SeedRequest, contexts: Map<string, TableContext>, problems: SeedProblem[]): TableSeed | undefined {
  const { table, rows } = context;
  const later = request.future?.tables.find((t) => t.name === table.name);
  const omitted: string[] = [];
  const generated: ColumnPlan[] = [];
  for (const plan of context.columns.values()) {
    if (plan.role.kind === 'omit') omitted.push(`${plan.column.name} (${plan.role.reason})`);
    else generated.push(plan);
  }
  if (generated.length === 0) {
    return { table: table.name, rows, insert: `INSERT INTO ${table.name} SELECT FROM generate_series(1, ${rows})`, afterInsert: [], omitted };
  }
  const overriding = generated.some((p) => p.column.identity === 'always') ? ' OVERRIDING SYSTEM VALUE' : '';
  const afterInsert = generated
    .filter((p) => p.column.sequence !== null)
    .map((p) => `SELECT setval(${quoteLiteral(p.column.sequence!)}::regclass, greatest(coalesce((SELECT max(${quoteIdent(p.column.name)}) FROM ${table.name}), 1), 1))`);

  // CHECKs that could not be read into domains, and domain checks likewise, filter the generated rows.
  const filters: Array<{ name: string; sql: string; columns: string[] }> = [];
  for (const check of mergedChecks(table, later)) {
    if (!readCheck(check.expression).understood) filters.push({ name: check.name, sql: check.expression, columns: check.columns });
  }
  for (const plan of generated) {
    if (!plan.filterThroughBase) continue;
    for (const domain of domainChain(plan.column.typeOid, typesOf(request))) {
      for (const check of domain.domainChecks) {
        if (readCheck(check.expression).understood) continue;
        const sql = replaceValueKeyword(check.expression, quoteIdent(plan.column.name));
        if (sql) filters.push({ name: `${domain.sql}.${check.name}`, sql, columns: [plan.column.name] });
      }
    }
  }

  const names = generated.map((p) => quoteIdent(p.column.name)).join(', ');
  if (filters.length === 0) {
    const values: string[] = [];
    for (const plan of generated) {
      const sql = columnSql(context, plan.column.name, 'g', request, contexts);
      if (sql === undefined) {
        problems.push({ table: table.name, blocker: plan.column.name, message: unseedableColumn(table.name, plan) });
        return undefined;
      }
      values.push(sql);
    }
    return {
      table: table.name,
      rows,
      insert: `INSERT INTO ${table.name} (${names})${overriding} SELECT ${values.join(', ')} FROM generate_series(1, ${rows}) AS g`,
      afterInsert,
      omitted,
    };
  }

  // Filtered: columns children reference (and self-references) are computed from the row number AFTER filtering,
  // so parent row k exists for every k ≤ rows; everything else is computed before, from the generator's g.
  const outer = generated.filter((p) => p.referenced || (p.role.kind === 'foreign-key' && p.role.fk.references === table.name));
  const inner = generated.filter((p) => !outer.includes(p));
  const outerNames = new Set(outer.map((p) => p.column.name));
  const usable = filters.filter((f) => !f.columns.some((c) => outerNames.has(c)));
  const innerValues: string[] = [];
  for (const plan of inner) {
    const sql = columnSql(context, plan.column.name, 'g', request, contexts, { castToBase: plan.filterThroughBase });
    if (sql === undefined) {
      problems.push({ table: table.name, blocker: plan.column.name, message: unseedableColumn(table.name, plan) });
      return undefined;
    }
    innerValues.push(`${sql} AS ${quoteIdent(plan.column.name)}`);
  }
  const outerValues: string[] = [];
  for (const plan of outer) {
    const sql = columnSql(context, plan.column.name, 's.lockstep_rn', request, contexts);
    if (sql === undefined) {
      problems.push({ table: table.name, blocker: plan.column.name, message: unseedableColumn(table.name, plan) });
      return undefined;
    }
    outerValues.push(sql);
  }
  const innerSelect = (count: string): string =>
    `SELECT ${innerValues.length > 0 ? innerValues.join(', ') : 'g AS lockstep_g'} FROM generate_series(1, ${count}) AS g`;
  const where = usable.map((f) => `(${f.sql}) IS NOT FALSE`).join(' AND ') || 'true';
  const selectList = [
    ...outerValues,
    ...inner.map((p) => {
      const column = `s.${quoteIdent(p.column.name)}`;
      return p.filterThroughBase ? `(${column})::${p.column.typeSql}` : column;
    }),
  ];
  const orderedNames = [...outer, ...inner].map((p) => quoteIdent(p.column.name)).join(', ');
  const insertTemplate =
    `INSERT INTO ${table.name} (${orderedNames})${overriding} SELECT ${selectList.join(', ')} FROM (` +
    `SELECT row_number() OVER () AS lockstep_rn, f.* FROM (${innerSelect('{{generate}}')}) AS f WHERE ${where} LIMIT ${rows}) AS s`;
  const sampleRows = 2000;
  const passRateSql =
    `SELECT count(*) AS n, count(*) FILTER (WHERE ${where}) AS pass` +
    usable.map((f, i) => `, count(*) FILTER (WHERE (${f.sql}) IS NOT FALSE) AS check_${i}`).join('') +
    ` FROM (${innerSelect(String(sampleRows))}) AS f`;
  return {
    table: table.name,
    rows,
    insert: insertTemplate.replace('{{generate}}', String(rows)),
    filter: { checks: usable.map((f) => ({ name: f.name, sql: f.sql })), passRateSql, sampleRows, insertTemplate },
    afterInsert,
    omitted,
  };
}

function unseedableColumn(table: string, plan: ColumnPlan): string {
  if (plan.role.kind === 'foreign-key') {
    return (
      `column ${table}.${plan.column.name} is NOT NULL and references ${plan.role.fk.references} (${plan.role.fk.name}), ` +
      `which has no seeded rows to point at. Give ${plan.role.fk.references} rows (--rows ${plan.role.fk.references}=N).`
    );
  }
  return `column ${table}.${plan.column.name}: no value can be generated for it.`;
}

function mergedChecks(table: SeedTable, later: SeedTable | undefined): SeedTable['checks'] {
  const result = [...table.checks];
  const columns = new Set(table.columns.map((c) => c.name));
  for (const check of later?.checks ?? []) {
    if (result.some((c) => c.name === check.name || c.expression === check.expression)) continue;
    if (check.columns.every((c) => columns.has(c))) result.push(check);
  }
  return result;
}

function mergedUniqueKeys(table: SeedTable, later: SeedTable | undefined): UniqueKey[] {
  const result = [...table.uniqueKeys];
  const columns = new Set(table.columns.map((c) => c.name));
  for (const key of later?.uniqueKeys ?? []) {
    if (key.columns.length === 0 || !key.columns.every((c) => columns.has(c))) continue;
    if (result.some((k) => sameList(k.columns, key.columns))) continue;
    result.push(key);
  }
  return result;
}

/** Replaces the VALUE keyword of a domain check with `replacement`, token by token (strings stay untouched). */
function replaceValueKeyword(expression: string, replacement: string): string | undefined {
  const tokens = scanTokens(expression);
  if (!tokens) return undefined;
  let out = '';
  let last = 0;
  for (const token of tokens) {
    if (token.keyword !== 'VALUE') continue;
    out += expression.slice(last, token.start) + replacement;
    last = token.end;
  }
  return out + expression.slice(last);
}

/**
 * Types of both schemas: a migration converting a column to a type it creates needs the new type's facts. The
 * copy the migration ran in shares every older object's oid with the original (CREATE DATABASE copies catalogs).
 */
const mergedTypes = new WeakMap<SeedRequest, SeedSchema['types']>();
function typesOf(request: SeedRequest): SeedSchema['types'] {
  let types = mergedTypes.get(request);
  if (!types) {
    types = new Map([...(request.future?.types ?? []), ...request.schema.types]);
    mergedTypes.set(request, types);
  }
  return types;
}

/** A stable 31-bit seed per name, so each column gets its own pseudo-random stream on every run. */
export function seedFor(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 1) % 1_000_000_007;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
