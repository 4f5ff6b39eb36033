/**
 * DROP INDEX → DROP INDEX CONCURRENTLY, and REINDEX → REINDEX … CONCURRENTLY, outside a transaction block.
 *
 * DROP INDEX takes AccessExclusiveLock on the index's TABLE: it is quick, but it queues behind every running query
 * on the table and everything queues behind it. DROP INDEX CONCURRENTLY waits for those queries instead, holding
 * only ShareUpdateExclusiveLock on the table. It drops one index per statement and refuses CASCADE (docs: DROP
 * INDEX), so a list becomes one statement per index and CASCADE is left alone. A failed run leaves the index
 * INVALID; running DROP INDEX CONCURRENTLY again drops it.
 *
 * REINDEX holds ShareLock on the table (writes wait) while it rebuilds; REINDEX CONCURRENTLY (PostgreSQL ≥ 12)
 * builds a replacement under ShareUpdateExclusiveLock and swaps it in. A failed run leaves an INVALID
 * `<index>_ccnew` index behind, which must be dropped before retrying (docs: REINDEX, "Rebuilding Indexes
 * Concurrently"). System catalogs cannot be reindexed concurrently.
 */
import type { DropStmt, ReindexStmt } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { qualify } from '../../names';
import type { Recipe, RecipeContext } from '../recipe';
import type { RecipePlan } from '../plan';
import { applyEdits, codeTokens, ident, inCase, slug } from '../sql-text';

export const dropIndexConcurrently: Recipe = {
  id: 'drop-index-concurrently',
  kinds: ['DropStmt'],
  plans(ctx) {
    const stmt = asNode(ctx.statement.ast, 'DropStmt');
    if (stmt?.removeType !== 'OBJECT_INDEX' || stmt.concurrent || stmt.behavior === 'DROP_CASCADE') return [];
    const names = indexNames(stmt);
    if (names.length === 0) return [];
    const tables: Array<string | undefined> = [];
    const indexes: string[] = [];
    for (const parts of names) {
      const index = ctx.file.catalog.index(parts.map(ident).join('.'));
      // An index of a table created in this file blocks nobody; a partitioned index cannot be dropped concurrently.
      if (index && ctx.file.createdInFile(index.table)) return [];
      if (index && ctx.file.catalog.relation(index.table)?.kind === 'partitioned-table') return [];
      tables.push(index?.table);
      indexes.push(index?.key ?? qualify(parts.length > 1 ? parts[0]! : 'public', parts[parts.length - 1]!));
    }
    const statements =
      names.length === 1
        ? [insertAfterKeyword(ctx, 'INDEX')]
        : names.map((parts) =>
            inCase(`DROP INDEX CONCURRENTLY ${stmt.missing_ok ? 'IF EXISTS ' : ''}${parts.map(ident).join('.')}`, ctx.keywordCase),
          );
    if (statements.some((s) => s === undefined)) return [];
    const display = names.map((parts) => parts.map(ident).join('.')).join(', ');
    const plan: RecipePlan = {
      recipe: this.id,
      title: `Drop ${display} with DROP INDEX CONCURRENTLY outside a transaction`,
      preferred: true,
      resolves: ['drop-index-nonconcurrent'],
      fixAll: true,
      touches: [...tables.filter((t): t is string => t !== undefined), ...indexes],
      // One phase per index: each DROP INDEX CONCURRENTLY is its own statement and, where the runner sends a file
      // as one query, its own file.
      phases: names.map((parts, i) => ({
        slug: slug('drop', parts[parts.length - 1]!, 'concurrently'),
        summary: `drop ${parts.map(ident).join('.')} without an AccessExclusiveLock on ${tables[i] ?? 'its table'}.`,
        mode: 'no-transaction' as const,
        statements: [statements[i]!],
        joinsDocument: false,
        notes: ['If it fails, the index is left INVALID; running DROP INDEX CONCURRENTLY again drops it.'],
      })),
    };
    return [plan];
  },
};

export const reindexConcurrently: Recipe = {
  id: 'reindex-concurrently',
  kinds: ['ReindexStmt'],
  plans(ctx) {
    const stmt = asNode(ctx.statement.ast, 'ReindexStmt');
    if (!stmt || isConcurrent(stmt) || ctx.pgVersion < 12) return [];
    if (stmt.kind !== 'REINDEX_OBJECT_INDEX' && stmt.kind !== 'REINDEX_OBJECT_TABLE' && stmt.kind !== 'REINDEX_OBJECT_SCHEMA') return [];
    const keyword = stmt.kind === 'REINDEX_OBJECT_INDEX' ? 'INDEX' : stmt.kind === 'REINDEX_OBJECT_TABLE' ? 'TABLE' : 'SCHEMA';
    let table: string | undefined;
    if (stmt.relation) {
      const name = ctx.file.schema.resolve(stmt.relation);
      table = keyword === 'INDEX' ? ctx.file.schema.tableOfIndex(name) ?? undefined : name;
      if (table && ctx.file.createdInFile(table)) return [];
      // Partitioned tables and indexes: REINDEX … CONCURRENTLY works on them from PostgreSQL 14.
      const kind = table ? ctx.file.schema.relationKind(table) : undefined;
      if (kind === 'partitioned table' && ctx.pgVersion < 14) return [];
    }
    const sql = insertAfterKeyword(ctx, keyword);
    if (!sql) return [];
    const target = stmt.relation ? `${stmt.relation.schemaname ? `${ident(stmt.relation.schemaname)}.` : ''}${ident(stmt.relation.relname ?? '')}` : ident(stmt.name ?? '');
    const plan: RecipePlan = {
      recipe: this.id,
      title: `Rebuild ${target} with REINDEX CONCURRENTLY outside a transaction`,
      preferred: true,
      resolves: ['reindex-nonconcurrent'],
      fixAll: true,
      touches: table ? [table] : [],
      phases: [
        {
          slug: slug('reindex', stmt.relation?.relname ?? stmt.name ?? '', 'concurrently'),
          summary: `rebuild ${target} while reads and writes go on (ShareUpdateExclusiveLock).`,
          mode: 'no-transaction',
          statements: [sql],
          joinsDocument: false,
          notes: [
            'If it fails, an INVALID index named <index>_ccnew is left behind: drop it (DROP INDEX CONCURRENTLY) before running this migration again.',
          ],
        },
      ],
    };
    return [plan];
  },
};

function indexNames(stmt: DropStmt): string[][] {
  return (stmt.objects ?? []).map((o) => (asNode(o, 'List')?.items ?? []).map((i) => asNode(i, 'String')?.sval ?? ''));
}

function isConcurrent(stmt: ReindexStmt): boolean {
  return (stmt.params ?? []).some((p) => asNode(p, 'DefElem')?.defname === 'concurrently');
}

/** The user's statement with CONCURRENTLY after its first `keyword` token. */
function insertAfterKeyword(ctx: RecipeContext, keyword: string): string | undefined {
  const token = codeTokens(ctx.view).find((t) => t.keyword === keyword);
  if (!token) return undefined;
  return applyEdits(ctx.view.text, [{ start: token.end, end: token.end, text: ` ${inCase('CONCURRENTLY', ctx.keywordCase)}` }]);
}
