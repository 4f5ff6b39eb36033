/**
 * Whether each statement of a file runs inside a transaction block: the analyzer's answer (`statement.transaction`,
 * planned from the migration runner in analysis/transactions/) when it gave one. For statements without it (an
 * analysis made without transaction planning) the fallback below applies.
 *
 * Fallback — until migration-framework detection lands (goose's `-- +goose NO TRANSACTION`, Flyway's
 * executeInTransaction…), a file without explicit transaction control is assumed to run in ONE implicit
 * transaction: most runners wrap each file in one (Flyway, goose, dbmate, diesel, Prisma), and golang-migrate
 * sends the whole file as one query, which PostgreSQL runs as one implicit transaction block when it holds more
 * than one statement. A file of a single statement is therefore taken to run on its own: that is how
 * golang-migrate users run CREATE INDEX CONCURRENTLY (see examples/migrations/000006). A file with BEGIN/COMMIT
 * is taken at its word: statements outside BEGIN … COMMIT run on their own (autocommit).
 */
import type { Node } from '@pgsql/types';
import type { Statement } from '../types';

/** TransactionStmt kinds that open a block (BEGIN, START TRANSACTION) and that close one (COMMIT/END, ROLLBACK/ABORT, PREPARE TRANSACTION). */
const OPENS = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']);
const CLOSES = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE']);

function transactionKind(ast: Node | undefined): string | undefined {
  const stmt = (ast as { TransactionStmt?: { kind?: string } } | undefined)?.TransactionStmt;
  return stmt?.kind;
}

/**
 * One boolean per statement. BEGIN itself counts as outside the block it opens and COMMIT as inside the block it
 * closes: that is where PostgreSQL executes them.
 */
export function transactionBlockStates(statements: readonly Pick<Statement, 'ast' | 'transaction'>[]): boolean[] {
  if (statements.every((s) => s.transaction !== undefined)) return statements.map((s) => s.transaction!.inTransaction);
  const kinds = statements.map((s) => transactionKind(s.ast));
  const explicit = kinds.some((k) => k !== undefined && (OPENS.has(k) || CLOSES.has(k)));
  if (!explicit) return statements.map(() => statements.length > 1);
  let inBlock = false;
  return kinds.map((kind) => {
    const now = inBlock;
    if (kind !== undefined && OPENS.has(kind)) inBlock = true;
    else if (kind !== undefined && CLOSES.has(kind)) inBlock = false;
    return now;
  });
}
