/**
 * Fuzz inputs: real migrations (the shared corpus when present) and built-in seeds, mutated the ways broken files
 * reach an editor — truncated saves, stray bytes, wrong encodings, unterminated quotes, mixed line endings — plus
 * a fixed set of pathological documents (10 MB on one line, 10,000 nested parentheses, binary files…).
 *
 * Every case is a pure function of (run seed, case number, scale), so `--seed S --case N` rebuilds it exactly.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { caseSeed, Prng } from './prng';

export interface Seed {
  name: string;
  text: string;
}

export interface FuzzCase {
  number: number;
  /** What the case is, e.g. "seed corpus:x/up.sql; truncate → crlf-mix". */
  description: string;
  /** The document as first opened, then after each edit. At least one entry. */
  steps: string[];
}

/** Editors decode a file that is not valid UTF-8 with U+FFFD replacements rather than refuse to open it. */
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeLikeAnEditor(bytes: Uint8Array): string {
  return lenientUtf8.decode(bytes);
}

const builtInSeeds: Seed[] = [
  {
    name: 'builtin:create-and-index',
    text: 'CREATE TABLE users (\n  id bigserial PRIMARY KEY,\n  email text NOT NULL,\n  created_at timestamptz DEFAULT now()\n);\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE accounts ADD COLUMN nickname text;\n',
  },
  {
    name: 'builtin:alter-mix',
    text: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';\nALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;\nUPDATE orders SET status = 'old' WHERE status IS NULL;\n",
  },
  {
    name: 'builtin:function-dollar-quotes',
    text: "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$\nBEGIN\n  NEW.updated_at := now(); -- ';' inside\n  RETURN NEW;\nEND;\n$body$;\nCREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\nDO $$ BEGIN RAISE NOTICE 'x;y'; END $$;\n",
  },
  {
    name: 'builtin:begin-atomic',
    text: "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN a + b ELSE b END;\nEND;\nCREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END;\n",
  },
  {
    name: 'builtin:strings-and-comments',
    text: "/* outer /* nested */ still comment; */\nINSERT INTO notes (body) VALUES (E'it\\'s; fine', 'don''t; stop', U&'\\0041', $tag$ $$ ; $tag$);\n-- trailing comment ;\nCOMMENT ON TABLE notes IS 'Holds; notes';\n",
  },
  {
    name: 'builtin:psql-and-templates',
    text: "\\set ON_ERROR_STOP on\nSELECT :'schema' AS s \\gset\nCREATE TABLE {{ .Schema }}.t (id int);\nCREATE TABLE \"{{ index .Options \"Namespace\" }}\".u (id int);\nCREATE TABLE x (id $%AUTO_INCREMENT_PRIMARY_KEY%$);\nSELECT a[1:2], b::text, c := 1 FROM t;\n",
  },
  {
    name: 'builtin:unicode',
    text: "-- Größere Tabelle für Café-Kunden 🐘👍🏽\nCREATE INDEX idx_kunden ON \"kündé\" (name) WHERE note <> '🐘';\nALTER TABLE \"表\" ADD COLUMN \"列\" text DEFAULT 'ü';\n",
  },
  {
    name: 'builtin:concurrently-and-drops',
    text: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON a (x);\nDROP INDEX CONCURRENTLY IF EXISTS old_idx;\nDROP TABLE IF EXISTS legacy CASCADE;\nALTER TABLE a RENAME COLUMN x TO y;\nREINDEX TABLE a;\nVACUUM ANALYZE a;\n',
  },
  {
    name: 'builtin:partitions-and-types',
    text: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE m (id int, at date) PARTITION BY RANGE (at);\nCREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\nALTER TABLE m DETACH PARTITION m_2024 CONCURRENTLY;\n",
  },
  {
    name: 'builtin:transaction-copy',
    text: "BEGIN;\nLOCK TABLE users IN ACCESS EXCLUSIVE MODE;\nCOPY users (id, email) FROM stdin;\n1\ta@b.c\n\\.\nCOMMIT;\nWITH moved AS (DELETE FROM a WHERE id < 10 RETURNING *) INSERT INTO b SELECT * FROM moved;\n",
  },
];

/**
 * Fuzz seeds: every file of the shared corpus (sorted, so case numbers mean the same on every run) or
 * examples/migrations, plus the built-in seeds. Returns where they came from, for the run's header.
 */
export function loadSeeds(repoRoot: string, corpusDir?: string): { seeds: Seed[]; source: string } {
  const corpus = corpusDir ?? process.env.LOCKSTEP_CORPUS ?? join(repoRoot, '..', 'shared', 'corpus');
  const seeds: Seed[] = [];
  let source: string;
  if (existsSync(join(corpus, 'MANIFEST.tsv'))) {
    const lines = readFileSync(join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
    const header = lines.shift()!.split('\t');
    const pathColumn = header.indexOf('corpus_path');
    const paths = [...new Set(lines.map((line) => line.split('\t')[pathColumn]!))].sort();
    for (const path of paths) {
      seeds.push({ name: `corpus:${path}`, text: decodeLikeAnEditor(readFileSync(join(corpus, path))) });
    }
    source = `${paths.length} files of ${corpus}`;
  } else {
    const examples = join(repoRoot, 'examples', 'migrations');
    const files = existsSync(examples) ? listSqlFiles(examples).sort() : [];
    for (const file of files) {
      seeds.push({ name: `example:${relative(examples, file)}`, text: decodeLikeAnEditor(readFileSync(file)) });
    }
    source = `${files.length} files of examples/migrations (no corpus at ${corpus})`;
  }
  seeds.push(...builtInSeeds);
  return { seeds, source: `${source} + ${builtInSeeds.length} built-in seeds` };
}

function listSqlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSqlFiles(path));
    else if (entry.name.endsWith('.sql')) out.push(path);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations: each takes the current text and returns the next one, as an editor would show it.

interface Mutation {
  name: string;
  apply(rng: Prng, text: string): string;
}

const utf8 = new TextEncoder();

function bytesOf(text: string): Uint8Array {
  return utf8.encode(text);
}

function spliceBytes(bytes: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

function insertAt(rng: Prng, text: string, insert: string): string {
  const at = rng.int(text.length + 1);
  return text.slice(0, at) + insert + text.slice(at);
}

/** Byte sequences that are not valid UTF-8: lone continuation, truncated lead, overlong, surrogate, > U+10FFFF. */
const invalidUtf8: number[][] = [[0x80], [0xbf], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x90], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xfe, 0xff]];

const openers = ["'", '"', "E'", 'U&\'', '$$', '$body$', '$x', '/*', '/* /* ', '--', '{{', '"{{', '$%NAME%$', '\\', ':', ":'", '(', ')', 'BEGIN ATOMIC ', 'CASE ', 'END ', 'BEGIN ', ';'];

const sqlTokens = ['CREATE INDEX ON t (x);', 'ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 1;', 'ALTER TABLE', 'CONCURRENTLY', ' NOT VALID', 'SELECT', 'FROM', 'WHERE', '::', '[', ']', ',', '.', '*', '=', '::jsonb', ' USING gin ', ' DEFAULT random()', '\n\\gexec\n', '\nCOPY t FROM stdin;\n', ' $1 ', '1e999999', "'\\'", '🐘', '\u0301', '\u2028', '\ufeff', '\u00a0'];

const mutations: Mutation[] = [
  { name: 'truncate', apply: (rng, t) => t.slice(0, rng.int(t.length + 1)) },
  { name: 'truncate-bytes', apply: (rng, t) => { const b = bytesOf(t); return decodeLikeAnEditor(b.subarray(0, rng.int(b.length + 1))); } },
  {
    name: 'flip-byte',
    apply: (rng, t) => {
      const b = bytesOf(t);
      if (b.length === 0) return t;
      const copy = b.slice();
      const i = rng.int(copy.length);
      copy[i] = copy[i]! ^ (1 << rng.int(8));
      return decodeLikeAnEditor(copy);
    },
  },
  {
    name: 'insert-bytes',
    apply: (rng, t) => {
      const b = bytesOf(t);
      const insert = Array.from({ length: rng.range(1, 16) }, () => rng.int(256));
      return decodeLikeAnEditor(spliceBytes(b, rng.int(b.length + 1), 0, insert));
    },
  },
  {
    name: 'delete-bytes',
    apply: (rng, t) => {
      const b = bytesOf(t);
      const at = rng.int(b.length + 1);
      return decodeLikeAnEditor(spliceBytes(b, at, Math.min(rng.range(1, 64), b.length - at), []));
    },
  },
  { name: 'invalid-utf8', apply: (rng, t) => { const b = bytesOf(t); return decodeLikeAnEditor(spliceBytes(b, rng.int(b.length + 1), 0, rng.pick(invalidUtf8))); } },
  { name: 'unterminated-opener', apply: (rng, t) => insertAt(rng, t, rng.pick(openers)) },
  { name: 'sql-token', apply: (rng, t) => insertAt(rng, t, rng.pick(sqlTokens)) },
  { name: 'nul', apply: (rng, t) => insertAt(rng, t, '\0'.repeat(rng.range(1, 4))) },
  { name: 'lone-surrogate', apply: (rng, t) => insertAt(rng, t, rng.pick(['\ud800', '\udfff', '\udbff\u0041'])) },
  {
    name: 'line-ending-mix',
    apply: (rng, t) => t.replace(/\r\n|\r|\n/g, () => rng.pick(['\n', '\r\n', '\r', '\n\r'])),
  },
  {
    name: 'duplicate-slice',
    apply: (rng, t) => {
      const a = rng.int(t.length + 1);
      const b = Math.min(t.length, a + rng.range(1, 400));
      return insertAt(rng, t, t.slice(a, b));
    },
  },
  {
    name: 'delete-slice',
    apply: (rng, t) => {
      const a = rng.int(t.length + 1);
      return t.slice(0, a) + t.slice(Math.min(t.length, a + rng.range(1, 200)));
    },
  },
  {
    name: 'swap-statements',
    apply: (rng, t) => {
      const parts = t.split(';');
      if (parts.length < 3) return t;
      const i = rng.int(parts.length);
      const j = rng.int(parts.length);
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
      return parts.join(';');
    },
  },
  { name: 'strip-semicolons', apply: (_rng, t) => t.replace(/;/g, '') },
  { name: 'no-newlines', apply: (_rng, t) => t.replace(/\r\n|\r|\n/g, ' ') },
];

// ---------------------------------------------------------------------------------------------------------------
// Pathological documents: cases 0 … SPECIAL_CASES.length-1 of every run, so each run (smoke runs too) has them.

interface Special {
  name: string;
  /** `scale` is 1 for the full run; the smoke run shrinks sizes so it stays fast. */
  build(rng: Prng, seeds: readonly Seed[], scale: number): string;
}

const MB = 1024 * 1024;

function repeatTo(unit: string, length: number): string {
  return unit.repeat(Math.max(1, Math.ceil(length / unit.length))).slice(0, length);
}

function randomBytes(rng: Prng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

/** Built-in seeds without psql meta-commands: a backslash would turn the rest of a one-line file into one. */
function plainSqlSeeds(seeds: readonly Seed[]): Seed[] {
  return seeds.filter((s) => s.name.startsWith('builtin:') && !s.text.includes('\\'));
}

function oneLine(text: string): string {
  return text.replace(/--[^\n\r]*/g, '').replace(/\s+/g, ' ');
}

const specials: Special[] = [
  {
    name: '10 MB single line of many statements',
    build: (_rng, seeds, scale) => repeatTo(plainSqlSeeds(seeds).map((s) => oneLine(s.text)).join(' '), Math.round(10 * MB * scale)),
  },
  {
    name: '10 MB single-line INSERT (one statement)',
    build: (_rng, _seeds, scale) => `INSERT INTO t (a, b) VALUES ${repeatTo("(1, 'abc'), ", Math.round(10 * MB * scale))}(2, 'z');`,
  },
  { name: '10 MB without a semicolon', build: (_rng, _seeds, scale) => `SELECT ${repeatTo('a + ', Math.round(10 * MB * scale))}1` },
  { name: '10,000 nested parentheses', build: () => `SELECT ${'('.repeat(10_000)}1${')'.repeat(10_000)};\nCREATE INDEX ON t (x);\n` },
  { name: '10,000 unbalanced opening parentheses', build: () => `SELECT ${'('.repeat(10_000)}1;\nCREATE INDEX ON t (x);\n` },
  { name: '10,000 closing parentheses', build: () => `SELECT 1${')'.repeat(10_000)};\nCREATE INDEX ON t (x);\n` },
  { name: '100,000 nested parentheses in an index expression', build: (_r, _s, scale) => { const d = Math.round(100_000 * scale); return `CREATE INDEX ON t (${'('.repeat(d)}x${')'.repeat(d)});`; } },
  {
    name: 'CASE nested 5,000 deep',
    build: () => `SELECT ${'CASE WHEN a THEN '.repeat(5000)}1${' END'.repeat(5000)};\nALTER TABLE t ADD COLUMN c int;\n`,
  },
  {
    name: 'subqueries nested 3,000 deep',
    build: () => `SELECT * FROM ${'(SELECT * FROM '.repeat(3000)}t${') s'.repeat(3000)};\nCREATE INDEX ON t (x);\n`,
  },
  {
    name: 'BEGIN ATOMIC with 5,000 nested CASE … END',
    build: () => `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT ${'CASE WHEN true THEN '.repeat(5000)}1${' END'.repeat(5000)}; END;\nCREATE INDEX ON t (x);\n`,
  },
  { name: '10,000 nested block comments, unterminated', build: () => `${'/* '.repeat(10_000)}CREATE INDEX ON t (x);` },
  { name: 'unterminated dollar quote, then 1 MB', build: (_r, seeds, scale) => `DO $body$ BEGIN ${repeatTo(seeds.map((s) => s.text).join('\n'), Math.round(MB * scale))}` },
  { name: 'unterminated string, then 1 MB', build: (_r, seeds, scale) => `SELECT 'abc ${repeatTo(seeds.map((s) => s.text).join('\n'), Math.round(MB * scale))}` },
  { name: '1 MB identifier, unquoted', build: (_r, _s, scale) => `CREATE TABLE ${repeatTo('abcdefgh', Math.round(MB * scale))} (id int);\nCREATE INDEX ON t (x);\n` },
  { name: '1 MB identifier, quoted', build: (_r, _s, scale) => `CREATE INDEX ON "${repeatTo('ü"" ', Math.round(MB * scale))}" (x);\nALTER TABLE t ADD COLUMN c int;\n` },
  { name: '64 KB of random bytes opened as SQL', build: (rng) => decodeLikeAnEditor(randomBytes(rng, 64 * 1024)) },
  { name: '1 MB of random bytes opened as SQL', build: (rng, _s, scale) => decodeLikeAnEditor(randomBytes(rng, Math.round(MB * scale))) },
  { name: '1 MB of NUL bytes', build: (_r, _s, scale) => '\0'.repeat(Math.round(MB * scale)) },
  { name: 'SQL with NUL between every character', build: (_r, seeds) => plainSqlSeeds(seeds).map((s) => s.text).join('\n').split('').join('\0') },
  { name: '200,000 empty statements', build: (_r, _s, scale) => ';'.repeat(Math.round(200_000 * scale)) },
  { name: '100,000 one-word statements', build: (_r, _s, scale) => 'x;\n'.repeat(Math.round(100_000 * scale)) },
  { name: '20,000 short valid statements', build: (_r, _s, scale) => repeatTo('CREATE INDEX ON t (x);\n', Math.round(20_000 * 23 * scale)) },
  { name: 'CR-only line endings, 100,000 lines', build: (_r, _s, scale) => 'ALTER TABLE t ADD COLUMN c int;\r'.repeat(Math.round(100_000 * scale)) },
  { name: '1 MB string literal of doubled quotes', build: (_r, _s, scale) => `SELECT '${"''".repeat(Math.round(MB * scale / 2))}';` },
  { name: 'number literal with 1 million digits', build: (_r, _s, scale) => `SELECT ${'9'.repeat(Math.round(MB * scale))};\nCREATE INDEX ON t (x);\n` },
];

export const SPECIAL_CASE_COUNT = specials.length;

/** Builds case `n` of the run `runSeed`. Cases below SPECIAL_CASE_COUNT are the pathological documents. */
export function buildCase(runSeed: number, n: number, seeds: readonly Seed[], scale: number): FuzzCase {
  const rng = new Prng(caseSeed(runSeed, n));
  if (n < specials.length) {
    const special = specials[n]!;
    const text = special.build(rng, seeds, scale);
    // One edit on top, so the incremental path sees the pathological text too.
    const edit = rng.pick(mutations);
    return { number: n, description: `${special.name}; then ${edit.name}`, steps: [text, edit.apply(rng, text)] };
  }
  const seed = rng.pick(seeds);
  let text = seed.text;
  const names: string[] = [];
  if (rng.chance(0.05)) {
    const other = rng.pick(seeds);
    text = insertAt(rng, text, other.text);
    names.push(`spliced with ${other.name}`);
  }
  const steps = [text];
  const count = rng.range(1, 4);
  for (let k = 0; k < count; k++) {
    const mutation = rng.pick(mutations);
    text = mutation.apply(rng, text);
    names.push(mutation.name);
    steps.push(text);
  }
  return { number: n, description: `seed ${seed.name}; ${names.join(' → ')}`, steps };
}
