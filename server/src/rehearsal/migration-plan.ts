/**
 * A migration file as a rehearsal runs it: its statements with file positions, what the lock model says each
 * does, which ones PostgreSQL refuses inside a transaction block, the file's own transaction control, and the
 * transaction semantics the whole file gets.
 *
 * Transaction semantics (until framework detection knows better): one transaction for the whole file — what
 * golang-migrate, Flyway, Liquibase, Prisma and most runners do — unless the file holds a statement that cannot
 * run in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, …), its own BEGIN/COMMIT, or says so
 * (`-- +goose NO TRANSACTION`, `-- migrate:up transaction:false`); then statement by statement.
 */
import { analyzeText } from '../analysis/analyzer.js';
import type { Catalog } from '../analysis/catalog';
import type { StatementEffect } from '../analysis/lockmodel/model.js';
import { TextIndex } from '../analysis/text/text-index.js';
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
  /** Statements that are not SQL Lockstep can run (psql meta-commands): skipped, with why. */
  skipped: MigrationProblem[];
  /** Statements that make the file unrunnable (syntax errors, template placeholders). */
  problems: MigrationProblem[];
  mode: TransactionMode;
  modeReason: string;
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

export function planMigration(text: string, options: { base?: Catalog; pgVersion: number; noTransaction?: boolean }): MigrationPlan {
  const index = new TextIndex(text);
  const analysis = analyzeText(text, { pgVersion: options.pgVersion }, options.base);
  const statements: PlannedStatement[] = [];
  const skipped: MigrationProblem[] = [];
  const problems: MigrationProblem[] = [];
  for (const statement of analysis.statements) {
    const at = { index: statement.index, line: statement.range.start.line + 1, column: statement.range.start.character + 1 };
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
      ...(control ? { transactionControl: control } : {}),
      ...(statement.effect ? { effect: statement.effect } : {}),
    });
  }

  let mode: TransactionMode = 'single';
  let modeReason = 'one transaction for the whole file (what most migration runners do)';
  const outside = statements.find((s) => s.outsideTransaction);
  const control = statements.find((s) => s.transactionControl !== undefined);
  if (options.noTransaction) {
    mode = 'per-statement';
    modeReason = 'statement by statement: the file opts out of a transaction';
  } else if (outside) {
    mode = 'per-statement';
    modeReason = `statement by statement: line ${outside.line} cannot run inside a transaction block`;
  } else if (control) {
    mode = 'per-statement';
    modeReason = `statement by statement: the file manages its own transactions (line ${control.line})`;
  }
  return { statements, skipped, problems, mode, modeReason, index };
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
