/**
 * ALTER TABLE / ALTER INDEX subcommands that act on the relation as a whole: storage parameters, persistence,
 * tablespace, access method, clustering, triggers, rules, row security, replica identity, owner, inheritance.
 * Columns: alter-table-columns.ts and alter-table-type.ts; constraints: alter-table-constraints.ts; partitions:
 * alter-table-partitions.ts; RENAME and SET SCHEMA: rename.ts.
 */
import type { FactInput, LockFact } from '../fact';
import { sinceMajor } from './versions';
import type { LockMode } from '../lock-modes';
import { INHERITED, PARTITIONED, TABLE, command, onIndex, onTable, optionNames } from './alter-table-shared';

/**
 * Storage parameters PostgreSQL changes under SHARE UPDATE EXCLUSIVE (reloptions.c, each option's lockmode); any
 * other (user_catalog_table, or one we do not know) takes ACCESS EXCLUSIVE. toast.* variants count as their base name.
 */
const SHARE_UPDATE_TABLE_OPTIONS = new Set([
  'fillfactor',
  'toast_tuple_target',
  'parallel_workers',
  'vacuum_index_cleanup',
  'vacuum_truncate',
  'log_autovacuum_min_duration',
  'autovacuum_enabled',
  'autovacuum_vacuum_threshold',
  'autovacuum_vacuum_insert_threshold',
  'autovacuum_vacuum_scale_factor',
  'autovacuum_vacuum_insert_scale_factor',
  'autovacuum_analyze_threshold',
  'autovacuum_analyze_scale_factor',
  'autovacuum_vacuum_cost_delay',
  'autovacuum_vacuum_cost_limit',
  'autovacuum_freeze_min_age',
  'autovacuum_freeze_max_age',
  'autovacuum_freeze_table_age',
  'autovacuum_multixact_freeze_min_age',
  'autovacuum_multixact_freeze_max_age',
  'autovacuum_multixact_freeze_table_age',
]);

/** Index storage parameters changed under SHARE UPDATE EXCLUSIVE; GIN/BRIN/GiST-specific ones take ACCESS EXCLUSIVE. */
const SHARE_UPDATE_INDEX_OPTIONS = new Set(['fillfactor', 'deduplicate_items']);

function options(input: FactInput): string[] {
  return optionNames((command(input).def as { List?: { items?: unknown[] } } | undefined)?.List?.items);
}

const allOptionsIn = (known: Set<string>) => (input: FactInput) => options(input).every((name) => known.has(name.replace(/^toast\./, '')));

const tableLock = (mode: LockMode) => [{ role: 'table', mode }] as const;

/** ALTER INDEX on the index of a partitioned table (relkind I, no storage of its own). */
function isPartitionedIndex(input: FactInput): boolean {
  const rv = (input.statement as { relation?: unknown } | undefined)?.relation;
  return rv !== undefined && input.schema.relationKind(input.schema.resolve(rv as never)) === 'partitioned index';
}

/**
 * The tablespace the SET TABLESPACE examples move relations to. An example's setup cannot create it (CREATE
 * TABLESPACE refuses to run in the implicit transaction a multi-statement setup runs in), so the proof harness
 * creates it, once per server, "in place" under the data directory (test/lockmodel/tablespace.ts).
 */
export const PROOF_TABLESPACE = 'lockstep_space';

/** One fact per trigger subcommand (ENABLE / DISABLE, ALWAYS / REPLICA, ALL / USER): they lock alike. */
const TRIGGER_SUBCOMMANDS: ReadonlyArray<[subcommand: string, id: string, sql: string]> = [
  ['AT_EnableTrig', 'enable-trigger', 'ALTER TABLE t ENABLE TRIGGER t_touch'],
  ['AT_EnableAlwaysTrig', 'enable-always-trigger', 'ALTER TABLE t ENABLE ALWAYS TRIGGER t_touch'],
  ['AT_EnableReplicaTrig', 'enable-replica-trigger', 'ALTER TABLE t ENABLE REPLICA TRIGGER t_touch'],
  ['AT_DisableTrig', 'disable-trigger', 'ALTER TABLE t DISABLE TRIGGER t_touch'],
  ['AT_EnableTrigAll', 'enable-trigger-all', 'ALTER TABLE t ENABLE TRIGGER ALL'],
  ['AT_DisableTrigAll', 'disable-trigger-all', 'ALTER TABLE t DISABLE TRIGGER ALL'],
  ['AT_EnableTrigUser', 'enable-trigger-user', 'ALTER TABLE t ENABLE TRIGGER USER'],
  ['AT_DisableTrigUser', 'disable-trigger-user', 'ALTER TABLE t DISABLE TRIGGER USER'],
];

const TRIGGER_FUNCTION = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;";
const WITH_TRIGGER = TABLE + ' ' + TRIGGER_FUNCTION + ' CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();';
const PARTITIONED_WITH_TRIGGER = PARTITIONED + ' ' + TRIGGER_FUNCTION + ' CREATE TRIGGER m_touch BEFORE UPDATE ON m FOR EACH ROW EXECUTE FUNCTION touch();';

const triggerFacts: LockFact[] = TRIGGER_SUBCOMMANDS.map(([subcommand, id, sql], n) => ({
  id: `alter-table.${id}`,
  summary: `ALTER TABLE … ${sql.slice('ALTER TABLE t '.length).replace('t_touch', 'name')}`,
  statement: 'AlterTableStmt',
  subcommand,
  when: onTable,
  locks: [
    { role: 'table', mode: 'ShareRowExclusiveLock' },
    { role: 'table.partitions', mode: 'ShareRowExclusiveLock' },
  ],
  docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-DISABLE-ENABLE-TRIGGER',
  why:
    'SHARE ROW EXCLUSIVE: reads go on, writes wait. On a partitioned table the partitions\u2019 clones of its triggers ' +
    'are switched too (a partitioned table without triggers locks only itself).',
  examples: [
    { setup: WITH_TRIGGER, sql },
    // BEFORE … FOR EACH ROW triggers on a partitioned table exist from PostgreSQL 13 (12 refuses the fixture).
    ...(n === 3 ? [{ setup: PARTITIONED_WITH_TRIGGER, sql: 'ALTER TABLE m DISABLE TRIGGER m_touch', pg: { min: 13 } }] : []),
    ...(n === 5 ? [{ setup: PARTITIONED_WITH_TRIGGER, sql: 'ALTER TABLE m DISABLE TRIGGER ALL', pg: { min: 13 } }] : []),
  ],
}));

const RULE = TABLE + ' CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t;';
const RULE_SUBCOMMANDS: ReadonlyArray<[subcommand: string, id: string, sql: string]> = [
  ['AT_EnableRule', 'enable-rule', 'ALTER TABLE t ENABLE RULE t_notify'],
  ['AT_EnableAlwaysRule', 'enable-always-rule', 'ALTER TABLE t ENABLE ALWAYS RULE t_notify'],
  ['AT_EnableReplicaRule', 'enable-replica-rule', 'ALTER TABLE t ENABLE REPLICA RULE t_notify'],
  ['AT_DisableRule', 'disable-rule', 'ALTER TABLE t DISABLE RULE t_notify'],
];
const ruleFacts: LockFact[] = RULE_SUBCOMMANDS.map(([subcommand, id, sql]) => ({
  id: `alter-table.${id}`,
  summary: `ALTER TABLE … ${sql.slice('ALTER TABLE t '.length).replace('t_notify', 'name')}`,
  statement: 'AlterTableStmt',
  subcommand,
  when: onTable,
  locks: tableLock('AccessExclusiveLock'),
  docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-DISABLE-ENABLE-RULE',
  why: 'Unlike triggers, switching a rule takes ACCESS EXCLUSIVE (it changes how queries on the table are rewritten).',
  examples: [{ setup: RULE, sql }],
}));

const ROW_SECURITY: ReadonlyArray<[subcommand: string, id: string, sql: string]> = [
  ['AT_EnableRowSecurity', 'enable-row-security', 'ALTER TABLE t ENABLE ROW LEVEL SECURITY'],
  ['AT_DisableRowSecurity', 'disable-row-security', 'ALTER TABLE t DISABLE ROW LEVEL SECURITY'],
  ['AT_ForceRowSecurity', 'force-row-security', 'ALTER TABLE t FORCE ROW LEVEL SECURITY'],
  ['AT_NoForceRowSecurity', 'no-force-row-security', 'ALTER TABLE t NO FORCE ROW LEVEL SECURITY'],
];
const rowSecurityFacts: LockFact[] = ROW_SECURITY.map(([subcommand, id, sql], n) => ({
  id: `alter-table.${id}`,
  summary: `ALTER TABLE … ${sql.slice('ALTER TABLE t '.length)}`,
  statement: 'AlterTableStmt',
  subcommand,
  when: onTable,
  locks: tableLock('AccessExclusiveLock'),
  docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-ENABLE-ROW-LEVEL-SECURITY',
  why: 'ACCESS EXCLUSIVE, briefly: plans that did not apply policies must not survive. Partitions are not changed.',
  examples: [{ setup: TABLE, sql }, ...(n === 0 ? [{ setup: PARTITIONED, sql: 'ALTER TABLE m ENABLE ROW LEVEL SECURITY' }] : [])],
}));

export const alterTableFacts: readonly LockFact[] = sequencesFollowSince15([
  // ---- storage parameters ----
  {
    id: 'alter-table.set-storage-parameters',
    summary: 'ALTER TABLE … SET (fillfactor | autovacuum_* | toast.* | parallel_workers | …)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetRelOptions',
    when: (input) => onTable(input) && allOptionsIn(SHARE_UPDATE_TABLE_OPTIONS)(input),
    locks: tableLock('ShareUpdateExclusiveLock'),
    inheritorsUntouched: true,
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-STORAGE-PARAMETER',
    why: 'These parameters only steer VACUUM, the planner or future pages: SHARE UPDATE EXCLUSIVE, reads and writes go on.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t SET (fillfactor = 70)' },
      { setup: TABLE, sql: 'ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_enabled = false)' },
      { setup: TABLE, sql: 'ALTER TABLE t SET (toast.autovacuum_enabled = false, parallel_workers = 4, vacuum_index_cleanup = off)' },
      { setup: TABLE, sql: 'ALTER TABLE t SET (toast_tuple_target = 256, vacuum_truncate = false, log_autovacuum_min_duration = 0)' },
      // Storage parameters are per table: inheritance children keep theirs.
      { setup: INHERITED, sql: 'ALTER TABLE p SET (fillfactor = 70)' },
    ],
  },
  {
    id: 'alter-table.set-storage-parameters.exclusive',
    summary: 'ALTER TABLE … SET (user_catalog_table …)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetRelOptions',
    when: onTable,
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-STORAGE-PARAMETER',
    why: 'A parameter that changes how the table is read (user_catalog_table) takes ACCESS EXCLUSIVE; one is enough for the whole statement.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t SET (user_catalog_table = true, fillfactor = 80)' }],
  },
  {
    id: 'alter-table.reset-storage-parameters',
    summary: 'ALTER TABLE … RESET (fillfactor | autovacuum_* | …)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ResetRelOptions',
    when: (input) => onTable(input) && allOptionsIn(SHARE_UPDATE_TABLE_OPTIONS)(input),
    locks: tableLock('ShareUpdateExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-RESET-STORAGE-PARAMETER',
    examples: [{ setup: TABLE + ' ALTER TABLE t SET (fillfactor = 70);', sql: 'ALTER TABLE t RESET (fillfactor)' }],
  },
  {
    id: 'alter-table.reset-storage-parameters.exclusive',
    summary: 'ALTER TABLE … RESET (user_catalog_table …)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ResetRelOptions',
    when: onTable,
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-RESET-STORAGE-PARAMETER',
    examples: [{ setup: TABLE + ' ALTER TABLE t SET (user_catalog_table = true);', sql: 'ALTER TABLE t RESET (user_catalog_table)' }],
  },
  {
    id: 'alter-index.set-storage-parameters',
    summary: 'ALTER INDEX … SET / RESET (fillfactor | deduplicate_items)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetRelOptions',
    when: (input) => onIndex(input) && allOptionsIn(SHARE_UPDATE_INDEX_OPTIONS)(input),
    locks: [{ role: 'index', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-alterindex.html',
    why: 'Affects only pages written later (REINDEX applies it to existing ones); the table is not locked.',
    examples: [
      { setup: TABLE, sql: 'ALTER INDEX t_a_idx SET (fillfactor = 80)' },
      // deduplicate_items is a PostgreSQL 13 B-tree option: 12 answers 'unrecognized parameter' (proven on 12).
      { setup: TABLE, sql: 'ALTER INDEX t_a_idx SET (deduplicate_items = off)', pg: { min: 13 } },
    ],
  },
  {
    id: 'alter-index.set-storage-parameters.exclusive',
    summary: 'ALTER INDEX … SET (fastupdate | gin_pending_list_limit | pages_per_range | autosummarize | buffering …)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetRelOptions',
    when: onIndex,
    locks: [{ role: 'index', mode: 'AccessExclusiveLock' }],
    docs: 'sql-alterindex.html',
    why: 'GIN, BRIN and GiST parameters take ACCESS EXCLUSIVE on the index, which blocks every query that plans with the table.',
    examples: [
      { setup: 'CREATE TABLE t (id int, j jsonb); CREATE INDEX t_j_idx ON t USING gin (j);', sql: 'ALTER INDEX t_j_idx SET (fastupdate = off)' },
      { setup: 'CREATE TABLE t (id int, a int); CREATE INDEX t_a_brin ON t USING brin (a);', sql: 'ALTER INDEX t_a_brin SET (pages_per_range = 64)' },
    ],
  },
  {
    id: 'alter-index.reset-storage-parameters',
    summary: 'ALTER INDEX … RESET (fillfactor | deduplicate_items)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ResetRelOptions',
    when: (input) => onIndex(input) && allOptionsIn(SHARE_UPDATE_INDEX_OPTIONS)(input),
    locks: [{ role: 'index', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-alterindex.html',
    examples: [{ setup: TABLE, sql: 'ALTER INDEX t_a_idx RESET (fillfactor)' }],
  },

  // ---- persistence, tablespace, access method ----
  {
    id: 'alter-table.set-unlogged.no-op',
    summary: 'ALTER TABLE … SET UNLOGGED on a table that is already unlogged',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetUnLogged',
    when: (input) => onTable(input) && input.table !== undefined && input.schema.persistence(input.table) === 'unlogged',
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-LOGGED-UNLOGGED',
    examples: [{ setup: 'CREATE UNLOGGED TABLE t (id int PRIMARY KEY, a int);', sql: 'ALTER TABLE t SET UNLOGGED' }],
  },
  {
    id: 'alter-table.set-unlogged',
    summary: 'ALTER TABLE … SET UNLOGGED',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetUnLogged',
    when: (input) => onTable(input) && input.table !== undefined && input.schema.persistence(input.table) === 'permanent',
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
      { role: 'table.sequences', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table', 'table.indexes', 'table.sequences'],
    scans: ['table'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-LOGGED-UNLOGGED',
    why: 'Changing persistence copies the table and rebuilds its indexes (a full rewrite under ACCESS EXCLUSIVE); the sequences it owns follow (PostgreSQL ≥ 15).',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t SET UNLOGGED' },
      { setup: 'CREATE TABLE t (id serial PRIMARY KEY, a int); INSERT INTO t (a) VALUES (1);', sql: 'ALTER TABLE t SET UNLOGGED' },
    ],
  },
  {
    id: 'alter-table.set-logged.no-op',
    summary: 'ALTER TABLE … SET LOGGED on a table that is already logged',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetLogged',
    when: (input) => onTable(input) && input.table !== undefined && input.schema.persistence(input.table) === 'permanent',
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-LOGGED-UNLOGGED',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t SET LOGGED' }],
  },
  {
    id: 'alter-table.set-logged',
    summary: 'ALTER TABLE … SET LOGGED on an unlogged table',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetLogged',
    when: (input) => onTable(input) && input.table !== undefined && input.schema.persistence(input.table) === 'unlogged',
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
      { role: 'table.sequences', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table', 'table.indexes', 'table.sequences'],
    scans: ['table'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-LOGGED-UNLOGGED',
    why: 'The whole table is copied into the WAL-logged storage and its indexes rebuilt, under ACCESS EXCLUSIVE.',
    examples: [{ setup: 'CREATE UNLOGGED TABLE t (id int PRIMARY KEY, a int); CREATE INDEX t_a_idx ON t (a); INSERT INTO t VALUES (1, 1);', sql: 'ALTER TABLE t SET LOGGED' }],
  },
  {
    id: 'alter-table.set-logged.unknown-persistence',
    summary: 'ALTER TABLE … SET LOGGED on a table the catalog does not know',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetLogged',
    when: (input) => onTable(input) && (input.table === undefined || input.schema.persistence(input.table) === undefined),
    locks: tableLock('AccessExclusiveLock'),
    unknown: 'SET LOGGED: the table is not in the catalog; if it is unlogged, it is rewritten with its indexes',
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-LOGGED-UNLOGGED',
    examples: [{ setup: "DO $$ BEGIN EXECUTE 'CREATE TABLE t (id int PRIMARY KEY)'; END $$;", sql: 'ALTER TABLE t SET LOGGED' }],
  },
  {
    id: 'alter-table.set-unlogged.unknown-persistence',
    summary: 'ALTER TABLE … SET UNLOGGED on a table the catalog does not know',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetUnLogged',
    when: (input) => onTable(input) && (input.table === undefined || input.schema.persistence(input.table) === undefined),
    locks: tableLock('AccessExclusiveLock'),
    unknown: 'SET UNLOGGED: the table is not in the catalog; if it is logged, it is rewritten with its indexes',
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-LOGGED-UNLOGGED',
    examples: [{ setup: "DO $$ BEGIN EXECUTE 'CREATE UNLOGGED TABLE t (id int PRIMARY KEY)'; END $$;", sql: 'ALTER TABLE t SET UNLOGGED' }],
  },
  {
    id: 'alter-table.set-tablespace.default',
    summary: 'ALTER TABLE … SET TABLESPACE pg_default (the table is already there)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetTableSpace',
    when: (input) => onTable(input) && command(input).name === 'pg_default',
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-TABLESPACE',
    why:
      'Assumes the table lives in the default tablespace (the catalog does not track CREATE TABLE … TABLESPACE), ' +
      'where this is a no-op. A table created in another tablespace is copied back, as the next fact describes.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t SET TABLESPACE pg_default' }],
  },
  {
    id: 'alter-table.set-tablespace.partitioned',
    summary: 'ALTER TABLE partitioned_table SET TABLESPACE …',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetTableSpace',
    when: (input) => onTable(input) && input.table !== undefined && input.schema.relationKind(input.table) === 'partitioned table',
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-TABLESPACE',
    why:
      'A partitioned table has no storage: only the default tablespace of partitions created later changes. The ' +
      'existing partitions stay where they are and are not locked.',
    examples: [{ setup: PARTITIONED, sql: `ALTER TABLE m SET TABLESPACE ${PROOF_TABLESPACE}` }],
  },
  {
    id: 'alter-table.set-tablespace',
    summary: 'ALTER TABLE … SET TABLESPACE another_tablespace',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetTableSpace',
    when: (input) => onTable(input) && command(input).name !== 'pg_default',
    locks: tableLock('AccessExclusiveLock'),
    rewrites: ['table'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-TABLESPACE',
    why:
      'Every file of the table is copied block by block into the new tablespace (a new relfilenode, no row-level ' +
      'scan) while ACCESS EXCLUSIVE blocks reads and writes. Its indexes are NOT moved or locked: each needs its own ' +
      'ALTER INDEX … SET TABLESPACE. Assumes the table is not in that tablespace already (then nothing is copied); ' +
      'the catalog does not track tablespaces.',
    examples: [
      { setup: TABLE, sql: `ALTER TABLE t SET TABLESPACE ${PROOF_TABLESPACE}` },
      { setup: 'CREATE UNLOGGED TABLE t (id int PRIMARY KEY, a int); INSERT INTO t VALUES (1, 1);', sql: `ALTER TABLE t SET TABLESPACE ${PROOF_TABLESPACE}` },
    ],
  },
  {
    id: 'alter-index.set-tablespace.default',
    summary: 'ALTER INDEX … SET TABLESPACE pg_default (the index is already there)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetTableSpace',
    when: (input) => onIndex(input) && command(input).name === 'pg_default',
    locks: [{ role: 'index', mode: 'AccessExclusiveLock' }],
    docs: 'sql-alterindex.html',
    why: 'As for tables: a no-op in place (assumed: the catalog does not track tablespaces), a copy when the index really moves.',
    examples: [{ setup: TABLE, sql: 'ALTER INDEX t_a_idx SET TABLESPACE pg_default' }],
  },
  {
    id: 'alter-index.set-tablespace.partitioned',
    summary: 'ALTER INDEX partitioned_index SET TABLESPACE …',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetTableSpace',
    when: (input) => onIndex(input) && isPartitionedIndex(input),
    locks: [{ role: 'index', mode: 'AccessExclusiveLock' }],
    docs: 'sql-alterindex.html',
    why: 'A partitioned index has no storage: nothing is copied, and the partitions\u2019 indexes stay where they are.',
    examples: [{ setup: PARTITIONED, sql: `ALTER INDEX m_a_idx SET TABLESPACE ${PROOF_TABLESPACE}` }],
  },
  {
    id: 'alter-index.set-tablespace',
    summary: 'ALTER INDEX … SET TABLESPACE another_tablespace',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetTableSpace',
    when: (input) => onIndex(input) && command(input).name !== 'pg_default',
    locks: [{ role: 'index', mode: 'AccessExclusiveLock' }],
    rewrites: ['index'],
    docs: 'sql-alterindex.html',
    why:
      'The index files are copied into the new tablespace under ACCESS EXCLUSIVE on the index — its table is not ' +
      'locked, but every query planning on the table opens its indexes and waits. Assumes the index is not there already.',
    examples: [
      { setup: TABLE, sql: `ALTER INDEX t_a_idx SET TABLESPACE ${PROOF_TABLESPACE}` },
      { setup: TABLE, sql: `ALTER INDEX t_pkey SET TABLESPACE ${PROOF_TABLESPACE}` },
    ],
  },
  {
    id: 'alter-table.set-access-method.heap',
    summary: 'ALTER TABLE … SET ACCESS METHOD heap | DEFAULT (PostgreSQL 15+; DEFAULT 17+)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetAccessMethod',
    pg: { min: 15 },
    when: (input) => onTable(input) && (command(input).name === undefined || command(input).name === 'heap'),
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-ACCESS-METHOD',
    why:
      'heap is the only table access method PostgreSQL ships, so for a heap table this is a no-op; converting to another ' +
      'access method rewrites the table (left unknown: not provable without an extension). On a partitioned table it ' +
      'only sets the method for future partitions.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t SET ACCESS METHOD heap' },
      { setup: TABLE, sql: 'ALTER TABLE t SET ACCESS METHOD DEFAULT', pg: { min: 17 } },
      { setup: PARTITIONED, sql: 'ALTER TABLE m SET ACCESS METHOD heap', pg: { min: 17 } },
    ],
  },

  // ---- clustering ----
  {
    id: 'alter-table.cluster-on',
    summary: 'ALTER TABLE … CLUSTER ON index',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ClusterOn',
    when: onTable,
    locks: [
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'index', mode: 'ShareUpdateExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-CLUSTER-ON',
    why: 'Only marks the index for a later CLUSTER; nothing is reordered now.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t CLUSTER ON t_a_idx' }],
  },
  {
    id: 'alter-table.set-without-cluster',
    summary: 'ALTER TABLE … SET WITHOUT CLUSTER',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropCluster',
    when: onTable,
    locks: tableLock('ShareUpdateExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-WITHOUT-CLUSTER',
    examples: [{ setup: TABLE + ' ALTER TABLE t CLUSTER ON t_a_idx;', sql: 'ALTER TABLE t SET WITHOUT CLUSTER' }],
  },

  // ---- triggers, rules, row security ----
  ...triggerFacts,
  ...ruleFacts,
  ...rowSecurityFacts,

  // ---- replica identity, owner, inheritance, typed tables ----
  {
    id: 'alter-table.replica-identity',
    summary: 'ALTER TABLE … REPLICA IDENTITY { DEFAULT | FULL | NOTHING | USING INDEX index }',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ReplicaIdentity',
    when: onTable,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'index', mode: 'ShareLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-REPLICA-IDENTITY',
    why: 'ACCESS EXCLUSIVE on the table, although only the catalog changes. Not recursive to partitions.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t REPLICA IDENTITY FULL' },
      { setup: TABLE, sql: 'ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m REPLICA IDENTITY USING INDEX m_pkey' },
    ],
  },
  {
    id: 'alter-table.owner-to',
    summary: 'ALTER TABLE … OWNER TO role',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ChangeOwner',
    when: onTable,
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-OWNER',
    why: 'ACCESS EXCLUSIVE on the table only (its indexes and owned sequences follow without a relation lock; partitions keep their owner).',
    examples: [
      { setup: 'CREATE TABLE t (id serial PRIMARY KEY, a int); CREATE INDEX t_a_idx ON t (a);', sql: 'ALTER TABLE t OWNER TO CURRENT_USER' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m OWNER TO postgres' },
    ],
  },
  {
    id: 'alter-table.inherit',
    summary: 'ALTER TABLE child INHERIT parent',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddInherit',
    when: onTable,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.parent', mode: 'ShareUpdateExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-INHERIT',
    why: 'The child must already have the parent\u2019s columns and constraints, so no row is read.',
    examples: [{ setup: 'CREATE TABLE p (id int, a int NOT NULL); CREATE TABLE c (id int, a int NOT NULL, b text);', sql: 'ALTER TABLE c INHERIT p' }],
  },
  {
    id: 'alter-table.no-inherit',
    summary: 'ALTER TABLE child NO INHERIT parent',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropInherit',
    when: onTable,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.parent', mode: 'AccessShareLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-NO-INHERIT',
    examples: [{ setup: 'CREATE TABLE p (id int, a int); CREATE TABLE c (b text) INHERITS (p);', sql: 'ALTER TABLE c NO INHERIT p' }],
  },
  {
    id: 'alter-table.not-of',
    summary: 'ALTER TABLE … NOT OF',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropOf',
    when: onTable,
    locks: tableLock('AccessExclusiveLock'),
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-NOT-OF',
    examples: [{ setup: 'CREATE TYPE pair AS (id bigint, a int); CREATE TABLE t OF pair;', sql: 'ALTER TABLE t NOT OF' }],
  },
]);

/**
 * SET LOGGED / UNLOGGED changes the persistence of the sequences the table owns only since PostgreSQL 15 (proven on
 * 14: the serial column's sequence is neither locked nor rewritten); before, the table and its indexes alone.
 */
function sequencesFollowSince15(facts: LockFact[]): LockFact[] {
  return facts.flatMap((fact) => {
    if (fact.id !== 'alter-table.set-unlogged' && fact.id !== 'alter-table.set-logged') return [fact];
    const withoutSequences: LockFact = {
      ...fact,
      locks: fact.locks.filter((lock) => lock.role !== 'table.sequences'),
      rewrites: (fact.rewrites ?? []).filter((role) => role !== 'table.sequences'),
      why: fact.why?.replace(/;? the sequences it owns follow \(PostgreSQL ≥ 15\)/, ''),
    };
    return sinceMajor(15, withoutSequences, {
      locks: fact.locks,
      rewrites: fact.rewrites ?? [],
      why: 'the sequences the table owns (serial, identity) change persistence with it: locked ACCESS EXCLUSIVE and rewritten.',
    });
  });
}
