import type { Constraint, Node } from '@pgsql/types';
import { defineRule, ruleDocPath, type RuleContext } from './rule';
import { asNode, nodeKind } from '../node-kinds';
import { alterTableClauseRanges } from './alter-table-clauses';
import { sizedSeverity, sizeData } from './table-size';
import type { LaterIndex } from '../file-context';

/**
 * A FOREIGN KEY no index of the referencing table can serve: none starts with one of its referencing columns.
 * PostgreSQL indexes the referenced side (it must be a primary key or unique) but never the referencing side
 * (docs: "Foreign Keys": "it is often a good idea to index the referencing columns too"). Without such an index,
 * every DELETE from the referenced table, and every UPDATE of its key, runs the foreign key's check — `SELECT 1
 * FROM ONLY referencing WHERE col = $1 FOR KEY SHARE` — as a full scan of the referencing table, per row, and
 * ON DELETE CASCADE / SET NULL likewise scan to find the rows they change. Deleting 1,000 customers then reads
 * the orders table 1,000 times.
 *
 * Reported in CREATE TABLE and ALTER TABLE … ADD [CONSTRAINT] / ADD COLUMN … REFERENCES, for tables created in the
 * same file too: the missing index costs for the table's whole life, not during the migration. Not reported when
 * an index whose first column is one of the key's columns exists, is created by the same statement (a
 * PRIMARY KEY or UNIQUE), or is created by a later statement of the file. The cost grows with the referencing
 * table, so the severity follows its size. NOT ENFORCED keys (PostgreSQL 18) check nothing and are skipped.
 */
export const fkWithoutIndex = defineRule({
  meta: {
    id: 'fk-without-index',
    description:
      'A FOREIGN KEY whose columns no index of the referencing table starts with: deletes and key updates on the referenced table scan the referencing table.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('fk-without-index'),
  },
  kinds: ['CreateStmt', 'AlterTableStmt'],
  check(context) {
    const ast = context.statement.ast;
    const keys = foreignKeysOf(context, ast);
    if (keys.length === 0) return;
    const table = keys[0]!.table;
    // The indexes the table has once this statement ran (its own PRIMARY KEY / UNIQUE included).
    const after = context.file.catalog.clone();
    after.apply(ast, { statement: -1, textHash: '' });
    const existing = after.indexesOf(table).map((i) => ({
      columns: i.columns.map((c) => c.column),
      method: i.method,
      partial: i.predicate !== undefined,
      ...(i.predicate ? { predicate: i.predicate } : {}),
    }));
    let later: LaterIndex[] | undefined;
    const createdHere = context.statement.kind === 'CreateStmt' || context.file.createdInFile(table);
    const sized = sizedSeverity(context, [table], fkWithoutIndex.meta.defaultSeverity);
    for (const key of keys) {
      if (existing.some((i) => leadsWith(i, key.columns))) continue;
      later ??= context.file.laterIndexesOn(table);
      if (later.some((i) => leadsWith(i, key.columns))) continue;
      const range = key.range();
      const cols = key.columns.join(', ');
      const cascade = key.onDelete === 'c' ? ' (and delete them: ON DELETE CASCADE)' : key.onDelete === 'n' || key.onDelete === 'd' ? ' (and update them: ON DELETE SET …)' : '';
      const create = createdHere
        ? `Add CREATE INDEX ON ${table} (${cols}) to this file (the table is new, so it is instant)`
        : `Add an index: CREATE INDEX CONCURRENTLY ON ${table} (${cols}), outside a transaction block`;
      context.report({
        message:
          `No index of ${table} starts with ${key.columns.length === 1 ? cols : `any of ${cols}`}, the ${key.columns.length === 1 ? 'column' : 'columns'} of its foreign key to ${key.referenced}: every DELETE from ${key.referenced} ` +
          `and every UPDATE of its key reads all of ${table} to look for referencing rows${cascade}, once per row (${sized.phrase}). ${create}.`,
        data: { table, columns: cols, referencedTable: key.referenced, ...(key.name ? { constraint: key.name } : {}), ...sizeData(sized) },
        severity: sized.severity,
        ...(range ? { range } : {}),
      });
    }
  },
});

interface ForeignKey {
  table: string;
  columns: string[];
  referenced: string;
  name?: string;
  /** fk_del_action: a no action, r restrict, c cascade, n set null, d set default. */
  onDelete?: string;
  /** Worked out only for a key that is reported: it needs the statement's tokens (a scanner run). */
  range: () => { start: number; end: number } | undefined;
}

function foreignKeysOf(context: RuleContext, ast: Node): ForeignKey[] {
  const { schema } = context.file;
  const out: ForeignKey[] = [];
  const add = (table: string, constraint: Constraint, columns: string[], range: () => { start: number; end: number } | undefined): void => {
    // NOT ENFORCED (PostgreSQL 18) creates no triggers: nothing is checked, nothing scans.
    if (!constraint.pktable || constraint.is_enforced !== true || columns.length === 0) return;
    out.push({
      table,
      columns,
      referenced: schema.resolve(constraint.pktable),
      ...(constraint.conname ? { name: constraint.conname } : {}),
      ...(constraint.fk_del_action ? { onDelete: constraint.fk_del_action } : {}),
      range,
    });
  };
  const names = (list: Node[] | undefined) => (list ?? []).map((n) => asNode(n, 'String')?.sval ?? '').filter(Boolean);

  if (nodeKind(ast) === 'CreateStmt') {
    const create = asNode(ast, 'CreateStmt')!;
    // A partition gets its parent's keys, reported where the parent declares them.
    if (!create.relation || create.partbound) return out;
    let resolved: string | undefined;
    const relation = create.relation;
    const tableName = (): string => (resolved ??= schema.resolve(relation));
    for (const element of create.tableElts ?? []) {
      const column = asNode(element, 'ColumnDef');
      for (const c of column?.constraints ?? []) {
        const constraint = asNode(c, 'Constraint');
        if (constraint?.contype === 'CONSTR_FOREIGN' && column?.colname) add(tableName(), constraint, [column.colname], () => constraintRange(context, constraint));
      }
      const constraint = asNode(element, 'Constraint');
      if (constraint?.contype === 'CONSTR_FOREIGN') add(tableName(), constraint, names(constraint.fk_attrs), () => constraintRange(context, constraint));
    }
    return out;
  }

  const alter = asNode(ast, 'AlterTableStmt');
  if (!alter?.relation || alter.objtype !== 'OBJECT_TABLE') return out;
  // Name resolution only once a foreign key is found (most ALTER TABLEs add none); the clause ranges (a token
  // walk, cached per statement) only for a key that is reported.
  let table: string | undefined;
  const tableName = (): string => (table ??= schema.resolve(alter.relation!));
  const clauseAt = (index: number) => () => alterTableClauseRanges(context.statement, alter)?.[index];
  (alter.cmds ?? []).forEach((item, index) => {
    const cmd = asNode(item, 'AlterTableCmd');
    if (cmd?.subtype === 'AT_AddConstraint') {
      const constraint = asNode(cmd.def, 'Constraint');
      if (constraint?.contype === 'CONSTR_FOREIGN') {
        add(tableName(), constraint, names(constraint.fk_attrs), clauseAt(index));
      }
    } else if (cmd?.subtype === 'AT_AddColumn') {
      const column = asNode(cmd.def, 'ColumnDef');
      for (const c of column?.constraints ?? []) {
        const constraint = asNode(c, 'Constraint');
        if (constraint?.contype === 'CONSTR_FOREIGN' && column?.colname) {
          add(tableName(), constraint, [column.colname], clauseAt(index));
        }
      }
    }
  });
  return out;
}

/**
 * True when the foreign key's lookup `WHERE c1 = $1 AND c2 = $2 …` can use the index instead of reading the whole
 * table: a btree whose first column is one of the key's columns (equality on a leading column is enough for an
 * index scan; one starting with all of them is best), or a hash index on one of them; and not partial — except for
 * a predicate of `c IS NOT NULL` terms on key columns, which the lookup implies (the planner proves it: `=` is
 * strict), the common way to index a mostly-NULL foreign key.
 */
function leadsWith(index: Pick<LaterIndex, 'columns' | 'method' | 'partial' | 'predicate'>, columns: readonly string[]): boolean {
  if (index.partial && !(index.predicate && impliedByLookup(index.predicate, columns))) return false;
  const method = index.method.toLowerCase();
  if (method !== 'btree' && !(method === 'hash' && index.columns.length === 1)) return false;
  const first = index.columns[0];
  return first !== undefined && columns.includes(first);
}

/** The predicate is `c IS NOT NULL` (or an AND of such) with every c among `columns`. */
function impliedByLookup(predicate: Node, columns: readonly string[]): boolean {
  const and = asNode(predicate, 'BoolExpr');
  if (and) return and.boolop === 'AND_EXPR' && (and.args ?? []).every((arg) => impliedByLookup(arg, columns));
  const test = asNode(predicate, 'NullTest');
  if (test?.nulltesttype !== 'IS_NOT_NULL') return false;
  const fields = asNode(test.arg, 'ColumnRef')?.fields ?? [];
  const column = asNode(fields[fields.length - 1], 'String')?.sval;
  return column !== undefined && columns.includes(column);
}

/** From the constraint's start (CONSTRAINT / FOREIGN / REFERENCES) to the end of `REFERENCES table [(columns)]`. */
function constraintRange(context: RuleContext, constraint: Constraint): { start: number; end: number } | undefined {
  const start = context.statement.offsetOfLocation(constraint.location);
  const target = context.statement.offsetOfLocation(constraint.pktable?.location);
  if (start === undefined || target === undefined) return undefined;
  const tokens = context.statement.tokens().filter((t) => t.name !== 'SQL_COMMENT' && t.name !== 'C_COMMENT');
  let i = tokens.findIndex((t) => t.start >= target);
  if (i < 0) return undefined;
  while (tokens[i + 1]?.text === '.' && tokens[i + 2]) i += 2;
  if (tokens[i + 1]?.text === '(') {
    const close = tokens.findIndex((t, k) => k > i && t.text === ')');
    if (close > i) i = close;
  }
  return { start, end: tokens[i]!.end };
}
