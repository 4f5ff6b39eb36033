/**
 * Which transaction each statement of a migration file runs in: the runner's handling of the file (runners.ts)
 * played through PostgreSQL's transaction rules (postgres-behaviour.ts, whose ids are cited below). Pure and cheap:
 * it looks only at statement kinds, transaction-control statements and section boundaries, so the analyzer plans
 * the whole file before checking any statement, and rules can ask about later statements too (is this BEGIN ever
 * committed?).
 */
import type { Node } from '@pgsql/types';
import { simplifiedStatementText, type RunnerPlan, type SectionPlan } from './runners';

export interface PlanStatement {
  /** UTF-16 offset of the statement in the file: decides its section. */
  start: number;
  /** libpg-query node name, or 'SyntaxError', 'PsqlMetaCommand'…: such statements still run (and fail) in order. */
  kind: string;
  ast?: Node;
  /** Source text, for runners that recognize statements by text (Flyway, Supabase). */
  text: string;
}

/**
 * - runner: inside the transaction the runner opens around the file or section;
 * - explicit: inside a BEGIN … COMMIT the file writes;
 * - implicit: inside the implicit transaction PostgreSQL opens for a query of several statements;
 * - autocommit: on its own, committed as soon as it ends;
 * - standalone: taken out of the file's transaction by the runner (Flyway, Supabase CLI), run on its own;
 * - not-run: outside every section of a goose/dbmate file: the runner never sends it.
 */
export type TransactionSource = 'runner' | 'explicit' | 'implicit' | 'autocommit' | 'standalone' | 'not-run';

export interface StatementTransaction {
  /**
   * True when the statement runs inside a transaction block, so its locks are held until that block ends and
   * PostgreSQL refuses statements that cannot run in one. BEGIN itself runs outside the block it opens, COMMIT
   * inside the block it closes — where PostgreSQL executes them.
   */
  inTransaction: boolean;
  /** The transaction: statements with the same id share it. Ids are per analysis; never show them to users. */
  id: number;
  source: TransactionSource;
  section: 'up' | 'down' | 'none';
}

/** How a transaction ends. */
export type TransactionEnd =
  | 'commit'
  | 'rollback'
  /** PREPARE TRANSACTION: its locks stay held until COMMIT PREPARED, by no session. */
  | 'prepare'
  /** The runner commits its own transaction after the section. */
  | 'runner-commit'
  /** The implicit transaction of a multi-statement query commits when the query ends. */
  | 'query-end'
  /** A BEGIN the file never ends: the runner's next step or its disconnect decides (usually a rollback). */
  | 'open'
  /** Autocommit: the statement is its own transaction. */
  | 'statement';

export interface TransactionInfo {
  id: number;
  source: TransactionSource;
  section: 'up' | 'down' | 'none';
  /** Statement indexes, in order (BEGIN included). */
  statements: number[];
  end: TransactionEnd;
  /** Why the statements are grouped this way, in words for messages. */
  why: string;
}

export type TransactionIssueKind =
  /** BEGIN inside a transaction block: PostgreSQL only warns, nothing nests (begin-does-not-nest). */
  | 'nested-begin'
  /** COMMIT/ROLLBACK inside the runner's transaction: ends it early; what follows runs outside it. */
  | 'ends-runner-transaction'
  /** BEGIN without COMMIT/ROLLBACK before the section ends. */
  | 'uncommitted'
  /** SAVEPOINT/RELEASE/ROLLBACK TO outside an explicit block: fails with 25P01 (savepoint-needs-an-explicit-block). */
  | 'savepoint-outside-block'
  /** COMMIT/ROLLBACK with no transaction open: PostgreSQL only warns. */
  | 'nothing-to-end'
  /** Flyway refuses a migration that mixes transactional and non-transactional statements (mixed=false). */
  | 'runner-refuses-mix';

export interface TransactionIssue {
  kind: TransactionIssueKind;
  /** The statement the issue is about (for 'uncommitted': the BEGIN). */
  statement: number;
  transaction: number;
}

export interface TransactionPlan {
  runner: RunnerPlan;
  statements: StatementTransaction[];
  /** By id. */
  transactions: TransactionInfo[];
  issues: TransactionIssue[];
}

type State = 'none' | 'runner' | 'explicit' | 'implicit';

const OPENS = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']);
const ENDS = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE']);
const SAVEPOINTS = new Set(['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO']);

function transactionStmt(ast: Node | undefined): { kind?: string; chain?: boolean } | undefined {
  return (ast as { TransactionStmt?: { kind?: string; chain?: boolean } } | undefined)?.TransactionStmt;
}

export function planTransactions(runner: RunnerPlan, statements: readonly PlanStatement[]): TransactionPlan {
  const out: StatementTransaction[] = new Array(statements.length);
  const transactions: TransactionInfo[] = [];
  const issues: TransactionIssue[] = [];

  const open = (source: TransactionSource, section: StatementTransaction['section'], why: string): TransactionInfo => {
    const info: TransactionInfo = { id: transactions.length, source, section, statements: [], end: 'statement', why };
    transactions.push(info);
    return info;
  };
  const assign = (index: number, info: TransactionInfo, inTransaction: boolean): void => {
    info.statements.push(index);
    out[index] = { inTransaction, id: info.id, source: info.source, section: info.section };
  };

  const sectionOf = (start: number): SectionPlan | undefined =>
    runner.sections.find((s) => start >= s.start && (start < s.end || (s.end === s.start && start === s.start)));

  // Statements outside every section (before a goose/dbmate file's first marker) are never sent.
  const bySection = new Map<SectionPlan, number[]>();
  statements.forEach((s, i) => {
    const section = sectionOf(s.start);
    if (!section) {
      assign(i, open('not-run', 'none', `${runner.label} runs only the statements after a section marker`), false);
      return;
    }
    const list = bySection.get(section) ?? [];
    list.push(i);
    bySection.set(section, list);
  });

  for (const section of runner.sections) {
    const members = bySection.get(section) ?? [];
    const standalone = new Set(members.filter((i) => isStandalone(runner, statements[i]!)));
    let wraps = section.wraps;
    let why = section.why;
    if (runner.runner === 'flyway' && standalone.size > 0) {
      if (standalone.size === members.length) {
        wraps = false;
        why = 'Flyway runs a migration whose statements cannot run in a transaction without one';
      } else {
        // Flyway names the first statement at which both kinds have been seen.
        const firstStandalone = members.findIndex((i) => standalone.has(i));
        const firstOther = members.findIndex((i) => !standalone.has(i));
        const offending = members[Math.max(firstStandalone, firstOther)]!;
        issues.push({ kind: 'runner-refuses-mix', statement: offending, transaction: -1 });
      }
    }
    // Supabase sends pattern-matched statements on their own; Flyway keeps them in the (refused) migration.
    const batched = runner.runner === 'supabase' ? members.filter((i) => !standalone.has(i)) : members;
    // single-statement-query-is-not-a-block / multi-statement-query-is-one-transaction
    const queryIsBlock = section.sends === 'one-query' && batched.length + section.addedStatements > 1;
    const implicitWhy = `${why}, and PostgreSQL runs a query of several statements as one transaction`;

    let state: State = 'none';
    let current: TransactionInfo | undefined;
    let beganAt: number | undefined;
    if (wraps) {
      state = 'runner';
      current = open('runner', section.direction, why);
    }

    for (const index of members) {
      const statement = statements[index]!;
      if (runner.runner === 'supabase' && standalone.has(index)) {
        assign(index, open('standalone', section.direction, 'the Supabase CLI sends this statement on its own, outside the batch'), false);
        continue;
      }
      // commit-in-query-starts-a-new-implicit-block: after a COMMIT in a one-query section, the rest of the query
      // is a new implicit transaction.
      if (state === 'none' && queryIsBlock) {
        state = 'implicit';
        current = open('implicit', section.direction, implicitWhy);
      }
      const control = transactionStmt(statement.ast);
      const kind = control?.kind;

      if (kind !== undefined && OPENS.has(kind)) {
        if (state === 'runner' || state === 'explicit') {
          issues.push({ kind: 'nested-begin', statement: index, transaction: current!.id });
          assign(index, current!, true);
        } else if (state === 'implicit') {
          // BEGIN turns the implicit block into an explicit one: same transaction, now ended only by COMMIT.
          current!.source = 'explicit';
          for (const earlier of current!.statements) out[earlier]!.source = 'explicit';
          assign(index, current!, true);
          state = 'explicit';
          beganAt = index;
        } else {
          current = open('explicit', section.direction, 'the file opens a transaction with BEGIN');
          assign(index, current, false);
          state = 'explicit';
          beganAt = index;
        }
        continue;
      }

      if (kind !== undefined && ENDS.has(kind)) {
        if (state === 'none') {
          issues.push({ kind: 'nothing-to-end', statement: index, transaction: -1 });
          assign(index, open('autocommit', section.direction, why), false);
          continue;
        }
        if (state === 'runner') issues.push({ kind: 'ends-runner-transaction', statement: index, transaction: current!.id });
        assign(index, current!, true);
        current!.end = kind === 'TRANS_STMT_COMMIT' ? 'commit' : kind === 'TRANS_STMT_ROLLBACK' ? 'rollback' : 'prepare';
        beganAt = undefined;
        if (control?.chain) {
          // COMMIT AND CHAIN starts the next transaction at once.
          current = open('explicit', section.direction, 'COMMIT AND CHAIN starts a new transaction');
          state = 'explicit';
        } else {
          current = undefined;
          state = 'none';
        }
        continue;
      }

      if (kind !== undefined && SAVEPOINTS.has(kind) && state !== 'explicit' && state !== 'runner') {
        issues.push({ kind: 'savepoint-outside-block', statement: index, transaction: current?.id ?? -1 });
      }

      if (state === 'none') {
        assign(index, open('autocommit', section.direction, why), false);
      } else {
        assign(index, current!, true);
      }
    }

    // A COMMIT that closes the runner's transaction as the section's last statement changes nothing: the runner's
    // own COMMIT then only warns. It matters when statements follow it, outside any transaction.
    const last = members[members.length - 1];
    for (let k = issues.length - 1; k >= 0; k--) {
      if (issues[k]!.kind === 'ends-runner-transaction' && issues[k]!.statement === last) issues.splice(k, 1);
    }
    if (current !== undefined) {
      if (state === 'runner') current.end = 'runner-commit';
      else if (state === 'implicit') current.end = 'query-end';
      else if (state === 'explicit') {
        current.end = 'open';
        if (beganAt !== undefined) issues.push({ kind: 'uncommitted', statement: beganAt, transaction: current.id });
      }
    }
  }

  return { runner, statements: out, transactions, issues };
}

function isStandalone(runner: RunnerPlan, statement: PlanStatement): boolean {
  if (runner.standalonePatterns.length === 0) return false;
  const simplified = simplifiedStatementText(statement.text);
  return runner.standalonePatterns.some((p) => p.test(simplified));
}
