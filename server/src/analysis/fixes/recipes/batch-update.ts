/**
 * A backfill UPDATE of many rows → the same UPDATE in batches by primary-key ranges, committing after each batch
 * (backfill.ts), in a migration that runs outside a transaction.
 *
 * Why: one UPDATE of a whole table holds its row locks until it commits — and, next to DDL in the same transaction,
 * the DDL's lock too (rule ddl-with-backfill-in-one-transaction) — and rewrites every row version in one go.
 * Batches commit as they go, so concurrent writers wait at most one batch and VACUUM can reclaim old versions.
 * The batch condition is added to the UPDATE's own WHERE. Rerunning repeats the batches from the start, which is
 * safe when the SET list depends only on the row (as backfills do); the header says so.
 * Not offered for UPDATE … RETURNING, UPDATE … WHERE CURRENT OF, a table without a primary key (a ctid walk
 * could visit a moved row twice, and an arbitrary SET list is not safe to apply twice), or an UPDATE that sets a
 * primary-key column.
 */
import type { UpdateStmt } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import type { Recipe } from '../recipe';
import type { RecipePlan } from '../plan';
import { codeTokens, ident } from '../sql-text';
import { batchedBackfill, batchKeyOf, batchKeyText } from './backfill';
import { slug } from '../sql-text';

export const batchUpdate: Recipe = {
  id: 'batch-update',
  kinds: ['UpdateStmt'],
  plans(ctx) {
    const stmt = asNode(ctx.statement.ast, 'UpdateStmt');
    if (!stmt?.relation || stmt.returningClause || stmt.withClause || isCurrentOf(stmt)) return [];
    if (ctx.file.createdInFile(stmt.relation)) return [];
    const flagged = ctx.findings.some((f) => f.rule === 'ddl-with-backfill-in-one-transaction');
    if (!flagged && stmt.whereClause) return [];
    // Only a key walk visits each row once whatever the SET list does (backfill.ts, BatchKey); the UPDATE must not
    // change the key it walks by.
    const key = batchKeyOf(ctx, stmt.relation, false);
    if (key?.kind !== 'key' || setsAnyOf(stmt, key.columns)) return [];
    const table = ctx.file.schema.resolve(stmt.relation);
    // The UPDATE from its SET on (FROM and WHERE included), as the user wrote it.
    const tokens = codeTokens(ctx.view);
    const setToken = tokens.find((t) => t.keyword === 'SET');
    const whereToken = topLevelWhere(tokens);
    if (!setToken) return [];
    const head = ctx.view.text.slice(0, setToken.start).trimEnd();
    const body = ctx.view.text.slice(setToken.end, whereToken ? whereToken.start : ctx.view.text.length).trim();
    const where = whereToken ? ctx.view.text.slice(whereToken.end).trim() : undefined;
    const qualifier = ident(stmt.relation.alias?.aliasname ?? stmt.relation.relname!);
    const sql = batchedBackfill(
      ctx,
      { relation: stmt.relation, table, set: body, ...(where ? { where } : {}), what: '', rerun: '', head, qualifier },
      key,
    );
    const plan: RecipePlan = {
      recipe: this.id,
      title: `Run this UPDATE in batches of ${ctx.policy.batchSize} rows by ${batchKeyText(key)}, each in its own transaction`,
      preferred: true,
      resolves: ['ddl-with-backfill-in-one-transaction', 'update-without-where', 'unbatched-backfill'],
      touches: [table],
      phases: [
        {
          slug: slug('backfill', stmt.relation.relname!),
          summary: `update ${table} in batches of ${ctx.policy.batchSize} rows by ${batchKeyText(key)}, committing after each: writers wait at most one batch.`,
          mode: 'no-transaction',
          statements: [sql],
          joinsDocument: false,
          notes: ['If it stops, run it again: it starts over from the first batch, which is safe when the SET list depends only on the row.'],
        },
      ],
    };
    return [plan];
  },
};

function setsAnyOf(stmt: UpdateStmt, columns: readonly string[]): boolean {
  return (stmt.targetList ?? []).some((t) => {
    const name = asNode(t, 'ResTarget')?.name;
    return name !== undefined && columns.includes(name);
  });
}

function isCurrentOf(stmt: UpdateStmt): boolean {
  return asNode(stmt.whereClause, 'CurrentOfExpr') !== undefined;
}

/** The UPDATE's own WHERE: the first WHERE token outside parentheses. */
function topLevelWhere(tokens: ReturnType<typeof codeTokens>): ReturnType<typeof codeTokens>[number] | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.keyword === 'WHERE') return t;
  }
  return undefined;
}
