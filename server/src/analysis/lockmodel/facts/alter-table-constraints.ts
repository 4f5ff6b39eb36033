/**
 * ALTER TABLE … ADD / DROP / VALIDATE / ALTER CONSTRAINT. The constraint a DROP or VALIDATE names is looked up in
 * the catalog (its kind decides what happens); one the catalog does not know leaves the statement unknown.
 */
import type { FactInput, LockFact } from '../fact';
import { sinceMajor } from './versions';
import { INHERITED, PARTITIONED, REFERENCING, TABLE, constraintOf, namedConstraint, onTable } from './alter-table-shared';

const ADD_DOCS = 'sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT';

// The key is validated against p's own rows only (1–10): r holds exactly those, like REFERENCED, so the validation
// join reads r in full on every major (with more rows the planner may probe r's key index instead).
const REFERENCED_FOR_INHERITED = 'CREATE TABLE r (id int PRIMARY KEY); INSERT INTO r SELECT g FROM generate_series(1, 10) g; ';

const addConstraint = (contype: string, extra: (input: FactInput) => boolean = () => true) => (input: FactInput) =>
  onTable(input) && constraintOf(input)?.contype === contype && extra(input);

/** ADD CONSTRAINT … USING INDEX: true when the index gets the constraint's (different) name. */
function renamesIndex(input: FactInput): boolean {
  const constraint = constraintOf(input);
  return constraint?.conname !== undefined && constraint.conname !== constraint.indexname;
}

/** PRIMARY KEY … USING INDEX on a column that may hold NULLs: PostgreSQL sets NOT NULL, reading every row. */
function primaryKeySetsNotNull(input: FactInput): boolean {
  const constraint = constraintOf(input);
  if (constraint?.contype !== 'CONSTR_PRIMARY' || !input.table || !constraint.indexname) return false;
  const schemaName = input.table.slice(0, input.table.lastIndexOf('.'));
  const index = input.schema.indexFacts(`${schemaName}.${constraint.indexname}`);
  return (index?.keys ?? []).some(
    (k) => k.column !== undefined && input.schema.column(input.table!, k.column)?.notNull !== true && !input.schema.hasValidatedNotNullCheck(input.table!, k.column),
  );
}

/** CHECK … NO INHERIT: the constraint stays on the table (not allowed on partitioned tables). */
const noInherit = (input: FactInput): boolean => (constraintOf(input) as { is_no_inherit?: boolean } | undefined)?.is_no_inherit === true;

const usingIndex = (renamed: boolean, setsNotNull: boolean) => (input: FactInput) =>
  onTable(input) &&
  constraintOf(input)?.indexname !== undefined &&
  renamesIndex(input) === renamed &&
  primaryKeySetsNotNull(input) === setsNotNull;

const USING_INDEX_WHY =
  'The index was built beforehand (CREATE UNIQUE INDEX CONCURRENTLY); attaching it only touches the catalog. The ' +
  'lock on the table is still ACCESS EXCLUSIVE; renaming the index to the constraint name takes SHARE UPDATE ' +
  'EXCLUSIVE on it.';

export const alterTableConstraintFacts: readonly LockFact[] = changedIn18([
  // ---- CHECK ----
  {
    id: 'alter-table.add-constraint.check.not-valid',
    summary: 'ALTER TABLE … ADD CONSTRAINT … CHECK (…) NOT VALID',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: addConstraint('CONSTR_CHECK', (input) => constraintOf(input)?.skip_validation === true && !noInherit(input)),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
      { role: 'table.inheritors', mode: 'AccessExclusiveLock' },
    ],
    docs: ADD_DOCS,
    why: 'Existing rows are not checked, so the ACCESS EXCLUSIVE lock is brief; VALIDATE CONSTRAINT checks them later under SHARE UPDATE EXCLUSIVE.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0) NOT VALID' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ADD CONSTRAINT a_positive CHECK (a > 0) NOT VALID' },
      { setup: INHERITED, sql: 'ALTER TABLE p ADD CONSTRAINT a_positive CHECK (a > 0) NOT VALID' },
    ],
  },
  {
    id: 'alter-table.add-constraint.check.no-inherit',
    summary: 'ALTER TABLE … ADD CONSTRAINT … CHECK (…) NO INHERIT',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: addConstraint('CONSTR_CHECK', (input) => noInherit(input) && constraintOf(input)?.skip_validation !== true),
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    scans: ['table.leaves'],
    inheritorsUntouched: true,
    docs: ADD_DOCS,
    why: 'NO INHERIT keeps the constraint on this table alone: inheritance children are neither locked nor read.',
    examples: [
      { setup: INHERITED, sql: 'ALTER TABLE p ADD CONSTRAINT a_positive CHECK (a > 0) NO INHERIT' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0) NO INHERIT' },
    ],
  },
  {
    id: 'alter-table.add-constraint.check',
    summary: 'ALTER TABLE … ADD CONSTRAINT … CHECK (…)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: addConstraint('CONSTR_CHECK'),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
      { role: 'table.inheritors', mode: 'AccessExclusiveLock' },
    ],
    scans: ['table.leaves', 'table.inheritors'],
    docs: ADD_DOCS,
    why: 'Every row is checked while ACCESS EXCLUSIVE is held: reads and writes wait for the whole scan.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0)' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ADD CONSTRAINT a_positive CHECK (a > 0)' },
      // Inherited by every child and grandchild, and checked against their rows too.
      { setup: INHERITED, sql: 'ALTER TABLE p ADD CONSTRAINT a_positive CHECK (a > 0)' },
    ],
  },

  // ---- FOREIGN KEY ----
  {
    id: 'alter-table.add-constraint.foreign-key.not-valid',
    summary: 'ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY … NOT VALID',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: addConstraint('CONSTR_FOREIGN', (input) => constraintOf(input)?.skip_validation === true),
    locks: [
      { role: 'table', mode: 'ShareRowExclusiveLock' },
      { role: 'referenced', mode: 'ShareRowExclusiveLock' },
    ],
    docs: ADD_DOCS,
    why:
      'SHARE ROW EXCLUSIVE on both tables (writes wait, reads go on), only for the catalog change: rows are checked ' +
      'later by VALIDATE CONSTRAINT, which takes weaker locks.',
    examples: [{ setup: REFERENCING, sql: 'ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r_id) REFERENCES r (id) NOT VALID' }],
  },
  {
    id: 'alter-table.add-constraint.foreign-key',
    summary: 'ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY … REFERENCES …',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: addConstraint('CONSTR_FOREIGN'),
    locks: [
      { role: 'table', mode: 'ShareRowExclusiveLock' },
      { role: 'table.partitions', mode: 'ShareRowExclusiveLock' },
      { role: 'table.leaves.indexes', mode: 'AccessShareLock' },
      { role: 'referenced', mode: 'ShareRowExclusiveLock' },
      { role: 'referenced.indexes', mode: 'AccessShareLock' },
    ],
    scans: ['table.leaves', 'referenced'],
    inheritorsUntouched: true,
    docs: ADD_DOCS,
    why:
      'Not ACCESS EXCLUSIVE: SHARE ROW EXCLUSIVE on both tables, so reads go on but writes to either table wait while ' +
      'every row is checked (a join of the two tables; the referenced side is read only for non-NULL keys).',
    examples: [
      { setup: REFERENCING, sql: 'ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r_id) REFERENCES r (id)' },
      { setup: REFERENCING, sql: 'ALTER TABLE t ADD FOREIGN KEY (r_id) REFERENCES r ON DELETE CASCADE' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (a) REFERENCES t (id)' },
      {
        setup: 'CREATE TABLE r (id int PRIMARY KEY); INSERT INTO r SELECT g FROM generate_series(1, 30) g; ' + PARTITIONED,
        sql: 'ALTER TABLE m ADD CONSTRAINT m_r_fk FOREIGN KEY (a) REFERENCES r (id)',
      },
      // Foreign keys are not inherited: the children of an inheritance parent are left alone (locked on 18, see
      // below). On 14 and 15 the validation join probes r through its key instead of reading it (the planner's
      // choice: proven there to differ only in that scan), so the example is bounded to the majors that read r.
      { setup: REFERENCED_FOR_INHERITED + INHERITED, sql: 'ALTER TABLE p ADD CONSTRAINT p_r_fk FOREIGN KEY (a) REFERENCES r (id)', pg: { min: 16 } },
    ],
  },

  // ---- PRIMARY KEY / UNIQUE / EXCLUDE ----
  {
    id: 'alter-table.add-constraint.using-index',
    summary: 'ALTER TABLE … ADD CONSTRAINT name { PRIMARY KEY | UNIQUE } USING INDEX index',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: usingIndex(true, false),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'index', mode: 'ShareUpdateExclusiveLock' },
    ],
    docs: ADD_DOCS,
    why: USING_INDEX_WHY,
    examples: [
      { setup: TABLE + ' CREATE UNIQUE INDEX t_a_uidx ON t (a);', sql: 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_uidx' },
      {
        setup: 'CREATE TABLE t (id int NOT NULL, a int); CREATE UNIQUE INDEX t_id_uidx ON t (id); INSERT INTO t VALUES (1, 1);',
        sql: 'ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_uidx',
      },
      {
        setup: 'CREATE TABLE t (id int CHECK (id IS NOT NULL), a int); CREATE UNIQUE INDEX t_id_uidx ON t (id); INSERT INTO t VALUES (1, 1);',
        sql: 'ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_uidx',
      },
    ],
  },
  {
    id: 'alter-table.add-constraint.using-index.sets-not-null',
    summary: 'ALTER TABLE … ADD CONSTRAINT name PRIMARY KEY USING INDEX index, on a column without NOT NULL',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: usingIndex(true, true),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'index', mode: 'ShareUpdateExclusiveLock' },
    ],
    scans: ['table.leaves'],
    docs: ADD_DOCS,
    why:
      'A primary key makes its columns NOT NULL, and proving that reads every row under ACCESS EXCLUSIVE — the scan ' +
      'the index built CONCURRENTLY was meant to avoid. Add a validated CHECK (col IS NOT NULL) first (PostgreSQL ≥ 12 ' +
      'then skips it).',
    examples: [
      {
        setup: 'CREATE TABLE t (id int, a int); CREATE UNIQUE INDEX t_id_uidx ON t (id); INSERT INTO t VALUES (1, 1);',
        sql: 'ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_uidx',
      },
    ],
  },
  {
    id: 'alter-table.add-constraint.using-index.same-name',
    summary: 'ALTER TABLE … ADD { PRIMARY KEY | UNIQUE } USING INDEX index (the constraint keeps the index name)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: usingIndex(false, false),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'index', mode: 'AccessShareLock' },
    ],
    docs: ADD_DOCS,
    why: USING_INDEX_WHY,
    examples: [
      {
        setup: 'CREATE TABLE t (id int NOT NULL, a int); CREATE UNIQUE INDEX t_id_uidx ON t (id); INSERT INTO t VALUES (1, 1);',
        sql: 'ALTER TABLE t ADD PRIMARY KEY USING INDEX t_id_uidx',
      },
    ],
  },
  {
    id: 'alter-table.add-constraint.using-index.same-name.sets-not-null',
    summary: 'ALTER TABLE … ADD PRIMARY KEY USING INDEX index on a column without NOT NULL (keeping the index name)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: usingIndex(false, true),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'index', mode: 'AccessShareLock' },
    ],
    scans: ['table.leaves'],
    docs: ADD_DOCS,
    examples: [
      {
        setup: 'CREATE TABLE t (id int, a int); CREATE UNIQUE INDEX t_id_uidx ON t (id); INSERT INTO t VALUES (1, 1);',
        sql: 'ALTER TABLE t ADD PRIMARY KEY USING INDEX t_id_uidx',
      },
    ],
  },
  {
    id: 'alter-table.add-constraint.unique',
    summary: 'ALTER TABLE … ADD [CONSTRAINT …] { PRIMARY KEY | UNIQUE } (…)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: (input) => onTable(input) && ['CONSTR_PRIMARY', 'CONSTR_UNIQUE'].includes(constraintOf(input)?.contype ?? '') && !constraintOf(input)?.indexname,
    inheritorsUntouched: true,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'ShareLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
    ],
    scans: ['table.leaves'],
    docs: ADD_DOCS,
    why:
      'The unique index is built while ACCESS EXCLUSIVE is held on the table — unlike CREATE UNIQUE INDEX (SHARE) or ' +
      'CREATE UNIQUE INDEX CONCURRENTLY followed by ADD CONSTRAINT … USING INDEX. On a partitioned table each ' +
      'partition gets its own index under SHARE.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a)' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD UNIQUE (a, b) DEFERRABLE' },
      {
        setup: 'CREATE TABLE t (id bigint, a int); CREATE INDEX t_a_idx ON t (a); INSERT INTO t SELECT g, g FROM generate_series(1, 10) g;',
        sql: 'ALTER TABLE t ADD PRIMARY KEY (id)',
      },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ADD CONSTRAINT m_a_key UNIQUE (a, day)' },
      // Indexes (so keys) are not inherited: the children of an inheritance parent are left alone.
      { setup: INHERITED, sql: 'ALTER TABLE p ADD CONSTRAINT p_b_key UNIQUE (b)' },
    ],
  },
  {
    id: 'alter-table.add-constraint.exclusion',
    summary: 'ALTER TABLE … ADD [CONSTRAINT …] EXCLUDE USING …',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    when: addConstraint('CONSTR_EXCLUSION'),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'ShareLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
    ],
    scans: ['table.leaves'],
    docs: ADD_DOCS,
    why: 'Builds the exclusion index under ACCESS EXCLUSIVE; there is no USING INDEX or CONCURRENTLY way to add one.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t ADD CONSTRAINT t_b_excl EXCLUDE (b WITH =)' }],
  },
  {
    id: 'alter-table.add-constraint.not-null.not-valid',
    summary: 'ALTER TABLE … ADD CONSTRAINT … NOT NULL column NOT VALID (PostgreSQL 18)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    pg: { min: 18 },
    when: addConstraint('CONSTR_NOTNULL', (input) => constraintOf(input)?.skip_validation === true),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
    ],
    docs: ADD_DOCS,
    why: 'PostgreSQL 18 stores NOT NULL as a constraint that can be added NOT VALID and validated later. Known difference; only PostgreSQL 17 is proven here.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t ADD CONSTRAINT a_not_null NOT NULL a NOT VALID', pg: { min: 18 } }],
  },
  {
    id: 'alter-table.add-constraint.not-null',
    summary: 'ALTER TABLE … ADD CONSTRAINT … NOT NULL column (PostgreSQL 18)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddConstraint',
    pg: { min: 18 },
    when: addConstraint('CONSTR_NOTNULL'),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
    ],
    scans: ['table.leaves'],
    docs: ADD_DOCS,
    why: 'Like SET NOT NULL: every row is read under ACCESS EXCLUSIVE. Known difference; only PostgreSQL 17 is proven here.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t ADD CONSTRAINT a_not_null NOT NULL a', pg: { min: 18 } }],
  },

  // ---- DROP / VALIDATE / ALTER ----
  {
    id: 'alter-table.drop-constraint',
    summary: 'ALTER TABLE … DROP CONSTRAINT',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropConstraint',
    when: (input) => onTable(input) && namedConstraint(input) !== undefined,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
      { role: 'constraint.indexes', mode: 'AccessExclusiveLock' },
      { role: 'constraint.referenced', mode: 'AccessExclusiveLock' },
      { role: 'constraint.referencing', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-CONSTRAINT',
    why:
      'Dropping a FOREIGN KEY takes ACCESS EXCLUSIVE on the referenced table too (its triggers are removed): reads of ' +
      'that table wait. A primary key or unique constraint drops its index, and CASCADE the foreign keys using it.',
    examples: [
      { setup: TABLE + ' ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0);', sql: 'ALTER TABLE t DROP CONSTRAINT a_positive' },
      { setup: REFERENCING + ' ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r_id) REFERENCES r (id);', sql: 'ALTER TABLE t DROP CONSTRAINT t_r_fk' },
      { setup: TABLE + ' ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);', sql: 'ALTER TABLE t DROP CONSTRAINT t_a_key' },
      { setup: REFERENCING + ' ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r_id) REFERENCES r (id);', sql: 'ALTER TABLE r DROP CONSTRAINT r_pkey CASCADE' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m DROP CONSTRAINT m_pkey' },
      {
        setup: 'CREATE TABLE r (id int PRIMARY KEY); INSERT INTO r SELECT g FROM generate_series(1, 30) g; ' + PARTITIONED + ' ALTER TABLE m ADD CONSTRAINT m_r_fk FOREIGN KEY (a) REFERENCES r (id);',
        sql: 'ALTER TABLE m DROP CONSTRAINT m_r_fk',
      },
    ],
  },
  {
    id: 'alter-table.drop-constraint.unknown-constraint',
    summary: 'ALTER TABLE … DROP CONSTRAINT [IF EXISTS] of a constraint the catalog does not know',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropConstraint',
    when: onTable,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
    ],
    unknown: 'DROP CONSTRAINT: the constraint is not in the catalog; a FOREIGN KEY also locks the referenced table, a PRIMARY KEY or UNIQUE drops its index',
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-CONSTRAINT',
    why: 'A lower bound: ACCESS EXCLUSIVE on the table is certain whatever the constraint is (or when IF EXISTS finds none).',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t DROP CONSTRAINT IF EXISTS missing' },
      { setup: TABLE + " DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0)'; END $$;", sql: 'ALTER TABLE t DROP CONSTRAINT a_positive' },
    ],
  },
  {
    id: 'alter-table.validate-constraint.already-valid',
    summary: 'ALTER TABLE … VALIDATE CONSTRAINT of a constraint that is already valid',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ValidateConstraint',
    when: (input) => onTable(input) && namedConstraint(input)?.valid === true,
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT',
    examples: [
      { setup: TABLE + ' ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0);', sql: 'ALTER TABLE t VALIDATE CONSTRAINT a_positive' },
      { setup: REFERENCING + ' ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r_id) REFERENCES r (id);', sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_r_fk' },
    ],
  },
  {
    id: 'alter-table.validate-constraint.foreign-key',
    summary: 'ALTER TABLE … VALIDATE CONSTRAINT of a NOT VALID FOREIGN KEY',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ValidateConstraint',
    when: (input) => onTable(input) && namedConstraint(input)?.kind === 'foreign-key' && namedConstraint(input)?.valid === false,
    locks: [
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.leaves.indexes', mode: 'AccessShareLock' },
      { role: 'constraint.referenced', mode: 'RowShareLock' },
      { role: 'constraint.referenced.indexes', mode: 'AccessShareLock' },
    ],
    scans: ['table.leaves', 'constraint.referenced'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT',
    why:
      'The second half of the safe recipe: SHARE UPDATE EXCLUSIVE on the table and only ROW SHARE on the referenced ' +
      'one, so reads and writes on both go on while every row is checked.',
    examples: [
      {
        setup: REFERENCING + ' ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r_id) REFERENCES r (id) NOT VALID;',
        sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_r_fk',
      },
    ],
  },
  {
    id: 'alter-table.validate-constraint.check',
    summary: 'ALTER TABLE … VALIDATE CONSTRAINT of a NOT VALID CHECK (or, PostgreSQL 18, NOT NULL)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ValidateConstraint',
    when: (input) => onTable(input) && ['check', 'not-null'].includes(namedConstraint(input)?.kind ?? '') && namedConstraint(input)?.valid === false,
    locks: [
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.partitions', mode: 'ShareUpdateExclusiveLock' },
    ],
    scans: ['table.leaves'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT',
    why: 'Reads every row under SHARE UPDATE EXCLUSIVE only: reads and writes go on during the scan.',
    examples: [
      { setup: TABLE + ' ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0) NOT VALID;', sql: 'ALTER TABLE t VALIDATE CONSTRAINT a_positive' },
      { setup: PARTITIONED + ' ALTER TABLE m ADD CONSTRAINT a_positive CHECK (a > 0) NOT VALID;', sql: 'ALTER TABLE m VALIDATE CONSTRAINT a_positive' },
    ],
  },
  {
    id: 'alter-table.alter-constraint',
    summary: 'ALTER TABLE … ALTER CONSTRAINT … [NOT] DEFERRABLE / INITIALLY …',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AlterConstraint',
    when: onTable,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-ALTER-CONSTRAINT',
    why: 'A catalog-only change, but under ACCESS EXCLUSIVE on the table and its partitions (the referenced table is not locked).',
    examples: [
      {
        setup: REFERENCING + ' ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r_id) REFERENCES r (id);',
        sql: 'ALTER TABLE t ALTER CONSTRAINT t_r_fk DEFERRABLE INITIALLY DEFERRED',
      },
      {
        setup: 'CREATE TABLE r (id int PRIMARY KEY); INSERT INTO r SELECT g FROM generate_series(1, 30) g; ' + PARTITIONED + ' ALTER TABLE m ADD CONSTRAINT m_r_fk FOREIGN KEY (a) REFERENCES r (id);',
        sql: 'ALTER TABLE m ALTER CONSTRAINT m_r_fk DEFERRABLE',
      },
    ],
  },
  {
    id: 'alter-table.validate-constraint.unknown-constraint',
    summary: 'ALTER TABLE … VALIDATE CONSTRAINT of a constraint the catalog does not know',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ValidateConstraint',
    when: onTable,
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    unknown: 'VALIDATE CONSTRAINT: the constraint is not in the catalog; a NOT VALID one is checked by reading the table (and ROW SHARE on a referenced table)',
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT',
    why: 'A lower bound: SHARE UPDATE EXCLUSIVE on the table is certain.',
    examples: [
      { setup: TABLE + " DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0)'; END $$;", sql: 'ALTER TABLE t VALIDATE CONSTRAINT a_positive' },
    ],
  },
]);

/**
 * PostgreSQL 18 locks every inheritance descendant when a constraint is added to the parent — in the parent's mode,
 * without reading them — even for constraints the children do not get (CHECK … NO INHERIT, FOREIGN KEY, UNIQUE /
 * PRIMARY KEY); and ADD UNIQUE / PRIMARY KEY on a partitioned table takes ACCESS EXCLUSIVE (not SHARE) on the
 * partitions while it builds their indexes. Proven on 18 by the same examples that prove the ≤ 17 facts.
 */
function changedIn18(facts: LockFact[]): LockFact[] {
  return facts.flatMap((fact) => {
    switch (fact.id) {
      case 'alter-table.add-constraint.check.no-inherit':
        return sinceMajor(18, fact, {
          inheritorsUntouched: false,
          locks: [...fact.locks, { role: 'table.inheritors', mode: 'AccessExclusiveLock' }],
          why: 'the inheritance children are locked ACCESS EXCLUSIVE too (not read).',
        });
      case 'alter-table.add-constraint.foreign-key':
        return sinceMajor(18, fact, {
          inheritorsUntouched: false,
          locks: [...fact.locks, { role: 'table.inheritors', mode: 'ShareRowExclusiveLock' }],
          why: 'the inheritance children of the table are locked SHARE ROW EXCLUSIVE too (not read; the key is not inherited).',
        });
      case 'alter-table.add-constraint.unique':
        return sinceMajor(18, fact, {
          inheritorsUntouched: false,
          locks: [
            ...fact.locks.map((lock) => (lock.role === 'table.partitions' ? { ...lock, mode: 'AccessExclusiveLock' as const } : lock)),
            { role: 'table.inheritors', mode: 'AccessExclusiveLock' },
          ],
          why: 'the partitions are locked ACCESS EXCLUSIVE, not SHARE, and the inheritance children ACCESS EXCLUSIVE (not read).',
        });
      default:
        return [fact];
    }
  });
}
