// `lockstep stats`: row counts and sizes of a database's tables, for lockstep.json's statsFile, so rules can scale
// their severity with the real table sizes. Read-only by construction: everything runs in one READ ONLY
// transaction, which PostgreSQL itself stops from writing (SQLSTATE 25006), and only catalog reads and size
// functions are used — plus, for a small table that was never analyzed, a count(*).
import { initParser } from '../../analysis/analyzer';
import type { StatsFile, TableFacts } from '../../analysis/config/config';
import { qualify } from '../../analysis/names';
import { isDbError, pgDriver, redactUrl, type DbSession } from '../../rehearsal/driver';
import { parseCommandArgs } from '../args';
import { ExitCode, UsageError } from '../errors';
import type { CliCommand } from './command';

/**
 * A never-analyzed table up to this heap size is counted exactly (a sequential read of at most this much, which
 * takes well under a second); a larger one is left out with a note rather than scanned on a production server.
 */
export const COUNT_LIMIT_BYTES = 64 * 1024 * 1024;

/** Per statement on the inspected server: a stuck catalog read must not hang CI. */
const STATEMENT_TIMEOUT = '60s';
/**
 * count(*) needs AccessShareLock. Queued behind a migration's AccessExclusiveLock it would make every later reader
 * of that table queue behind it too, so it gives up quickly instead.
 */
const LOCK_TIMEOUT = '1s';

export interface CollectOptions {
  /** Only these schemas; all but the system ones when empty. */
  schemas?: readonly string[];
  /** Largest heap of a never-analyzed table that is counted (default COUNT_LIMIT_BYTES). */
  countLimitBytes?: number;
  /** Now, for collectedAt (tests pin it). */
  now?: () => Date;
}

interface RelationRow {
  schema: string;
  name: string;
  /** Quoted by the server itself, for the count(*) it may run. */
  sql_name: string;
  relkind: string;
  reltuples: number;
  heap_bytes: string;
  total_bytes: string;
  leaf_tuples: number | null;
  leaf_unanalyzed: boolean | null;
  leaf_bytes: string | null;
}

/**
 * Collects the statistics over an open session. The transaction is READ ONLY and REPEATABLE READ (one snapshot
 * for every number), and is always rolled back: there is nothing to commit.
 */
export async function collectTableStats(session: DbSession, options: CollectOptions = {}): Promise<StatsFile> {
  await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await session.query(`SET LOCAL statement_timeout = '${STATEMENT_TIMEOUT}'`);
    await session.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    const server = await session.query<{ version: string; database: string }>(
      "SELECT current_setting('server_version') AS version, current_database() AS database",
    );
    const schemas = options.schemas && options.schemas.length > 0 ? [...options.schemas] : null;
    // Plain tables, partitioned tables (their rows and bytes are their leaf partitions': the parent itself stores
    // nothing and its reltuples stays -1) and materialized views. Temporary tables belong to other sessions.
    const relations = await session.query<RelationRow>(
      `SELECT n.nspname AS schema, c.relname AS name, format('%I.%I', n.nspname, c.relname) AS sql_name, c.relkind::text AS relkind,
              c.reltuples::float8 AS reltuples,
              pg_relation_size(c.oid)::text AS heap_bytes, pg_total_relation_size(c.oid)::text AS total_bytes,
              leaves.tuples AS leaf_tuples, leaves.unanalyzed AS leaf_unanalyzed, leaves.bytes::text AS leaf_bytes
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN LATERAL (
           SELECT sum(greatest(l.reltuples, 0))::float8 AS tuples,
                  bool_or(l.reltuples < 0 AND pg_relation_size(l.oid) > 0) AS unanalyzed,
                  sum(pg_total_relation_size(l.oid)) AS bytes
             FROM pg_partition_tree(c.oid) t JOIN pg_class l ON l.oid = t.relid
            WHERE t.isleaf AND c.relkind = 'p'
         ) leaves ON true
        WHERE c.relkind IN ('r', 'p', 'm')
          AND c.relpersistence <> 't'
          AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
          AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
        ORDER BY n.nspname, c.relname COLLATE "C"`,
      [schemas],
    );
    if (schemas) {
      const found = await session.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY ($1::text[])', [schemas]);
      const missing = schemas.filter((s) => !found.rows.some((r) => r.nspname === s));
      if (missing.length > 0) throw new StatsError(`no schema named ${missing.map((s) => `"${s}"`).join(', ')} in database "${server.rows[0]!.database}"`);
    }

    const tables: Record<string, TableFacts> = {};
    const notes: string[] = [];
    for (const row of relations.rows) {
      const key = qualify(row.schema, row.name);
      if (row.relkind === 'p') {
        tables[key] = { rows: Math.round(row.leaf_tuples ?? 0), bytes: Number(row.leaf_bytes ?? 0) };
        if (row.leaf_unanalyzed) notes.push(`${key}: some partitions have never been analyzed; their rows are not in the total (run ANALYZE ${key})`);
        continue;
      }
      const heapBytes = Number(row.heap_bytes);
      const facts: TableFacts = { bytes: Number(row.total_bytes) };
      // reltuples is -1 until the first VACUUM or ANALYZE (PostgreSQL 14+); before 14 it stayed 0 with pages on disk.
      const neverAnalyzed = row.reltuples < 0 || (row.reltuples === 0 && heapBytes > 0);
      if (!neverAnalyzed) facts.rows = Math.round(row.reltuples);
      else if (heapBytes === 0) facts.rows = 0; // no heap pages, no rows
      else if (heapBytes <= (options.countLimitBytes ?? COUNT_LIMIT_BYTES)) {
        const counted = await countRows(session, row.sql_name);
        if (typeof counted === 'number') {
          facts.rows = counted;
          notes.push(`${key}: never analyzed (reltuples = -1); its ${counted} rows were counted`);
        } else notes.push(`${key}: never analyzed (reltuples = -1) and could not be counted (${counted.reason}); its row count is left out — run ANALYZE ${key}`);
      } else {
        notes.push(`${key}: never analyzed (reltuples = -1) and ${formatBytes(heapBytes)} on disk, too large to count here; its row count is left out — run ANALYZE ${key}`);
      }
      tables[key] = facts;
    }
    // Code-point order, not the server's collation: the same database gives the same file on every server.
    const sorted = Object.fromEntries(Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const stats: StatsFile = {
      tables: sorted,
      collectedAt: (options.now ?? (() => new Date()))().toISOString(),
      server: server.rows[0]!.version.split(' ')[0]!,
      database: server.rows[0]!.database,
    };
    if (notes.length > 0) stats.notes = notes;
    return stats;
  } finally {
    await session.query('ROLLBACK').catch(() => undefined);
  }
}

/** count(*) inside a savepoint, so a refusal (no SELECT privilege, lock timeout) does not abort the snapshot. */
async function countRows(session: DbSession, sqlName: string): Promise<number | { reason: string }> {
  await session.query('SAVEPOINT lockstep_count');
  try {
    const result = await session.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${sqlName}`);
    await session.query('RELEASE SAVEPOINT lockstep_count');
    return Number(result.rows[0]!.n);
  } catch (error) {
    await session.query('ROLLBACK TO SAVEPOINT lockstep_count');
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

class StatsError extends Error {}

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: "write production table sizes (read-only) for lockstep.json's statsFile",
  help: `Usage: lockstep stats --url postgres://USER:PASSWORD@HOST/DB [--schema S]... > lockstep-stats.json

Reads the row count estimate (pg_class.reltuples) and the size on disk
(pg_total_relation_size) of every table, partitioned table and materialized
view, and prints them as JSON for lockstep.json's "statsFile":

  {"tables": {"public.orders": {"rows": 50000000, "bytes": 9126805504}, ...},
   "collectedAt": "2026-11-22T01:00:00.000Z", "server": "17.2",
   "database": "shop", "notes": [...]}

Rules whose cost grows with the table (index builds, rewrites, scans) then
report at info up to 10,000 rows and at error from 1,000,000 rows, and say the
size they used (docs/configuration.md).

Read-only: everything runs in one READ ONLY transaction (PostgreSQL refuses any
write in it) that is rolled back at the end; a role with no privilege beyond
CONNECT is enough. A table that was never analyzed (reltuples = -1) is counted
with count(*) if its heap is at most ${COUNT_LIMIT_BYTES / 1024 / 1024} MB; a larger one is left out and
listed in "notes" (run ANALYZE on it). Each statement gives up after
${STATEMENT_TIMEOUT}, and a count after waiting ${LOCK_TIMEOUT} for a lock.

Options:
  --url URL      the database to read (postgres:// or postgresql://). The
                 password is never printed; PGPASSWORD and ~/.pgpass work
                 when the URL has none.
  --schema S     only tables in schema S (repeatable; default: every schema
                 but pg_* and information_schema)
  -h, --help     show this help

Exit codes: 0 written, 2 usage error or the database could not be read.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('stats', args, {
      url: { type: 'string' },
      schema: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(this.help);
      return ExitCode.ok;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${scrub(positionals[0]!, values.url)}'; the database is given with --url`, 'stats');
    const url = values.url;
    if (url === undefined) throw new UsageError('no database given; e.g. lockstep stats --url postgres://readonly@db.example.com/shop > lockstep-stats.json', 'stats');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      // Not echoed: a malformed URL may still hold a password.
      throw new UsageError('--url is not a valid URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE', 'stats');
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new UsageError(`--url must start with postgres:// or postgresql://, not ${parsed.protocol}//`, 'stats');
    }
    const schemas = values.schema ?? [];
    if (schemas.some((s) => s === '')) throw new UsageError('--schema needs a schema name', 'stats');

    // quote_ident as the analyzer spells relation names needs the parser's keyword table.
    await initParser();
    let session: DbSession | undefined;
    try {
      session = await pgDriver(url, { applicationName: 'lockstep stats' }).connect();
      const stats = await collectTableStats(session, { schemas });
      io.out(`${JSON.stringify(stats, null, 2)}\n`);
      const count = Object.keys(stats.tables).length;
      for (const note of stats.notes ?? []) io.err(scrub(`lockstep: note: ${note}\n`, url));
      io.err(scrub(`lockstep: ${count} ${count === 1 ? 'table' : 'tables'} from ${maskedUrl(url)} (PostgreSQL ${stats.server})\n`, url));
      return ExitCode.ok;
    } catch (error) {
      io.err(scrub(`lockstep: cannot read table statistics from ${maskedUrl(url)}: ${describeError(error)}\n`, url));
      return ExitCode.usageOrIo;
    } finally {
      await session?.close();
    }
  },
};

function describeError(error: unknown): string {
  if (error instanceof StatsError) return `${error.message}.`;
  const message = error instanceof Error ? error.message : String(error);
  if (isDbError(error)) {
    // 28P01 wrong password, 28000 no such role / pg_hba rejection, 3D000 no such database.
    if (error.code === '28P01' || error.code === '28000') return `${message}. Check the user and password in --url (or PGPASSWORD).`;
    if (error.code === '3D000') return `${message}. Check the database name at the end of --url.`;
    if (error.code === '57014') return `${message}. A catalog read took longer than ${STATEMENT_TIMEOUT}; try again when the server is less busy, or use --schema.`;
  }
  // Connection failures already say where and what to check (rehearsal/driver.ts).
  return /[.!]$/.test(message) ? message : `${message}.`;
}

/** `url` for messages: the password masked, in the user part and in a `?password=` parameter alike. */
function maskedUrl(url: string): string {
  try {
    const parsed = new URL(redactUrl(url));
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return '<database URL>';
  }
}

/** Every form of the URL's passwords (user part and `?password=`, raw and percent-decoded) replaced by ***. */
function scrub(text: string, url: string | undefined): string {
  if (url === undefined) return text;
  let secrets: string[];
  try {
    const parsed = new URL(url);
    secrets = [parsed.password, parsed.searchParams.get('password') ?? ''];
  } catch {
    return text.split(url).join('<database URL>');
  }
  let out = text.split(url).join(maskedUrl(url));
  const variants = new Set<string>();
  for (const secret of secrets) {
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    try {
      variants.add(decodeURIComponent(secret));
    } catch {
      // not valid percent-encoding: the raw form is all there is
    }
  }
  for (const variant of [...variants].sort((a, b) => b.length - a.length)) if (variant.length > 0) out = out.split(variant).join('***');
  return out;
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
