/**
 * How PostgreSQL groups statements into transactions, as data: what the transaction planner (plan.ts) and the
 * session-settings tracker (session-settings.ts) rely on. Each behaviour carries an example that
 * test/transactions/postgres-behaviour.test.ts runs on the embedded server, so a belief that the server does not
 * share fails the suite. The code cites these ids where it depends on them.
 *
 * "Query" below means one simple-protocol Query message: what a driver sends for `db.Exec(fileText)` without
 * parameters (lib/pq, pgx's simple protocol, node-postgres, libpq's PQexec), and what psql does NOT do (psql
 * sends each statement of a file as its own query).
 */

export interface BehaviourStep {
  /** One simple-protocol query; it may hold several statements. */
  query: string;
  /** SQLSTATE the query must fail with; absent: it must succeed. */
  error?: string;
  /** Rows the query's LAST statement must return, when the step checks a result. */
  rows?: ReadonlyArray<Record<string, unknown>>;
}

export interface TransactionBehaviour {
  id: string;
  /** The behaviour, in one or two sentences. */
  claim: string;
  /** PostgreSQL documentation page (and anchor) relative to /docs/current/. */
  docs: string;
  /** Steps run in order on one fresh session of a scratch database whose setup has been committed. */
  example: { setup?: string; steps: readonly BehaviourStep[] };
  /**
   * Also checked from a second session after the first one disconnects (without COMMIT): the rows this query
   * returns then.
   */
  afterDisconnect?: BehaviourStep;
}

const TABLE = 'CREATE TABLE t (id bigint PRIMARY KEY, a int)';
/** `now()` is the transaction's start; equal to the statement's start only when the statement began the transaction. */
const IN_TRANSACTION = 'SELECT now() <> statement_timestamp() AS in_transaction';

export const transactionBehaviours: readonly TransactionBehaviour[] = [
  {
    id: 'multi-statement-query-is-one-transaction',
    claim:
      'A query of several statements runs as ONE implicit transaction: an error in a later statement rolls back ' +
      'the earlier ones.',
    docs: 'protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT',
    example: {
      steps: [
        { query: 'CREATE TABLE a1 (); SELECT 1/0', error: '22012' },
        { query: "SELECT to_regclass('a1') IS NULL AS rolled_back", rows: [{ rolled_back: true }] },
      ],
    },
  },
  {
    id: 'single-statement-query-is-not-a-block',
    claim:
      'A query of exactly one statement is not a transaction block, so a statement that refuses to run in one ' +
      '(CREATE INDEX CONCURRENTLY) runs; empty statements and comments around it do not count.',
    docs: 'protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT',
    example: {
      setup: TABLE,
      steps: [{ query: 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a);;  -- trailing comment\n' }],
    },
  },
  {
    id: 'multi-statement-query-refuses-no-transaction-statements',
    claim:
      'In a query of several statements, CREATE INDEX CONCURRENTLY (and every statement PostgreSQL refuses in a ' +
      'transaction block) fails with SQLSTATE 25001, wherever it stands in the query — even after a harmless SET.',
    docs: 'protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT',
    example: {
      setup: TABLE,
      steps: [
        { query: 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a); SELECT 1', error: '25001' },
        { query: "SET lock_timeout = '1s'; CREATE INDEX CONCURRENTLY t_a_idx ON t (a)", error: '25001' },
        { query: 'SELECT 1; VACUUM t', error: '25001' },
      ],
    },
  },
  {
    id: 'commit-in-query-starts-a-new-implicit-block',
    claim:
      'A COMMIT inside a multi-statement query commits what came before it; the statements after it form a new ' +
      'implicit transaction (a later error does not undo the committed part, and CONCURRENTLY still fails).',
    docs: 'protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT',
    example: {
      setup: TABLE,
      steps: [
        { query: 'CREATE TABLE b1 (); COMMIT; SELECT 1/0', error: '22012' },
        { query: "SELECT to_regclass('b1') IS NOT NULL AS committed", rows: [{ committed: true }] },
        { query: 'BEGIN; CREATE TABLE b2 (); COMMIT; CREATE INDEX CONCURRENTLY t_a_idx ON t (a)', error: '25001' },
      ],
    },
  },
  {
    id: 'begin-in-query-stays-open',
    claim:
      'A BEGIN without COMMIT leaves the transaction open after the query ends; when the session then ' +
      'disconnects, PostgreSQL rolls it back.',
    docs: 'sql-begin.html',
    example: {
      steps: [
        { query: 'BEGIN; CREATE TABLE d1 ()' },
        { query: IN_TRANSACTION, rows: [{ in_transaction: true }] },
      ],
    },
    afterDisconnect: { query: "SELECT to_regclass('d1') IS NULL AS rolled_back", rows: [{ rolled_back: true }] },
  },
  {
    id: 'begin-does-not-nest',
    claim:
      'BEGIN inside a transaction block only warns ("there is already a transaction in progress"): there is no ' +
      'nesting, and the first COMMIT ends the whole transaction.',
    docs: 'sql-begin.html',
    example: {
      steps: [
        { query: 'BEGIN' },
        { query: 'BEGIN' },
        { query: 'CREATE TABLE c1 ()' },
        { query: 'COMMIT' },
        { query: IN_TRANSACTION, rows: [{ in_transaction: false }] },
        { query: "SELECT to_regclass('c1') IS NOT NULL AS committed", rows: [{ committed: true }] },
      ],
    },
  },
  {
    id: 'savepoint-needs-an-explicit-block',
    claim: 'SAVEPOINT fails outside an explicit transaction block, also inside a multi-statement query (SQLSTATE 25P01).',
    docs: 'sql-savepoint.html',
    example: { steps: [{ query: 'SAVEPOINT s; SELECT 1', error: '25P01' }] },
  },
  {
    id: 'set-local-lasts-until-transaction-end',
    claim:
      'SET LOCAL applies until the end of the current transaction, also the implicit one of a multi-statement query.',
    docs: 'sql-set.html',
    example: {
      steps: [
        { query: "SET LOCAL lock_timeout = '1s'; SELECT current_setting('lock_timeout') AS v", rows: [{ v: '1s' }] },
        { query: "SELECT current_setting('lock_timeout') AS v", rows: [{ v: '0' }] },
      ],
    },
  },
  {
    id: 'set-local-outside-a-block-does-nothing',
    claim: 'SET LOCAL outside a transaction block only warns and changes nothing.',
    docs: 'sql-set.html',
    example: {
      steps: [
        { query: "SET LOCAL lock_timeout = '1s'" },
        { query: "SELECT current_setting('lock_timeout') AS v", rows: [{ v: '0' }] },
      ],
    },
  },
  {
    id: 'session-set-is-undone-by-rollback',
    claim:
      'SET (session scope) lasts for the session, but a SET made in a transaction that rolls back is undone — ' +
      'also in a multi-statement query that fails.',
    docs: 'sql-set.html',
    example: {
      steps: [
        { query: "SET lock_timeout = '2s'; SELECT 1" },
        { query: "SELECT current_setting('lock_timeout') AS v", rows: [{ v: '2s' }] },
        { query: "SET lock_timeout = '3s'; SELECT 1/0", error: '22012' },
        { query: "BEGIN; SET lock_timeout = '4s'; ROLLBACK" },
        { query: "SELECT current_setting('lock_timeout') AS v", rows: [{ v: '2s' }] },
      ],
    },
  },
];

/**
 * Locks are held until the transaction ends: checked by the same test with a second session, since it needs one
 * session to hold a lock while another looks (see postgres-behaviour.test.ts).
 */
export const LOCKS_HELD_UNTIL_TRANSACTION_END = {
  id: 'locks-held-until-transaction-end',
  claim:
    'A lock a statement takes is held until its transaction ends, not until the statement ends: in a ' +
    'multi-statement query, the AccessExclusiveLock of an ALTER TABLE is still held while the next statement runs.',
  docs: 'explicit-locking.html#LOCKING-TABLES',
} as const;
