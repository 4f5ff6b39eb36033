#!/usr/bin/env node
// Generates server/src/analysis/pgfacts/builtin-functions.json: the volatility (pg_proc.provolatile) of every
// function, operator and type-input/cast PostgreSQL ships, read from a real server rather than typed by hand.
//
//   node scripts/gen-function-volatility.mjs           write the JSON
//   node scripts/gen-function-volatility.mjs --check   exit 1 if the committed JSON differs from the server's
//
// It starts a throwaway embedded PostgreSQL 17 (server/src/rehearsal/embedded-server.ts, bundled on the fly with
// esbuild), installs a few contrib extensions whose functions often appear in column defaults, queries the
// catalogs and stops the server.
//
// Format: name → the distinct volatilities of its overloads, as letters in the order i < s < v
// ('i' immutable, 's' stable, 'v' volatile; 'is' = some overloads immutable, some stable). Argument types are
// not stored: a caller that cannot resolve the overload uses the last (most volatile) letter, a safe upper bound.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'server/src/analysis/pgfacts/builtin-functions.json');
const check = process.argv.includes('--check');

// Contrib extensions whose functions show up in migrations' DEFAULT clauses (uuid_generate_v4(), crypt(), …).
// Each is installed into its own schema so its functions can be told apart from pg_catalog's.
const EXTENSIONS = ['uuid-ossp', 'pgcrypto', 'citext', 'hstore', 'ltree', 'pg_trgm', 'unaccent', 'fuzzystrmatch'];

// Functions PostgreSQL 18 added that a PostgreSQL 17 server cannot report. Both generate random UUIDs, so they
// are VOLATILE like gen_random_uuid(). Source: https://www.postgresql.org/docs/18/functions-uuid.html
const ADDED_IN_PG18 = { uuidv4: 'v', uuidv7: 'v' };

// Left out to keep the file small, because none can appear in a DEFAULT or an index expression: procedures,
// functions taking or returning `internal`, and trigger/handler functions (PostgreSQL calls those itself).
const CALLABLE = `
  p.prokind <> 'p'
  and p.prorettype not in ('internal'::regtype, 'trigger'::regtype, 'event_trigger'::regtype,
    'language_handler'::regtype, 'fdw_handler'::regtype, 'index_am_handler'::regtype,
    'table_am_handler'::regtype, 'tsm_handler'::regtype)
  and not ('internal'::regtype = any (p.proargtypes::oid[]))`;

const FUNCTIONS_SQL = (schema) => `
  select p.proname as name, string_agg(distinct p.provolatile::text, '' order by p.provolatile::text) as v
  from pg_proc p
  where p.pronamespace = '${schema}'::regnamespace and ${CALLABLE}
  group by p.proname order by p.proname collate "C"`;

const OPERATORS_SQL = (schema) => `
  select o.oprname as name, string_agg(distinct p.provolatile::text, '' order by p.provolatile::text) as v
  from pg_operator o join pg_proc p on p.oid = o.oprcode
  where o.oprnamespace = '${schema}'::regnamespace
  group by o.oprname order by o.oprname collate "C"`;

// What `'literal'::type` and `expr::type` may call: the type's input function and every cast function into the
// type. Composite (row) types of the system catalogs and pseudo-types are left out.
const TYPES_SQL = `
  with calls as (
    select t.typname, p.provolatile from pg_type t join pg_proc p on p.oid = t.typinput
    where t.typnamespace = 'pg_catalog'::regnamespace and t.typtype in ('b', 'd', 'e', 'r', 'm')
    union all
    select t.typname, p.provolatile from pg_cast c
      join pg_type t on t.oid = c.casttarget join pg_proc p on p.oid = c.castfunc
    where t.typnamespace = 'pg_catalog'::regnamespace and t.typtype in ('b', 'd', 'e', 'r', 'm')
  )
  select typname as name, string_agg(distinct provolatile::text, '' order by provolatile::text) as v
  from calls group by typname order by typname collate "C"`;

function toMap(rows) {
  return Object.fromEntries(rows.map((r) => [r.name, r.v]));
}

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
    external: ['pg-native'],
    logLevel: 'warning',
  });
  const module = await import(pathToFileURL(outfile).href);
  return module.startEmbeddedPostgres ?? module.default.startEmbeddedPostgres;
}

async function main() {
  const startEmbeddedPostgres = await loadEmbeddedServer();
  console.error('starting embedded PostgreSQL…');
  const server = await startEmbeddedPostgres();
  let facts;
  try {
    const session = await server.driver.connect();
    try {
      const q = async (sql) => (await session.query(sql)).rows;
      const [{ version }] = await q(`select current_setting('server_version') as version`);
      const extensions = {};
      for (const name of EXTENSIONS) {
        const schema = `ext_${name.replace(/\W/g, '_')}`;
        await q(`create schema ${schema}; create extension "${name}" schema ${schema} cascade`);
        const functions = toMap(await q(FUNCTIONS_SQL(schema)));
        const operators = toMap(await q(OPERATORS_SQL(schema)));
        extensions[name] = { functions, ...(Object.keys(operators).length > 0 ? { operators } : {}) };
      }
      facts = {
        $comment:
          'Generated by scripts/gen-function-volatility.mjs from a real PostgreSQL server; do not edit by hand. ' +
          'Values: distinct volatilities of the overloads, i=immutable s=stable v=volatile, in that order.',
        server: version,
        functions: toMap(await q(FUNCTIONS_SQL('pg_catalog'))),
        operators: toMap(await q(OPERATORS_SQL('pg_catalog'))),
        types: toMap(await q(TYPES_SQL)),
        extensions,
        addedInPg18: ADDED_IN_PG18,
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
      console.error(`${target} differs from what PostgreSQL ${facts.server} reports; run node scripts/gen-function-volatility.mjs`);
      process.exit(1);
    }
    console.error(`${target} is up to date (PostgreSQL ${facts.server}).`);
    return;
  }
  writeFileSync(target, text);
  const count = (m) => Object.keys(m).length;
  console.error(
    `wrote ${target}: ${count(facts.functions)} functions, ${count(facts.operators)} operators, ${count(facts.types)} types, ` +
      `${EXTENSIONS.length} extensions, ${Buffer.byteLength(text)} bytes (PostgreSQL ${facts.server})`,
  );
}

main().catch((error) => {
  console.error(`gen-function-volatility: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
