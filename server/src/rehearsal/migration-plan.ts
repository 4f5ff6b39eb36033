/**
 * A migration file as a rehearsal runs it: its statements with file positions, what the lock model says each
 * does, which ones PostgreSQL refuses inside a transaction block, and the transaction each statement runs in.
 *
 * The transactions are the analysis core's (analysis/transactions/): the runner that runs the file (golang-migrate,
 * goose, dbmate, Flyway, …, or psql), how it hands the file to PostgreSQL (one query, statement by statement, in a
 * transaction of its own or not, its annotations), and PostgreSQL's own rules (a query of several statements is
 * one implicit transaction; the file's BEGIN/COMMIT). The rehearsal runs exactly those transactions, so a lock is
 * held as long as `lockstep explain` says — and a statement the runner would send inside a transaction block that
 * PostgreSQL refuses there fails in the rehearsal as it would in production.
 */
import { analyzeText } from '../analysis/analyzer.js';
import type { Catalog } from '../analysis/catalog';
import type { StatementEffect } from '../analysis/lockmodel/model.js';
import { TextIndex } from '../analysis/text/text-index.js';
import type { MigrationRunInput } from '../analysis/transactions';
import type { TransactionSummary } from '../analysis/types.js';
import type { RunnableStatement, TransactionMode } from './runner.js';

export interface PlannedStatement extends RunnableStatement {
  kind: string;
  /** UTF-16 offsets into the file. */
  start: number;
  end: number;
  /** 1-based. */
  line: number;
  column: number;
  effect?: StatementEffect;
}

export interface MigrationProblem {
  index: number;
  line: number;
  column: number;
  message: string;
}

export interface MigrationPlan {
  statements: PlannedStatement[];
  /** Statements that are not SQL Lockstep can run (psql meta-commands), or that the runner never sends: skipped, with why. */
  skipped: MigrationProblem[];
  /** Statements that make the file unrunnable (syntax errors, template placeholders). */
  problems: MigrationProblem[];
  /**
   * 'single': every statement in one transaction, so a lock is held to the end of the file; otherwise
   * 'per-statement' (several transactions: see each statement's `transaction`).
   */
  mode: TransactionMode;
  /** The transactions in words: the runner's handling, as the analyzer explains it. */
  modeReason: string;
  /** The runner the file was planned for, as users know it. */
  runner: string;
  /** The analyzer's transactions (ids as in each statement's `transaction.id`). */
  transactions: TransactionSummary[];
  index: TextIndex;
}

/** Statement kinds PostgreSQL refuses in a transaction block whatever their options. */
const NEVER_IN_TRANSACTION = new Set(['VacuumStmt', 'CreatedbStmt', 'DropdbStmt', 'AlterSystemStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt']);

/** Statement kinds whose effect reaches outside the current database (roles, databases, tablespaces, settings). */
const CLUSTER_WIDE = new Set([
  'CreateRoleStmt',
  'AlterRoleStmt',
  'AlterRoleSetStmt',
  'DropRoleStmt',
  'GrantRoleStmt',
  'CreatedbStmt',
  'DropdbStmt',
  'AlterDatabaseStmt',
  'AlterDatabaseSetStmt',
  'AlterDatabaseRefreshCollStmt',
  'AlterSystemStmt',
  'CreateTableSpaceStmt',
  'DropTableSpaceStmt',
  'AlterTableSpaceOptionsStmt',
  'CreateSubscriptionStmt',
  'AlterSubscriptionStmt',
  'DropSubscriptionStmt',
  'ReassignOwnedStmt',
]);

export function planMigration(text: string, options: { base?: Catalog; pgVersion: number; migration?: MigrationRunInput }): MigrationPlan {
  const index = new TextIndex(text);
  const analysis = analyzeText(text, { pgVersion: options.pgVersion, ...(options.migration ? { migration: options.migration } : {}) }, options.base);
  const statements: PlannedStatement[] = [];
  const skipped: MigrationProblem[] = [];
  const problems: MigrationProblem[] = [];
  const transactions = analysis.transactions ?? [];
  for (const statement of analysis.statements) {
    const at = { index: statement.index, line: statement.range.start.line + 1, column: statement.range.start.character + 1 };
    const transaction = statement.transaction;
    if (transaction && (transaction.source === 'not-run' || transaction.section === 'down')) {
      skipped.push({ ...at, message: transaction.source === 'not-run' ? `${analysis.runner ?? 'the runner'} never sends it: it is outside every section` : 'down section: not part of the migration' });
      continue;
    }
    if (statement.kind === 'PsqlMetaCommand') {
      skipped.push({ ...at, message: `psql meta-command ${statement.text.split(/\s/)[0]} skipped: only psql runs it` });
      continue;
    }
    if (statement.problem || !statement.ast) {
      const position = index.positionAt(statement.problem?.offset ?? statement.start);
      problems.push({
        ...at,
        line: position.line + 1,
        column: position.character + 1,
        message: statement.problem?.message ?? 'statement could not be parsed',
      });
      continue;
    }
    const ast = statement.ast as unknown as Record<string, Record<string, unknown>>;
    const control = transactionControlOf(statement.kind, ast);
    statements.push({
      text: statement.text,
      kind: statement.kind,
      start: statement.start,
      end: statement.end,
      ...at,
      outsideTransaction: refusesTransactionBlock(statement.kind, ast, statement.effect),
      // Without a plan (the analyzer always makes one; kept total for safety) a statement runs on its own.
      transaction: transaction ? { id: transaction.id, inTransaction: transaction.inTransaction } : { id: -1 - statement.index, inTransaction: false },
      ...(control ? { transactionControl: control } : {}),
      ...(statement.effect ? { effect: statement.effect } : {}),
    });
  }

  const used = transactions.filter((t) => statements.some((s) => s.transaction!.id === t.id));
  const ids = new Set(statements.map((s) => s.transaction!.id));
  // One transaction holding every statement: its locks are held to its end. A lone statement that runs on its own
  // is the same thing, unless PostgreSQL refuses it in a block (then it is sampled from outside).
  const single =
    ids.size === 1 &&
    statements.every((s) => s.transactionControl === undefined) &&
    (statements.length === 1 ? !statements[0]!.outsideTransaction : statements.every((s) => s.transaction!.inTransaction));
  const why = [...new Set(used.map((t) => t.why))].join('; ');
  const modeReason = single
    ? `one transaction for the whole file (${why || 'one statement'})`
    : `${ids.size} transactions: ${describeTransactions(used, statements)} (${why})`;
  return {
    statements,
    skipped,
    problems,
    mode: single || statements.length === 0 ? 'single' : 'per-statement',
    modeReason: statements.length === 0 ? 'no statement to run' : modeReason,
    runner: analysis.runner ?? 'psql',
    transactions: used,
    index,
  };
}

/** "statements 1–3 in one, 4 on its own": how the statements group, in the report's 1-based numbering. */
function describeTransactions(transactions: readonly TransactionSummary[], statements: readonly PlannedStatement[]): string {
  const parts: string[] = [];
  for (const t of transactions) {
    const members = statements.filter((s) => s.transaction!.id === t.id).map((s) => s.index + 1);
    if (members.length === 0) continue;
    const span = members.length === 1 ? `${members[0]}` : `${members[0]}–${members.at(-1)}`;
    parts.push(members.length === 1 ? `statement ${span} ${t.source === 'autocommit' || t.source === 'standalone' ? 'on its own' : 'in a transaction'}` : `statements ${span} in one`);
  }
  return parts.join(', ');
}

/** The statement changes something outside its database (a role, another database, a server setting). */
export function isClusterWide(statement: Pick<PlannedStatement, 'kind' | 'text'>): boolean {
  return CLUSTER_WIDE.has(statement.kind);
}

function transactionControlOf(kind: string, ast: Record<string, Record<string, unknown>>): RunnableStatement['transactionControl'] {
  if (kind !== 'TransactionStmt') return undefined;
  switch (ast.TransactionStmt?.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return 'begin';
    case 'TRANS_STMT_COMMIT':
      return 'commit';
    case 'TRANS_STMT_ROLLBACK':
      return 'rollback';
    default:
      return undefined; // SAVEPOINT, RELEASE, …: ordinary statements inside the transaction
  }
}

function refusesTransactionBlock(kind: string, ast: Record<string, Record<string, unknown>>, effect: StatementEffect | undefined): boolean {
  if (effect?.transaction === 'forbidden' || NEVER_IN_TRANSACTION.has(kind)) return true;
  // CREATE/DROP INDEX CONCURRENTLY, REINDEX (CONCURRENTLY), DETACH PARTITION … CONCURRENTLY: the flag is in the AST.
  const json = JSON.stringify(ast[kind] ?? {});
  return /"concurrent":true/.test(json) || /"defname":"concurrently"/.test(json);
}

/** 1-based line and column in the file of PostgreSQL's 1-based character `position` in `statement.text`. */
export function positionInFile(plan: Pick<MigrationPlan, 'index'>, statement: Pick<PlannedStatement, 'start' | 'text'>, position?: number): { line: number; column: number } {
  let offset = statement.start;
  if (position !== undefined && position > 0) {
    // PostgreSQL counts characters (code points); the file offsets are UTF-16.
    const codePoints = [...statement.text].slice(0, position - 1).join('');
    offset += codePoints.length;
  }
  const at = plan.index.positionAt(offset);
  return { line: at.line + 1, column: at.character + 1 };
}
