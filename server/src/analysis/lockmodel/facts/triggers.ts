/** CREATE [OR REPLACE] [CONSTRAINT] TRIGGER, DROP TRIGGER, CREATE/DROP RULE, CREATE/ALTER/DROP POLICY. */
import type { LockFact } from '../fact';
import { onPartitionedTable, payload } from './when';

const TABLES = `CREATE TABLE t (id bigserial PRIMARY KEY, a int, b text);
CREATE INDEX t_a_idx ON t (a);
CREATE TABLE u (id int PRIMARY KEY);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg();
CREATE RULE u_rule AS ON INSERT TO u DO ALSO NOTHING;
CREATE POLICY t_pol ON t USING (a > 0);`;
const PARTITIONED = `CREATE TABLE p (id int PRIMARY KEY, a int) PARTITION BY RANGE (id);
CREATE TABLE p_1 PARTITION OF p FOR VALUES FROM (0) TO (10);
CREATE TABLE p_2 PARTITION OF p FOR VALUES FROM (10) TO (20);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER p_trg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION trg();`;

export const triggerFacts: readonly LockFact[] = [
  {
    id: 'create-trigger',
    summary: 'CREATE [OR REPLACE] [CONSTRAINT] TRIGGER … FOR EACH ROW (cloned to partitions)',
    statement: 'CreateTrigStmt',
    when: (input) => payload(input).row === true,
    locks: [
      { role: 'table', mode: 'ShareRowExclusiveLock' },
      { role: 'table.partitions', mode: 'ShareRowExclusiveLock' },
    ],
    docs: 'sql-createtrigger.html',
    why:
      'SHARE ROW EXCLUSIVE blocks writes (and other DDL) but not reads. A row trigger on a partitioned table is cloned to every partition, each locked the same way. CREATE OR REPLACE TRIGGER exists since PostgreSQL 14.',
    examples: [
      { setup: TABLES, sql: 'CREATE TRIGGER t_audit AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg()' },
      { setup: TABLES, sql: 'CREATE OR REPLACE TRIGGER t_trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg()', pg: { min: 14 } },
      { setup: TABLES, sql: 'CREATE CONSTRAINT TRIGGER t_ct AFTER INSERT ON t DEFERRABLE FOR EACH ROW EXECUTE FUNCTION trg()' },
      { setup: PARTITIONED, sql: 'CREATE TRIGGER p_audit AFTER UPDATE ON p FOR EACH ROW EXECUTE FUNCTION trg()' },
    ],
  },
  {
    id: 'create-trigger.statement-level',
    summary: 'CREATE [OR REPLACE] TRIGGER … FOR EACH STATEMENT',
    statement: 'CreateTrigStmt',
    locks: [{ role: 'table', mode: 'ShareRowExclusiveLock' }],
    docs: 'sql-createtrigger.html',
    why: 'Statement-level triggers are not cloned to partitions.',
    examples: [
      { setup: TABLES, sql: 'CREATE TRIGGER t_stmt AFTER TRUNCATE ON t FOR EACH STATEMENT EXECUTE FUNCTION trg()' },
      { setup: PARTITIONED, sql: 'CREATE TRIGGER p_stmt AFTER INSERT ON p FOR EACH STATEMENT EXECUTE FUNCTION trg()' },
    ],
  },
  {
    id: 'drop-trigger.partitioned',
    summary: 'DROP TRIGGER [IF EXISTS] … ON partitioned_table',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_TRIGGER' && onPartitionedTable(input),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-droptrigger.html',
    why: 'Drops the clones on every partition too, each under ACCESS EXCLUSIVE.',
    examples: [{ setup: PARTITIONED, sql: 'DROP TRIGGER p_trg ON p' }],
  },
  {
    id: 'drop-trigger',
    summary: 'DROP TRIGGER [IF EXISTS] … ON table',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_TRIGGER',
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-droptrigger.html',
    why:
      'ACCESS EXCLUSIVE — stronger than CREATE TRIGGER\'s SHARE ROW EXCLUSIVE: dropping a trigger blocks reads of the table too. (With IF EXISTS and no such trigger nothing is locked; the model assumes the trigger exists.)',
    examples: [{ setup: TABLES, sql: 'DROP TRIGGER t_trg ON t' }],
  },
  {
    id: 'create-rule',
    summary: 'CREATE [OR REPLACE] RULE … TO table',
    statement: 'RuleStmt',
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-createrule.html',
    why: 'Rules rewrite every query on the table, so adding one takes ACCESS EXCLUSIVE.',
    examples: [{ setup: TABLES, sql: 'CREATE RULE t_rule AS ON UPDATE TO t DO ALSO NOTHING' }],
  },
  {
    id: 'drop-rule',
    summary: 'DROP RULE … ON table',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_RULE',
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-droprule.html',
    examples: [{ setup: TABLES, sql: 'DROP RULE u_rule ON u' }],
  },
  {
    id: 'create-policy',
    summary: 'CREATE POLICY / ALTER POLICY … ON table',
    statement: 'CreatePolicyStmt',
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-createpolicy.html',
    why: 'Row-level-security policies take ACCESS EXCLUSIVE on the table: even reads wait while one is created, altered or dropped.',
    examples: [{ setup: TABLES, sql: 'CREATE POLICY t_read ON t FOR SELECT USING (true)' }],
  },
  {
    id: 'alter-policy',
    summary: 'ALTER POLICY … ON table',
    statement: 'AlterPolicyStmt',
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-alterpolicy.html',
    examples: [{ setup: TABLES, sql: 'ALTER POLICY t_pol ON t USING (a > 1)' }],
  },
  {
    id: 'drop-policy',
    summary: 'DROP POLICY … ON table',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_POLICY',
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-droppolicy.html',
    examples: [{ setup: TABLES, sql: 'DROP POLICY t_pol ON t' }],
  },
];
