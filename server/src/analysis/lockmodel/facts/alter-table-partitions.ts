/**
 * ALTER TABLE … ATTACH / DETACH PARTITION and ALTER INDEX … ATTACH PARTITION.
 *
 * ATTACH PARTITION reads the new partition to prove its rows fit the bound, unless a valid CHECK constraint on it
 * already implies the bound (partition constraint "implied by existing constraints"), and reads the DEFAULT partition
 * to prove none of its rows belong to the new one. The implication test here is deliberately narrow (the single-
 * column range and list bounds migrations write, constants compared as written): when it cannot prove the bound, the
 * model predicts the scan, as PostgreSQL does when its own prover fails.
 */
import type { Node } from '@pgsql/types';
import type { FactInput, LockFact } from '../fact';
import { PARTITIONED, command, onIndex, onTable } from './alter-table-shared';
import { sinceMajor } from './versions';

interface PartitionCmd {
  name?: unknown;
  bound?: { strategy?: string; is_default?: boolean; lowerdatums?: Node[]; upperdatums?: Node[]; listdatums?: Node[] };
  concurrent?: boolean;
}

function partitionCmd(input: FactInput): PartitionCmd | undefined {
  return (command(input).def as { PartitionCmd?: PartitionCmd } | undefined)?.PartitionCmd;
}

const isConcurrent = (input: FactInput): boolean => partitionCmd(input)?.concurrent === true;

/** A constant as written ('2026-01-01', '2026-01-01'::date, 42), for comparing bounds with CHECK constraints. */
function constantText(node: unknown): string | undefined {
  const cast = (node as { TypeCast?: { arg?: unknown } }).TypeCast;
  if (cast) return constantText(cast.arg);
  const c = (node as { A_Const?: Record<string, { ival?: number; fval?: string; sval?: string; boolval?: boolean } | boolean> }).A_Const;
  if (!c) return undefined;
  if (c.isnull === true) return 'NULL';
  const v = (c.ival ?? c.fval ?? c.sval ?? c.boolval) as { ival?: number; fval?: string; sval?: string; boolval?: boolean } | undefined;
  const value = v?.ival ?? v?.fval ?? v?.sval ?? v?.boolval ?? (c.ival !== undefined ? 0 : undefined);
  return value === undefined ? undefined : String(value);
}

function columnName(node: unknown): string | undefined {
  const fields = (node as { ColumnRef?: { fields?: Array<{ String?: { sval?: string } }> } }).ColumnRef?.fields;
  return fields && fields.length === 1 ? fields[0]?.String?.sval : undefined;
}

/** The comparisons `column op constant` in a CHECK expression's AND-ed conjuncts, normalised to column-left form. */
function comparisons(expression: unknown, out: Array<{ column: string; op: string; values: string[] }> = []) {
  const bool = (expression as { BoolExpr?: { boolop?: string; args?: Node[] } }).BoolExpr;
  if (bool?.boolop === 'AND_EXPR') {
    for (const arg of bool.args ?? []) comparisons(arg, out);
    return out;
  }
  const expr = (expression as { A_Expr?: { kind?: string; name?: Array<{ String?: { sval?: string } }>; lexpr?: unknown; rexpr?: unknown } }).A_Expr;
  if (!expr) return out;
  const op = expr.name?.[0]?.String?.sval ?? '';
  if (expr.kind === 'AEXPR_IN') {
    const column = columnName(expr.lexpr);
    const values = ((expr.rexpr as unknown[]) ?? []).map(constantText);
    if (column && values.every((v): v is string => v !== undefined)) out.push({ column, op: 'in', values });
    return out;
  }
  if (expr.kind !== 'AEXPR_OP') return out;
  const mirror: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
  const left = columnName(expr.lexpr);
  const right = columnName(expr.rexpr);
  if (left && constantText(expr.rexpr) !== undefined) out.push({ column: left, op, values: [constantText(expr.rexpr)!] });
  else if (right && constantText(expr.lexpr) !== undefined && mirror[op]) out.push({ column: right, op: mirror[op]!, values: [constantText(expr.lexpr)!] });
  return out;
}

/** True when a valid CHECK on the partition proves it satisfies the bound being attached. */
function boundImpliedByChecks(input: FactInput): boolean {
  const cmd = partitionCmd(input);
  const bound = cmd?.bound;
  if (!input.table || !cmd?.name || !bound || bound.is_default) return false;
  const key = input.schema.partitionKeyOf(input.table);
  const column = key?.columns.length === 1 ? key.columns[0] : undefined;
  if (!column) return false;
  const partition = input.schema.resolve(cmd.name as never);
  const known = input.schema
    .constraintsOf(partition)
    .filter((c) => c.kind === 'check' && c.valid)
    .flatMap((c) => comparisons(c.expression))
    .filter((c) => c.column === column);
  const has = (op: string, value: string) => known.some((c) => c.op === op && c.values.length === 1 && c.values[0] === value);
  if (bound.strategy === 'r') {
    const lower = (bound.lowerdatums ?? []).map(constantText);
    const upper = (bound.upperdatums ?? []).map(constantText);
    if (lower.length !== 1 || upper.length !== 1) return false;
    // MINVALUE / MAXVALUE are column references in the tree: no constant, and no check needed on that side.
    const lowerOk = lower[0] === undefined ? isUnbounded(bound.lowerdatums?.[0]) : has('>=', lower[0]);
    const upperOk = upper[0] === undefined ? isUnbounded(bound.upperdatums?.[0]) : has('<', upper[0]);
    return lowerOk && upperOk && (lower[0] !== undefined || upper[0] !== undefined);
  }
  if (bound.strategy === 'l') {
    const values = (bound.listdatums ?? []).map(constantText);
    if (values.some((v) => v === undefined || v === 'NULL')) return false;
    // Every value the CHECK allows must be in the bound's list.
    return known.some((c) => (c.op === 'in' || c.op === '=') && c.values.every((v) => values.includes(v)));
  }
  return false;
}

function isUnbounded(node: unknown): boolean {
  const name = columnName(node);
  return name === 'minvalue' || name === 'maxvalue';
}

/** ATTACH creates the partition's missing counterparts of the parent's indexes, and building one reads it anyway. */
function createsIndexes(input: FactInput): boolean {
  return input.schema.relationsCreatedBy({ AlterTableStmt: input.statement } as Node).length > 0;
}

const NEW_PARTITION =
  'CREATE TABLE m_2026 (id bigint NOT NULL, day date NOT NULL, a int, b text); CREATE INDEX m_2026_a_idx ON m_2026 (a); ' +
  "INSERT INTO m_2026 VALUES (1, '2026-03-01', 1, 'x');";
const NEW_PARTITION_WITH_KEY = NEW_PARTITION + ' ALTER TABLE m_2026 ADD PRIMARY KEY (id, day);';
const BOUND_CHECK = "ALTER TABLE m_2026 ADD CONSTRAINT m_2026_bound CHECK (day >= '2026-01-01' AND day < '2027-01-01');";
const WITH_DEFAULT = "CREATE TABLE m_default PARTITION OF m DEFAULT; INSERT INTO m_default VALUES (100, '2030-01-01', 1, 'x');";
const ATTACH_2026 = "ALTER TABLE m ATTACH PARTITION m_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')";

const attachLocks = [
  { role: 'table', mode: 'ShareUpdateExclusiveLock' },
  { role: 'table.indexes', mode: 'ShareUpdateExclusiveLock' },
  { role: 'partition', mode: 'AccessExclusiveLock' },
  { role: 'table.default', mode: 'AccessExclusiveLock' },
  { role: 'table.referenced', mode: 'ShareRowExclusiveLock' },
  { role: 'table.referenced.indexes', mode: 'AccessShareLock' },
  { role: 'created', mode: 'AccessExclusiveLock' },
] as const;

const ATTACH_DOCS = 'sql-altertable.html#SQL-ALTERTABLE-ATTACH-PARTITION';

export const alterTablePartitionFacts: readonly LockFact[] = detachChangedIn14([
  {
    id: 'alter-table.attach-partition.implied',
    summary: 'ALTER TABLE … ATTACH PARTITION … whose valid CHECK constraint already implies the bound',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AttachPartition',
    pg: { min: 12 },
    when: (input) => onTable(input) && boundImpliedByChecks(input) && !createsIndexes(input),
    locks: [...attachLocks],
    scans: ['table.default', 'table.referenced'],
    docs: ATTACH_DOCS,
    why:
      'Since PostgreSQL 12 the parent takes only SHARE UPDATE EXCLUSIVE (queries on it go on); the new partition takes ' +
      'ACCESS EXCLUSIVE. A valid CHECK matching the bound, added (and validated) beforehand, lets PostgreSQL skip ' +
      'reading the partition. A DEFAULT partition is still locked ACCESS EXCLUSIVE and read.',
    examples: [
      { setup: PARTITIONED + ' ' + NEW_PARTITION_WITH_KEY + ' ' + BOUND_CHECK, sql: ATTACH_2026 },
      { setup: PARTITIONED + ' ' + WITH_DEFAULT + ' ' + NEW_PARTITION_WITH_KEY + ' ' + BOUND_CHECK, sql: ATTACH_2026 },
    ],
  },
  {
    id: 'alter-table.attach-partition',
    summary: 'ALTER TABLE … ATTACH PARTITION … FOR VALUES …',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AttachPartition',
    pg: { min: 12 },
    when: onTable,
    locks: [...attachLocks],
    scans: ['partition', 'table.default', 'table.referenced'],
    docs: ATTACH_DOCS,
    why:
      'The parent takes only SHARE UPDATE EXCLUSIVE (PostgreSQL ≥ 12), but the partition is read in full under ACCESS ' +
      'EXCLUSIVE to check its rows against the bound (and to build the parent\u2019s indexes it lacks), and a DEFAULT ' +
      'partition is locked and read too.',
    examples: [
      { setup: PARTITIONED + ' ' + NEW_PARTITION, sql: ATTACH_2026 },
      { setup: PARTITIONED + ' ' + NEW_PARTITION_WITH_KEY, sql: ATTACH_2026 },
      { setup: PARTITIONED + ' ' + WITH_DEFAULT + ' ' + NEW_PARTITION_WITH_KEY, sql: ATTACH_2026 },
      { setup: PARTITIONED + ' ' + NEW_PARTITION + ' ' + BOUND_CHECK, sql: ATTACH_2026 },
      {
        setup:
          'CREATE TABLE r (id int PRIMARY KEY); INSERT INTO r SELECT g FROM generate_series(1, 10) g; ' +
          'CREATE TABLE m (id bigint NOT NULL, day date NOT NULL, a int REFERENCES r) PARTITION BY RANGE (day); ' +
          "CREATE TABLE m_2026 (id bigint NOT NULL, day date NOT NULL, a int); INSERT INTO m_2026 VALUES (1, '2026-03-01', 1);",
        sql: ATTACH_2026,
      },
    ],
  },
  {
    id: 'alter-table.attach-partition.pre-12',
    summary: 'ALTER TABLE … ATTACH PARTITION before PostgreSQL 12',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AttachPartition',
    pg: { max: 11 },
    when: onTable,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
      { role: 'partition', mode: 'AccessExclusiveLock' },
      { role: 'table.default', mode: 'AccessExclusiveLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
    ],
    scans: ['partition', 'table.default'],
    docs: ATTACH_DOCS,
    why: 'Before PostgreSQL 12 ATTACH PARTITION took ACCESS EXCLUSIVE on the parent. Known difference; only PostgreSQL 17 is proven here.',
    examples: [{ setup: PARTITIONED + ' ' + NEW_PARTITION_WITH_KEY, sql: ATTACH_2026, pg: { max: 11 } }],
  },
  {
    id: 'alter-table.detach-partition.concurrently',
    summary: 'ALTER TABLE … DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DetachPartition',
    pg: { min: 14 },
    when: (input) => onTable(input) && isConcurrent(input),
    locks: [
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'partition', mode: 'AccessExclusiveLock' },
      { role: 'partition.indexes', mode: 'AccessExclusiveLock' },
    ],
    transaction: 'forbidden',
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION',
    why:
      'Two transactions: SHARE UPDATE EXCLUSIVE on the parent and the partition, a wait for every transaction that ' +
      'uses the parent, then ACCESS EXCLUSIVE on the partition to finish. Not in a transaction block, and refused when ' +
      'the table has a DEFAULT partition.',
    examples: [{ setup: PARTITIONED, sql: 'ALTER TABLE m DETACH PARTITION m_2025 CONCURRENTLY' }],
  },
  {
    id: 'alter-table.detach-partition.finalize',
    summary: 'ALTER TABLE … DETACH PARTITION … FINALIZE (PostgreSQL 14+)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DetachPartitionFinalize',
    pg: { min: 14 },
    when: onTable,
    locks: [
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'partition', mode: 'AccessExclusiveLock' },
      { role: 'partition.indexes', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION',
    why:
      'Completes a DETACH … CONCURRENTLY that was cancelled or interrupted after its first transaction: the same ' +
      'locks as its second step (SHARE UPDATE EXCLUSIVE on the parent, ACCESS EXCLUSIVE on the partition and its ' +
      'indexes), but unlike CONCURRENTLY it may run inside a transaction block.',
    examples: [
      {
        // What an interrupted DETACH … CONCURRENTLY leaves behind: its first transaction committed the partition as
        // "detach pending" (pg_inherits.inhdetachpending). A setup cannot run CONCURRENTLY (it is one implicit
        // transaction), so it sets that flag as the first transaction would; FINALIZE refuses without it.
        setup: PARTITIONED + " UPDATE pg_inherits SET inhdetachpending = true WHERE inhrelid = 'm_2025'::regclass;",
        sql: 'ALTER TABLE m DETACH PARTITION m_2025 FINALIZE',
      },
    ],
  },
  {
    id: 'alter-table.detach-partition',
    summary: 'ALTER TABLE … DETACH PARTITION',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DetachPartition',
    when: (input) => onTable(input) && !isConcurrent(input),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'partition', mode: 'AccessExclusiveLock' },
      { role: 'partition.indexes', mode: 'AccessExclusiveLock' },
      { role: 'table.default', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION',
    why: 'Unlike ATTACH, a plain DETACH takes ACCESS EXCLUSIVE on the parent (and on a DEFAULT partition): use CONCURRENTLY.',
    examples: [
      { setup: PARTITIONED, sql: 'ALTER TABLE m DETACH PARTITION m_2025' },
      { setup: PARTITIONED + ' ' + WITH_DEFAULT, sql: 'ALTER TABLE m DETACH PARTITION m_2025' },
    ],
  },
  {
    id: 'alter-index.attach-partition',
    summary: 'ALTER INDEX parent_index ATTACH PARTITION partition_index',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AttachPartition',
    when: onIndex,
    locks: [
      { role: 'index', mode: 'ShareUpdateExclusiveLock' },
      { role: 'partition', mode: 'AccessExclusiveLock' },
      { role: 'index.table', mode: 'AccessShareLock' },
    ],
    docs: 'sql-alterindex.html',
    why:
      'The step that makes an index built with CREATE INDEX … ON ONLY plus CREATE INDEX CONCURRENTLY per partition ' +
      'valid: catalog only, ACCESS SHARE on both tables.',
    examples: [
      {
        setup:
          'CREATE TABLE m (id bigint NOT NULL, day date NOT NULL, a int) PARTITION BY RANGE (day); ' +
          "CREATE TABLE m_2026 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); " +
          'CREATE INDEX m_a_idx ON ONLY m (a); CREATE INDEX m_2026_a_idx ON m_2026 (a);',
        sql: 'ALTER INDEX m_a_idx ATTACH PARTITION m_2026_a_idx',
      },
    ],
  },
]);

/**
 * A plain DETACH PARTITION took only SHARE UPDATE EXCLUSIVE on the partition up to PostgreSQL 13 (proven on 13);
 * 14 reworked DETACH (adding CONCURRENTLY) and takes ACCESS EXCLUSIVE on it. The parent is ACCESS EXCLUSIVE on both.
 */
function detachChangedIn14(facts: LockFact[]): LockFact[] {
  return facts.flatMap((fact) => {
    if (fact.id !== 'alter-table.detach-partition') return [fact];
    const before: LockFact = {
      ...fact,
      locks: fact.locks.map((lock) => (lock.role === 'partition' ? { ...lock, mode: 'ShareUpdateExclusiveLock' as const } : lock)),
      why: `${fact.why ?? ''} Up to PostgreSQL 13 the partition itself takes only SHARE UPDATE EXCLUSIVE.`,
    };
    return sinceMajor(14, before, {
      locks: fact.locks,
      why: 'the partition is locked ACCESS EXCLUSIVE (13 and older: SHARE UPDATE EXCLUSIVE).',
    });
  });
}
