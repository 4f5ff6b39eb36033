/**
 * Batched, resumable backfills: a DO block that walks the table by primary-key ranges and COMMITs after each
 * batch, so every batch holds its row locks (and RowExclusiveLock, which blocks no reads or writes) only briefly,
 * and a failure loses one batch, not the whole backfill.
 *
 * - Key ranges, not OFFSET: each batch is an index range scan of the primary key, so the cost per batch stays
 *   flat as the walk advances.
 * - `AND <column> IS NULL` (when filling a new column) makes a rerun skip what is done, and never overwrites a row
 *   written meanwhile (new rows get the column DEFAULT).
 * - COMMIT inside DO is allowed only when the DO is not itself inside a transaction block (PostgreSQL ≥ 11, docs:
 *   PL/pgSQL "Transaction Management"), so the phase runs outside a transaction, alone in its file where the
 *   runner sends a file as one query.
 */
import type { RangeVar } from '@pgsql/types';
import type { RecipeContext } from '../recipe';
import type { Phase } from '../plan';
import { ident, inCase, relationText, slug } from '../sql-text';

export interface Backfill {
  relation: RangeVar;
  /** Qualified table (public.t), for messages. */
  table: string;
  /** `SET` list of the UPDATE: `c = expr`. */
  set: string;
  /** Extra condition rows must meet (the UPDATE's own WHERE, or `c IS NULL`), as SQL. */
  where?: string;
  /** Words for the file name. */
  what: string;
  /** What makes a rerun safe, for the header. */
  rerun: string;
  /** The UPDATE's head as the user wrote it (`UPDATE ONLY t AS a`); default `UPDATE <relation>`. */
  head?: string;
  /** How the key column is qualified inside the UPDATE (the alias, when there is one). */
  qualifier?: string;
}

/** The single-column primary key of the table, when the catalog knows it. */
export function primaryKeyColumn(ctx: RecipeContext, relation: RangeVar): string | undefined {
  const pk = ctx.file.catalog.constraintsOf(relation).find((c) => c.kind === 'primary-key');
  return pk && pk.columns.length === 1 ? pk.columns[0] : undefined;
}

export function batchedBackfill(ctx: RecipeContext, backfill: Backfill, key: string): string {
  const rel = relationText(backfill.relation);
  const k = ident(key);
  const size = ctx.policy.batchSize;
  const extra = backfill.where ? ` AND (${backfill.where})` : '';
  const q = backfill.qualifier ? `${backfill.qualifier}.${k}` : k;
  const head = backfill.head ?? inCase(`UPDATE ${rel}`, ctx.keywordCase);
  return inCase(
    [
      'DO $lockstep$',
      'DECLARE',
      `  lockstep_last ${rel}.${k}%TYPE;`,
      `  lockstep_batch_end ${rel}.${k}%TYPE;`,
      'BEGIN',
      '  LOOP',
      `    SELECT max(${k}) INTO lockstep_batch_end`,
      `      FROM (SELECT ${k} FROM ${rel} WHERE lockstep_last IS NULL OR ${k} > lockstep_last ORDER BY ${k} LIMIT ${size}) AS batch;`,
      '    EXIT WHEN lockstep_batch_end IS NULL;',
      `    ${UPDATE_PLACEHOLDER} SET ${backfill.set}`,
      `      WHERE (lockstep_last IS NULL OR ${q} > lockstep_last) AND ${q} <= lockstep_batch_end${extra};`,
      '    lockstep_last := lockstep_batch_end;',
      '    COMMIT;',
      '  END LOOP;',
      'END',
      '$lockstep$',
    ].join('\n'),
    ctx.keywordCase,
  ).replace(UPDATE_PLACEHOLDER, head);
}

/** Stands in for the UPDATE's head, which is the user's own text and must not be re-cased. */
const UPDATE_PLACEHOLDER = 'LOCKSTEP_UPDATE_HEAD';

export function backfillPhase(ctx: RecipeContext, backfill: Backfill, key: string): Phase {
  return {
    slug: slug('backfill', backfill.what),
    summary: `backfill ${backfill.table} in batches of ${ctx.policy.batchSize} rows by ${ident(key)}, committing after each: only row locks, reads and writes go on.`,
    mode: 'no-transaction',
    statements: [batchedBackfill(ctx, backfill, key)],
    joinsDocument: false,
    notes: [backfill.rerun],
  };
}
