/** CREATE / ALTER / DROP SEQUENCE (nextval/setval are in dml.ts, with SELECT). */
import type { FactInput, LockFact } from '../fact';
import { cascades, payload } from './when';

const TABLES = `CREATE TABLE t (id serial PRIMARY KEY, a int);
CREATE SEQUENCE s;`;

/** ALTER SEQUENCE options other than OWNED BY change the sequence's data, which PostgreSQL writes as new storage. */
const changesSequenceData = (input: FactInput): boolean =>
  ((payload(input).options as Array<{ DefElem?: { defname?: string } }> | undefined) ?? []).some((o) => o.DefElem?.defname !== 'owned_by');

export const sequenceFacts: readonly LockFact[] = [
  {
    id: 'create-sequence',
    summary: 'CREATE SEQUENCE [OWNED BY table.column]',
    statement: 'CreateSeqStmt',
    locks: [
      { role: 'created', mode: 'AccessExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
    ],
    docs: 'sql-createsequence.html',
    why: 'OWNED BY looks the table up under ACCESS SHARE.',
    examples: [
      { setup: TABLES, sql: 'CREATE SEQUENCE s2' },
      { setup: TABLES, sql: 'CREATE SEQUENCE s2 OWNED BY t.a' },
    ],
  },
  {
    id: 'alter-sequence',
    summary: 'ALTER SEQUENCE … RESTART / START / INCREMENT / MIN|MAXVALUE / CACHE / CYCLE / AS',
    statement: 'AlterSeqStmt',
    when: changesSequenceData,
    locks: [
      { role: 'table', mode: 'ShareRowExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
    ],
    rewrites: ['table'],
    docs: 'sql-altersequence.html',
    why: 'SHARE ROW EXCLUSIVE on the sequence and new storage for it: nextval() on it (ROW EXCLUSIVE) waits until commit — every INSERT drawing from it.',
    examples: [
      { setup: TABLES, sql: 'ALTER SEQUENCE s RESTART WITH 10' },
      { setup: TABLES, sql: 'ALTER SEQUENCE t_id_seq INCREMENT BY 5' },
      { setup: TABLES, sql: 'ALTER SEQUENCE s START WITH 5' },
      { setup: TABLES, sql: 'ALTER SEQUENCE s AS int' },
    ],
  },
  {
    id: 'alter-sequence.owned-by',
    summary: 'ALTER SEQUENCE … OWNED BY table.column | NONE',
    statement: 'AlterSeqStmt',
    locks: [
      { role: 'table', mode: 'ShareRowExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
    ],
    docs: 'sql-altersequence.html',
    examples: [
      { setup: TABLES, sql: 'ALTER SEQUENCE s OWNED BY t.a' },
      { setup: TABLES, sql: 'ALTER SEQUENCE t_id_seq OWNED BY NONE' },
    ],
  },
  {
    id: 'drop-sequence',
    summary: 'DROP SEQUENCE [IF EXISTS] (RESTRICT)',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_SEQUENCE' && !cascades(input),
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-dropsequence.html',
    why: 'Fails while a column default uses it (CASCADE would drop those defaults, which the model does not follow).',
    examples: [{ setup: TABLES, sql: 'DROP SEQUENCE s' }],
  },
];
