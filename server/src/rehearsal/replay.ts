/**
 * Replays the migrations that run before the target, for real, on the scratch database: the schema the target
 * runs against is then exactly what PostgreSQL made of them (resolved types, generated names, defaults).
 *
 * Each file runs in the transactions its runner would use (migration-plan.ts, from the analysis core's plan),
 * statement by statement so an error points at its file and line. On the embedded server a statement failing only because a role it grants
 * to does not exist (GRANT … TO app_reader) gets the role created, NOLOGIN, and the file runs again — roles are
 * part of the production cluster, not of the migrations. On a --url server nothing outside the scratch database
 * may change, so statements that create roles, databases or server settings are refused up front.
 */
import type { MigrationRunInput } from '../analysis/transactions';
import type { DbSession } from './driver.js';
import { isDbError } from './driver.js';
import { isClusterWide, planMigration, positionInFile, type MigrationPlan } from './migration-plan.js';
import { RehearsalFailure } from './report.js';
import type { RehearsalServer } from './server.js';
import { quoteIdent } from './driver.js';

export interface MigrationSource {
  /** How the file is shown in messages (relative path, as the user gave it). */
  path: string;
  /** The up section only (goose/dbmate files hold both directions). */
  text: string;
  /**
   * Where and how the file runs (framework, lockstep.json `transaction`, diesel/Flyway metadata), for the analysis
   * core's transaction plan; the path defaults to `path`. Annotations in the text (goose NO TRANSACTION, dbmate
   * transaction:false) are read from the text itself.
   */
  migration?: MigrationRunInput;
  /** @deprecated Ignored: the transaction plan reads the file's annotations itself. */
  noTransaction?: boolean;
}

const MAX_CREATED_ROLES = 50;

export interface ReplayOutcome {
  /** Roles created so that GRANTs in the migrations could run (embedded server only). */
  createdRoles: string[];
  statements: number;
}

export async function replayPrevious(
  server: RehearsalServer,
  database: string,
  sources: readonly MigrationSource[],
  options: { pgVersion: number; signal?: AbortSignal; onFile?: (source: MigrationSource, position: number) => void },
): Promise<ReplayOutcome> {
  const createdRoles: string[] = [];
  let statements = 0;
  const session = await server.driver.connect(database);
  try {
    for (const [position, source] of sources.entries()) {
      options.signal?.throwIfAborted();
      options.onFile?.(source, position);
      const plan = planMigration(source.text, { pgVersion: options.pgVersion, migration: { path: source.path, ...source.migration } });
      const broken = plan.problems[0];
      if (broken) {
        throw new RehearsalFailure({
          phase: 'replay',
          message: `${broken.message} — in an earlier migration, which the rehearsal must run first to build the schema`,
          file: source.path,
          line: broken.line,
          column: broken.column,
          hint: 'Fix the statement (lockstep lint shows it too); a migration that does not parse cannot have run in production either.',
        });
      }
      if (!server.embedded) {
        const clusterWide = plan.statements.find((s) => isClusterWide(s));
        if (clusterWide) {
          throw new RehearsalFailure({
            phase: 'replay',
            message: `this earlier migration changes the whole server (${clusterWide.kind}), not just its database; a --url rehearsal only writes inside its scratch database`,
            file: source.path,
            line: clusterWide.line,
            column: clusterWide.column,
            hint: 'Rehearse on the embedded PostgreSQL (drop --url), where roles and settings are throwaway.',
          });
        }
      }
      let from = 0;
      for (;;) {
        const failure = await runFile(session, plan, from);
        if (!failure) break;
        const missingRole = /^role "(.+)" does not exist$/.exec(failure.error.message);
        if (server.embedded && failure.error.code === '42704' && missingRole && createdRoles.length < MAX_CREATED_ROLES) {
          await session.query(`CREATE ROLE ${quoteIdent(missingRole[1]!)} NOLOGIN`);
          createdRoles.push(missingRole[1]!);
          // A rolled-back transaction runs again from its start; committed statements are not repeated.
          from = failure.restartAt;
          continue;
        }
        const where = positionInFile(plan, failure.statement, failure.error.position);
        throw new RehearsalFailure({
          phase: 'replay',
          message: `${failure.error.message} (SQLSTATE ${failure.error.code}) — while replaying the migrations before the target on an empty PostgreSQL ${server.version}`,
          file: source.path,
          line: where.line,
          column: where.column,
          hint:
            'The earlier migrations must run, in order, on an empty database. If they rely on something created outside the ' +
            'migrations (an extension, a role, a schema), create it in the first migration, or rehearse on a server that has it (--url).',
        });
      }
      statements += plan.statements.length;
    }
  } finally {
    await session.close();
  }
  return { createdRoles, statements };
}

interface FileFailure {
  statement: MigrationPlan['statements'][number];
  error: { message: string; code: string; position?: number };
  /** Where to start again: the start of the transaction that was rolled back, or the failed statement itself. */
  restartAt: number;
}

async function runFile(session: DbSession, plan: MigrationPlan, from: number): Promise<FileFailure | undefined> {
  let inTransaction = false;
  let blockId: number | undefined;
  let transactionStart = from;
  const commit = async (last: number): Promise<FileFailure | undefined> => {
    inTransaction = false;
    try {
      await session.query('COMMIT');
    } catch (error) {
      if (!isDbError(error)) throw error;
      return { statement: plan.statements[last]!, error: { message: `COMMIT failed: ${error.message}`, code: error.code }, restartAt: transactionStart };
    }
    return undefined;
  };
  for (let k = from; k < plan.statements.length; k++) {
    const statement = plan.statements[k]!;
    const transaction = statement.transaction ?? { id: -1 - k, inTransaction: false };
    // The runner's COMMIT (or the end of a multi-statement query) between two transactions.
    if (inTransaction && blockId !== transaction.id) {
      const failure = await commit(k - 1);
      if (failure) return failure;
    }
    if (transaction.inTransaction && !inTransaction && statement.transactionControl !== 'begin') {
      await session.query('BEGIN');
      inTransaction = true;
      blockId = transaction.id;
      transactionStart = k;
    }
    try {
      await session.query(statement.text);
    } catch (error) {
      if (!isDbError(error)) throw error;
      if (inTransaction) await session.query('ROLLBACK').catch(() => undefined);
      return {
        statement,
        error: { message: error.message, code: error.code, ...(error.position !== undefined ? { position: error.position } : {}) },
        restartAt: inTransaction ? transactionStart : k,
      };
    }
    if (statement.transactionControl === 'begin' && !inTransaction) {
      inTransaction = true;
      blockId = transaction.id;
      transactionStart = k;
    }
    if (statement.transactionControl === 'commit' || statement.transactionControl === 'rollback') inTransaction = false;
  }
  return inTransaction ? commit(plan.statements.length - 1) : undefined;
}
