/**
 * Batched, resumable backfills: a DO block that walks the table by primary-key (or ctid) ranges and COMMITs after each
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
import { ident, inCase, literal, relationText, slug } from '../sql-text';

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

/**
 * How a backfill walks the table:
 * - `key`: by primary-key ranges, one column or several (a row comparison `(a, b) > (…)`, which a btree index on
 *   (a, b) answers as a range scan). Every row is visited exactly once whatever the UPDATE does, since the key
 *   does not change (a backfill that sets a key column is not offered).
 * - `ctid`: a table without a primary key, by ranges of heap pages (`ctid >= '(p,0)' AND ctid < '(p+n,0)'`, a TID
 *   range scan since PostgreSQL 14). An updated row's new version may land on a page the walk has not reached, so
 *   it would be visited again: offered only for backfills whose WHERE skips rows already done (`c IS NULL`), which
 *   makes the second visit update nothing. The walk goes to the table's CURRENT end, so versions that concurrent
 *   writers move beyond the first end are still reached.
 */
export type BatchKey = { kind: 'key'; columns: string[] } | { kind: 'ctid' };

/** The primary key of the table (any number of columns), when the catalog knows it. */
export function primaryKeyColumns(ctx: RecipeContext, relation: RangeVar): string[] | undefined {
  const pk = ctx.file.catalog.constraintsOf(relation).find((c) => c.kind === 'primary-key');
  return pk && pk.columns.length > 0 ? [...pk.columns] : undefined;
}

/** The single-column primary key of the table, when the catalog knows it. */
export function primaryKeyColumn(ctx: RecipeContext, relation: RangeVar): string | undefined {
  const columns = primaryKeyColumns(ctx, relation);
  return columns?.length === 1 ? columns[0] : undefined;
}

/**
 * How to batch a backfill of `relation`: by its primary key, else — when `skipsDone` (its WHERE skips rows
 * already backfilled, see BatchKey) and the server has TID range scans (PostgreSQL 14) — by ctid ranges. The table
 * must be fully known: a partially known one may have a key the catalog never saw.
 */
export function batchKeyOf(ctx: RecipeContext, relation: RangeVar, skipsDone: boolean): BatchKey | undefined {
  const columns = primaryKeyColumns(ctx, relation);
  if (columns) return { kind: 'key', columns };
  const rel = ctx.file.catalog.relation(relation);
  if (!rel || rel.partial || rel.kind !== 'table' || !skipsDone || ctx.pgVersion < 14) return undefined;
  return { kind: 'ctid' };
}

/** What the batches are walked by, for titles and headers: `id`, `(org_id, user_id)`, `ctid ranges`. */
export function batchKeyText(key: BatchKey): string {
  if (key.kind === 'ctid') return 'ctid (heap page) ranges';
  return key.columns.length === 1 ? ident(key.columns[0]!) : `(${key.columns.map(ident).join(', ')})`;
}

export function batchedBackfill(ctx: RecipeContext, backfill: Backfill, key: string | BatchKey): string {
  const batchKey: BatchKey = typeof key === 'string' ? { kind: 'key', columns: [key] } : key;
  if (batchKey.kind === 'ctid') return ctidBackfill(ctx, backfill);
  if (batchKey.columns.length > 1) return compositeKeyBackfill(ctx, backfill, batchKey.columns);
  return singleKeyBackfill(ctx, backfill, batchKey.columns[0]!);
}

function singleKeyBackfill(ctx: RecipeContext, backfill: Backfill, key: string): string {
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

/** A row comparison over the key columns walks a composite primary key in its index order. */
function compositeKeyBackfill(ctx: RecipeContext, backfill: Backfill, columns: readonly string[]): string {
  const rel = relationText(backfill.relation);
  const ks = columns.map(ident);
  const size = ctx.policy.batchSize;
  const extra = backfill.where ? ` AND (${backfill.where})` : '';
  const qs = ks.map((k) => (backfill.qualifier ? `${backfill.qualifier}.${k}` : k));
  const last = columns.map((_, i) => `lockstep_last_${i + 1}`);
  const end = columns.map((_, i) => `lockstep_end_${i + 1}`);
  const row = (names: readonly string[]): string => `(${names.join(', ')})`;
  const head = backfill.head ?? inCase(`UPDATE ${rel}`, ctx.keywordCase);
  return inCase(
    [
      'DO $lockstep$',
      'DECLARE',
      '  lockstep_first boolean := true;',
      ...ks.flatMap((k, i) => [`  ${last[i]} ${rel}.${k}%TYPE;`, `  ${end[i]} ${rel}.${k}%TYPE;`]),
      'BEGIN',
      '  LOOP',
      `    SELECT ${ks.join(', ')} INTO ${end.join(', ')}`,
      `      FROM (SELECT ${ks.join(', ')} FROM ${rel} WHERE lockstep_first OR ${row(ks)} > ${row(last)} ORDER BY ${ks.join(', ')} LIMIT ${size}) AS batch`,
      `      ORDER BY ${ks.map((k) => `${k} DESC`).join(', ')} LIMIT 1;`,
      '    EXIT WHEN NOT FOUND;',
      `    ${UPDATE_PLACEHOLDER} SET ${backfill.set}`,
      `      WHERE (lockstep_first OR ${row(qs)} > ${row(last)}) AND ${row(qs)} <= ${row(end)}${extra};`,
      ...last.map((l, i) => `    ${l} := ${end[i]};`),
      '    lockstep_first := false;',
      '    COMMIT;',
      '  END LOOP;',
      'END',
      '$lockstep$',
    ].join('\n'),
    ctx.keywordCase,
  ).replace(UPDATE_PLACEHOLDER, head);
}

/**
 * Pages per batch from the planner's rows-per-page estimate (100 when the table was never analyzed); the loop
 * re-reads the table's size each time, so it ends at the current last page.
 */
function ctidBackfill(ctx: RecipeContext, backfill: Backfill): string {
  const rel = relationText(backfill.relation);
  const regclass = `${literal(rel)}::regclass`;
  const size = ctx.policy.batchSize;
  const extra = backfill.where ? ` AND (${backfill.where})` : '';
  const ctid = backfill.qualifier ? `${backfill.qualifier}.ctid` : 'ctid';
  const head = backfill.head ?? inCase(`UPDATE ${rel}`, ctx.keywordCase);
  return inCase(
    [
      'DO $lockstep$',
      'DECLARE',
      '  lockstep_page bigint := 0;',
      '  lockstep_step bigint;',
      'BEGIN',
      `  SELECT greatest(1, ceil(${size} / CASE WHEN relpages > 0 AND reltuples > 0 THEN reltuples / relpages ELSE 100 END))::bigint`,
      `    INTO lockstep_step FROM pg_class WHERE oid = ${regclass};`,
      `  WHILE lockstep_page < pg_relation_size(${regclass}) / current_setting('block_size')::bigint LOOP`,
      `    ${UPDATE_PLACEHOLDER} SET ${backfill.set}`,
      `      WHERE ${ctid} >= format('(%s,0)', lockstep_page)::tid AND ${ctid} < format('(%s,0)', lockstep_page + lockstep_step)::tid${extra};`,
      '    lockstep_page := lockstep_page + lockstep_step;',
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

export function backfillPhase(ctx: RecipeContext, backfill: Backfill, key: string | BatchKey): Phase {
  const by = typeof key === 'string' ? ident(key) : batchKeyText(key);
  return {
    slug: slug('backfill', backfill.what),
    summary: `backfill ${backfill.table} in batches of ${ctx.policy.batchSize} rows by ${by}, committing after each: only row locks, reads and writes go on.`,
    mode: 'no-transaction',
    statements: [batchedBackfill(ctx, backfill, key)],
    joinsDocument: false,
    notes: [backfill.rerun],
  };
}
