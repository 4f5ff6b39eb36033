/**
 * CREATE [UNIQUE] INDEX → CREATE INDEX CONCURRENTLY, outside a transaction block, with a guard against the
 * INVALID index a failed concurrent build leaves behind.
 *
 * Why the guard, and why it sits where it does: when CREATE INDEX CONCURRENTLY fails (a duplicate key for a
 * unique index, a deadlock, a cancel), PostgreSQL keeps the half-built index, marked INVALID, under its name
 * (docs: CREATE INDEX, "Building Indexes Concurrently"). Running the same migration again then fails with
 * "relation already exists" — or, with IF NOT EXISTS, silently keeps the INVALID index. Runners retry the failed
 * file only, so the guard has to be in that file, which needs a runner that runs a non-transactional file
 * statement by statement (goose, Flyway). Runners that send the file as one query (golang-migrate, dbmate,
 * diesel, Prisma) require CONCURRENTLY to be the file's only statement: there the header says how to recover.
 *
 * The guard is `DROP INDEX CONCURRENTLY IF EXISTS` when the schema before the statement is fully known and has no
 * index of that name (so anything by that name is the leftover); otherwise a DO block drops the index only when
 * pg_index says it is INVALID — a plain DROP INDEX, since CONCURRENTLY cannot run inside DO, which runs only on a
 * retry and under a short lock_timeout.
 */
import type { IndexStmt } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { qualify } from '../../names';
import { parseQualifiedName } from '../../catalog/names';
import type { Recipe, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { applyEdits, codeTokens, ident, inCase, literal, slug, type StatementEdit } from '../sql-text';

export const createIndexConcurrently: Recipe = {
  id: 'create-index-concurrently',
  kinds: ['IndexStmt'],
  plans(ctx) {
    const stmt = asNode(ctx.statement.ast, 'IndexStmt');
    if (!stmt?.relation || stmt.concurrent) return [];
    if (ctx.file.createdInFile(stmt.relation)) return [];
    const table = ctx.file.schema.resolve(stmt.relation);
    // PostgreSQL cannot build an index on a partitioned table concurrently (only on each partition).
    if (ctx.file.schema.relationKind(table) === 'partitioned table' || stmt.relation.inh === false) return [];
    const name = stmt.idxname ?? createdIndexName(ctx, stmt);
    if (!name) return [];
    const guarded = guardFits(ctx);
    // Without a guard beside it, IF NOT EXISTS would make a retry keep the INVALID index a failed build left
    // (rule create-index-concurrently-if-not-exists): drop it, so a retry fails loudly and the header says how to
    // recover. With the guard, it stays: the guard removes only an INVALID leftover, and a valid index of that
    // name is still skipped as the author asked.
    const create = concurrentCreateText(ctx, stmt, name, !guarded);
    if (!create) return [];
    const qualified = stmt.relation.schemaname ? `${ident(stmt.relation.schemaname)}.${ident(name)}` : ident(name);
    const relation = ctx.file.catalog.relation(stmt.relation);
    const knownAbsent =
      relation !== undefined && !relation.partial && ctx.input.base !== undefined && !stmt.if_not_exists && !ctx.file.catalog.index(qualified);
    const build = concurrentIndexPhase(ctx, { qualified, name, table, create, knownAbsent });
    if (stmt.if_not_exists && !guarded) {
      const dropped = `IF NOT EXISTS was dropped: after a failed concurrent build it would skip the INVALID leftover ${qualified} and never build the index. Where a valid ${qualified} may already exist, drop it first.`;
      build.phase.notes = [...(build.phase.notes ?? []), dropped];
      build.inPlaceComment = [...(build.inPlaceComment ?? []), dropped];
    }
    const plan: RecipePlan = {
      recipe: this.id,
      title: `Build ${qualified} with CREATE INDEX CONCURRENTLY outside a transaction`,
      preferred: true,
      resolves: ['create-index-nonconcurrent'],
      fixAll: true,
      touches: [table, qualify(parseQualifiedName(table)?.[0] ?? 'public', name)],
      phases: [build.phase],
      ...(build.inPlaceComment ? { inPlaceComment: build.inPlaceComment } : {}),
    };
    return [plan];
  },
};

export interface IndexBuild {
  /** The index as SQL names it (schema only when the statement had one). */
  qualified: string;
  name: string;
  /** The table, qualified (public.t). */
  table: string;
  /** The CREATE INDEX CONCURRENTLY statement. */
  create: string;
  /** The schema is fully known and has no index of that name: the guard may drop whatever has it. */
  knownAbsent: boolean;
}

/**
 * The phase that builds an index concurrently: with the guard in the same file where the runner runs the file
 * statement by statement (or the document already is such a file), else alone with recovery instructions.
 */
export function concurrentIndexPhase(ctx: RecipeContext, build: IndexBuild): { phase: Phase; inPlaceComment?: string[] } {
  const { qualified } = build;
  const recovery =
    `If it fails, PostgreSQL leaves an INVALID index ${qualified} behind: run DROP INDEX CONCURRENTLY IF EXISTS ${qualified}; before running this migration again` +
    (ctx.layout.runner === 'golang-migrate' ? ' (after `migrate force` to the previous version).' : '.');
  const together = guardFits(ctx);
  return {
    phase: {
      slug: slug('create', build.name, 'concurrently'),
      summary: `build ${qualified} without blocking writes to ${build.table} (CONCURRENTLY takes ShareUpdateExclusiveLock).`,
      mode: 'no-transaction',
      statements: together ? [guardText(ctx, qualified, build.knownAbsent), build.create] : [build.create],
      joinsDocument: false,
      notes: together ? ['The guard drops an INVALID index a failed earlier run left behind, so a retry starts clean.'] : [recovery],
    },
    ...(together ? {} : { inPlaceComment: [recovery] }),
  };
}

/** The runner runs the phase's file statement by statement, so the guard can sit right before the build. */
function guardFits(ctx: RecipeContext): boolean {
  return ctx.layout.splitsStatements || ctx.layout.modes[ctx.statement.index] === 'statements';
}

/** The name PostgreSQL gives an unnamed index (the catalog replays the statement on a copy to learn it). */
export function createdIndexName(ctx: RecipeContext, stmt: IndexStmt): string | undefined {
  // A scratch copy, and the new index found among the keys the statement touched: listing the table's indexes
  // before and after (and a full copy's first write) cost the table's index count per code action, so a code
  // action over thousands of CREATE INDEX on one table took seconds (fuzz seed 1, case 21).
  const copy = ctx.file.catalog.scratchClone();
  const { touched } = copy.apply(ctx.statement.ast!, { statement: -1, textHash: '' });
  const table = copy.relation(stmt.relation!)?.key;
  for (const key of touched) {
    const index = copy.index(key);
    if (index && index.table === table && !ctx.file.catalog.index(key)) return index.name;
  }
  return undefined;
}

/**
 * The user's statement with CONCURRENTLY (and the index name, when it had none) inserted, and its IF NOT EXISTS
 * removed when `dropIfNotExists`.
 */
function concurrentCreateText(ctx: RecipeContext, stmt: IndexStmt, name: string, dropIfNotExists: boolean): string | undefined {
  const tokens = codeTokens(ctx.view);
  const index = tokens.findIndex((t) => t.keyword === 'INDEX');
  if (index < 0) return undefined;
  const at = tokens[index]!.end;
  const inserted = ` ${inCase('CONCURRENTLY', ctx.keywordCase)}${stmt.idxname ? '' : ` ${ident(name)}`}`;
  const edits: StatementEdit[] = [{ start: at, end: at, text: inserted }];
  if (dropIfNotExists && stmt.if_not_exists) {
    const [ifToken, notToken, existsToken] = tokens.slice(index + 1, index + 4);
    if (ifToken?.keyword !== 'IF' || notToken?.keyword !== 'NOT' || existsToken?.keyword !== 'EXISTS') return undefined;
    // From the end of INDEX through EXISTS, so `INDEX IF NOT EXISTS name` becomes `INDEX CONCURRENTLY name`.
    edits[0] = { start: at, end: existsToken.end, text: inserted };
  }
  return applyEdits(ctx.view.text, edits);
}

function guardText(ctx: RecipeContext, qualified: string, knownAbsent: boolean): string {
  if (knownAbsent) return inCase(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified}`, ctx.keywordCase);
  const lockTimeout = literal(ctx.policy.lockTimeout);
  return inCase(
    [
      'DO $lockstep$',
      'BEGIN',
      `  IF EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass(${literal(qualified)}) AND NOT indisvalid) THEN`,
      `    PERFORM set_config('lock_timeout', ${lockTimeout}, true);`,
      `    DROP INDEX ${qualified};`,
      '  END IF;',
      'END',
      '$lockstep$',
    ].join('\n'),
    ctx.keywordCase,
  );
}
