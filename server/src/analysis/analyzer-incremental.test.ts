// Differential test of the analyzer's reuse of its previous analysis (checkpoints, convergence; see analyzer.ts):
// after every edit of a random sequence, the result of the long-lived DocumentAnalyzer must equal, field for field,
// that of a fresh one. The documents mix what makes reuse delicate: transactions (BEGIN/COMMIT, a rollback), SET
// and SET LOCAL of the settings rules read, search_path changes, foreign keys whose rule looks at later indexes,
// syntax errors, psql meta-commands, goose sections — plus real migrations from the shared corpus when present.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, initParser } from './analyzer';
import type { AnalysisOptions, AnalysisResult } from './types';

beforeAll(async () => {
  await initParser();
});

/** Deterministic PRNG (mulberry32), so a failure names a seed that replays it. */
function prng(seed: number): { int(n: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

type Rng = ReturnType<typeof prng>;

const TABLES = ['users', 'orders', 'app.items', 't1', 't2', 'events'];
const COLUMNS = ['a', 'b', 'email', 'owner_id', 'created_at'];

function statement(rng: Rng, k: number): string {
  const t = rng.pick(TABLES);
  const c = rng.pick(COLUMNS);
  switch (rng.int(24)) {
    case 0:
      return `CREATE TABLE ${rng.pick(['t1', 't2', 'events', `t_${k}`])} (id bigserial PRIMARY KEY, ${c} int, owner_id bigint)`;
    case 1:
      return `ALTER TABLE ${t} ADD COLUMN ${c}_${k} text${rng.pick(['', ' NOT NULL', " DEFAULT 'x'", ' DEFAULT now()'])}`;
    case 2:
      return `CREATE INDEX${rng.chance(0.5) ? ' CONCURRENTLY' : ''} ${rng.chance(0.7) ? `idx_${k} ` : ''}ON ${t} (${c})`;
    case 3:
      return `ALTER TABLE ${t} ADD CONSTRAINT fk_${k} FOREIGN KEY (owner_id) REFERENCES users (id)${rng.chance(0.5) ? ' NOT VALID' : ''}`;
    case 4:
      return `ALTER TABLE ${t} VALIDATE CONSTRAINT fk_${rng.int(k + 1)}`;
    case 5:
      return `UPDATE ${t} SET ${c} = 0 WHERE ${c} IS NULL`;
    case 6:
      return `INSERT INTO ${t} (${c}) VALUES (${k})`;
    case 7:
      return `SET ${rng.chance(0.3) ? 'LOCAL ' : ''}${rng.pick(['lock_timeout', 'statement_timeout'])} = '${rng.pick([1, 2, 5])}s'`;
    case 8:
      return rng.pick(['BEGIN', 'COMMIT', 'ROLLBACK', 'BEGIN', 'COMMIT']);
    case 9:
      return `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL`;
    case 10:
      return `ALTER TABLE ${t} ADD CONSTRAINT chk_${k} CHECK (${c} IS NOT NULL)${rng.chance(0.5) ? ' NOT VALID' : ''}`;
    case 11:
      return `DROP INDEX${rng.chance(0.5) ? ' CONCURRENTLY' : ''} IF EXISTS idx_${rng.int(k + 1)}`;
    case 12:
      return rng.pick(['SET search_path = app, public', 'SET LOCAL search_path = app', 'RESET search_path', 'CREATE SCHEMA IF NOT EXISTS app']);
    case 13:
      return `ALTER TABLE ${t} ALTER COLUMN ${c} TYPE bigint`;
    case 14:
      return `SELECT set_config('lock_timeout', '3s', ${rng.chance(0.5)})`;
    case 15:
      return 'SELECT 1 FROM WHERE';
    case 16:
      return `ALTER TABLE ${t} ADD CONSTRAINT uq_${k} UNIQUE (${c})`;
    case 17:
      return `DELETE FROM ${t}`;
    case 18:
      return `ALTER TABLE ${t} RENAME COLUMN ${c} TO ${c}_old`;
    case 19:
      return `DROP TABLE IF EXISTS ${rng.pick(['t1', 't2', `t_${rng.int(k + 1)}`])}`;
    case 20:
      return "SET timezone = 'UTC'";
    case 21:
      return `CREATE UNIQUE INDEX ON ${t} (${c}, id)`;
    case 22:
      return `ALTER TABLE ${t} RENAME TO ${t.replace('app.', '')}_renamed`;
    default:
      return `VACUUM ${t}`;
  }
}

function lineOf(rng: Rng, k: number): string {
  if (rng.chance(0.04)) return '\\set ON_ERROR_STOP on';
  const lead = rng.chance(0.1) ? `-- step ${k}\n` : '';
  return `${lead}${statement(rng, k)};`;
}

function generated(rng: Rng, count: number, goose: boolean): string {
  const lines = Array.from({ length: count }, (_, k) => lineOf(rng, k));
  if (goose) {
    lines.unshift('-- +goose Up');
    lines.splice(Math.floor(lines.length * 0.7), 0, '-- +goose Down');
  }
  return `${lines.join('\n')}\n`;
}

/** One random edit: type or delete characters inside a statement, insert or delete or replace a line, comment. */
function edit(rng: Rng, text: string, k: number): string {
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)].filter((i) => i < text.length);
  const at = rng.pick(lineStarts.length > 0 ? lineStarts : [0]);
  const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
  switch (rng.int(7)) {
    case 0: {
      // Typing inside a statement (often a syntax error or a changed statement, sometimes harmless whitespace).
      const inside = at + rng.int(Math.max(1, lineEnd - at));
      return text.slice(0, inside) + rng.pick([' ', 'x', ' WHERE', ' NOT NULL', '(', "'"]) + text.slice(inside);
    }
    case 1: {
      const inside = at + rng.int(Math.max(1, lineEnd - at));
      return text.slice(0, inside) + text.slice(inside + 1 + rng.int(3));
    }
    case 2:
      return `${text.slice(0, at)}${lineOf(rng, 1000 + k)}\n${text.slice(at)}`;
    case 3:
      return text.slice(0, at) + text.slice(Math.min(text.length, lineEnd + 1));
    case 4:
      return `${text.slice(0, at)}${lineOf(rng, 1000 + k)}\n${text.slice(Math.min(text.length, lineEnd + 1))}`;
    case 5:
      return `${text.slice(0, at)}-- note ${k}\n${text.slice(at)}`;
    default: {
      // Paste a block at the end or the start (edits at the file's edges).
      const block = `${lineOf(rng, 2000 + k)}\n${lineOf(rng, 3000 + k)}\n`;
      return rng.chance(0.5) ? text + block : block + text;
    }
  }
}

/** Everything an analysis returns, as plain data. */
function plain(result: AnalysisResult): unknown {
  return JSON.parse(JSON.stringify({ ...result, statements: result.statements.map(({ ast: _ast, ...s }) => s) }));
}

/** Runs `edits` random edits from `initial`, comparing after each; returns how many analyses reused something. */
function checkSequence(seed: number, initial: string, edits: number, options: AnalysisOptions): number {
  const rng = prng(seed);
  const analyzer = new DocumentAnalyzer();
  let text = initial;
  let reused = 0;
  for (let step = 0; step <= edits; step++) {
    if (step > 0) text = edit(rng, text, step);
    const incremental = analyzer.analyze(text, options);
    const fresh = new DocumentAnalyzer().analyze(text, options);
    if (analyzer.lastWalked.to - analyzer.lastWalked.from < incremental.statements.length) reused++;
    const a = plain(incremental);
    const b = plain(fresh);
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      // toEqual shows the difference; the message says how to replay it.
      expect(a, `seed ${seed}, edit ${step}; text:\n${text}`).toEqual(b);
    }
  }
  return reused;
}

describe('incremental analysis equals a fresh analysis', () => {
  it('on generated migrations with transactions, settings, search_path and foreign keys (psql)', () => {
    for (let seed = 1; seed <= 6; seed++) {
      // The test is about reuse: most edits must reuse something, or it tests nothing the fuzz harness does not.
      expect(checkSequence(seed, generated(prng(seed * 7919), 100, false), 25, { pgVersion: 17 })).toBeGreaterThan(4);
    }
  }, 240_000);

  it('on goose files with Up and Down sections', () => {
    for (let seed = 100; seed <= 103; seed++) {
      const reused = checkSequence(seed, generated(prng(seed), 100, true), 25, { pgVersion: 17, migration: { path: 'db/migrations/00042_x.sql', framework: 'goose' } });
      expect(reused).toBeGreaterThan(4);
    }
  }, 240_000);

  it('with project settings (table sizes, timeouts) and another PostgreSQL version', () => {
    const options: AnalysisOptions = { pgVersion: 12, project: { tables: { users: { rows: 5_000_000 } }, lockTimeoutMs: 2000, rules: { 'drop-table': 'off' } } };
    for (let seed = 200; seed <= 202; seed++) expect(checkSequence(seed, generated(prng(seed), 100, false), 25, options)).toBeGreaterThan(4);
  }, 240_000);

  it('while typing words into statements and deleting them again, one keystroke per analysis', () => {
    // Each keystroke may make the statement a syntax error and the next one valid again: the analyzer then reuses
    // an analysis from before the error (an anchor) rather than the previous one.
    for (let seed = 400; seed <= 402; seed++) {
      const rng = prng(seed);
      const analyzer = new DocumentAnalyzer();
      let text = generated(prng(seed * 31), 80, seed === 401);
      const options: AnalysisOptions = seed === 401 ? { pgVersion: 17, migration: { path: 'db/migrations/00042_x.sql', framework: 'goose' } } : { pgVersion: 17 };
      for (let word = 0; word < 4; word++) {
        const semicolons = [...text.matchAll(/;\n/g)];
        const at = rng.pick(semicolons).index!;
        const typed = ` ${rng.pick(['WHERE', 'NOT NULL', 'x', 'DEFAULT 1', 'CASCADE'])}`;
        const keystrokes = [...Array.from({ length: typed.length }, (_, k) => typed.slice(0, k + 1)), ...Array.from({ length: typed.length }, (_, k) => typed.slice(0, typed.length - 1 - k))];
        for (const [k, partial] of keystrokes.entries()) {
          const version = text.slice(0, at) + partial + text.slice(at);
          const a = plain(analyzer.analyze(version, options));
          const b = plain(new DocumentAnalyzer().analyze(version, options));
          if (JSON.stringify(a) !== JSON.stringify(b)) expect(a, `seed ${seed}, word ${word}, keystroke ${k}; text:\n${version}`).toEqual(b);
        }
      }
    }
  }, 240_000);

  const corpus = join(__dirname, '..', '..', '..', '..', 'shared', 'corpus');
  it.skipIf(!existsSync(join(corpus, 'MANIFEST.tsv')))('on real migrations from the shared corpus', () => {
    const rows = readFileSync(join(corpus, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1).map((l) => l.split('\t'));
    // The largest forward migrations: where statements interact most.
    const files = rows
      .filter((r) => r[4] === 'up' && Number(r[5]) > 3000 && Number(r[5]) < 40000)
      .sort((a, b) => Number(b[5]) - Number(a[5]) || a[3]!.localeCompare(b[3]!))
      .filter((_, k) => k % 15 === 0)
      .slice(0, 10);
    expect(files.length).toBeGreaterThan(5);
    // Most are small or run in one runner transaction (no checkpoint, no transaction start to converge at): reuse
    // is rarer than in the generated files; the point here is equality on real SQL.
    let reused = 0;
    files.forEach((r, k) => (reused += checkSequence(300 + k, readFileSync(join(corpus, r[3]!), 'utf8'), 12, { pgVersion: 17, migration: { path: r[3]! } })));
    expect(reused).toBeGreaterThan(0);
  }, 240_000);
});

describe('edits that leave what a DDL statement does alone re-check only around it', () => {
  /** A file of schema changes on a few tables, each statement on its own (psql autocommit): CREATE TABLE, ADD
   * COLUMN, CREATE INDEX, and early foreign keys whose rule asks about later indexes on their table. */
  function schemaFile(count: number): string {
    const lines = ['CREATE TABLE users (id bigint PRIMARY KEY, email text);', 'ALTER TABLE orders ADD CONSTRAINT fk_o FOREIGN KEY (owner_id) REFERENCES users (id);'];
    for (let k = 0; lines.length < count; k++) {
      lines.push(`CREATE TABLE t_${k} (id bigint PRIMARY KEY, a int);`);
      lines.push(`ALTER TABLE ${k % 3 === 0 ? 'orders' : `t_${k}`} ADD COLUMN c_${k} text DEFAULT 'x';`);
      lines.push(`CREATE INDEX idx_${k} ON t_${k} (a);`);
      lines.push(`UPDATE t_${k} SET a = ${k};`);
    }
    return `${lines.join('\n')}\n`;
  }

  /**
   * Analyzes `texts` in order with one analyzer, comparing each with a fresh analysis; returns what each walked
   * (`count`: how many statements).
   */
  function walks(texts: string[]): Array<{ from: number; to: number; count: number }> {
    const analyzer = new DocumentAnalyzer();
    return texts.map((text) => {
      const incremental = analyzer.analyze(text, { pgVersion: 17 });
      expect(JSON.stringify(plain(incremental))).toBe(JSON.stringify(plain(new DocumentAnalyzer().analyze(text, { pgVersion: 17 }))));
      const { from, to } = analyzer.lastWalked;
      return { from, to, count: to - from };
    });
  }

  /** A walk from the checkpoint before the edit (at most 64 statements before it) to just past it. */
  const LOCAL = 70;

  const original = schemaFile(500);
  const target = 'ALTER TABLE orders ADD COLUMN c_90 text DEFAULT \'x\';';
  const at = original.indexOf(target);
  const statementIndex = original.slice(0, at).split('\n').length - 1;
  const edited = (replacement: string) => original.slice(0, at) + replacement + original.slice(at + target.length);

  it('whitespace, a comment or keyword case inside an ALTER TABLE converges at the next statement', () => {
    expect(at).toBeGreaterThan(0);
    const variants = [
      "ALTER TABLE orders ADD COLUMN  c_90 text DEFAULT 'x';",
      "ALTER TABLE orders /* why */ ADD COLUMN c_90 text DEFAULT 'x';",
      "alter table ORDERS add column c_90 TEXT default 'x';",
    ];
    for (const variant of variants) {
      const [, walked] = walks([original, edited(variant)]);
      // Before, the catalog's history (a hash of statement texts) differed from the edit to the end of the file,
      // and so did every walk.
      expect(walked!.count, variant).toBeLessThan(LOCAL);
    }
  });

  it('a change that does alter the schema still walks on, and still equals a fresh analysis', () => {
    const [, walked] = walks([original, edited("ALTER TABLE orders ADD COLUMN c_90 bigint DEFAULT 'x';")]);
    expect(walked!.count).toBeGreaterThan(LOCAL);
  });

  it('typing a word into a DDL statement and deleting it again re-checks only around it when the text comes back', () => {
    // As an editor sends it: one character per change, before the semicolon, then one backspace per change.
    const word = ' WHERE';
    const end = at + target.length - 1;
    const texts = [original];
    for (let k = 1; k <= word.length; k++) texts.push(original.slice(0, end) + word.slice(0, k) + original.slice(end));
    for (let k = word.length - 1; k >= 0; k--) texts.push(original.slice(0, end) + word.slice(0, k) + original.slice(end));
    const walked = walks(texts);
    // texts[1] adds a space (same statement); texts[2] makes it a syntax error — the schema differs from there on,
    // a walk to the end of the file. The error versions converge with each other; texts[len - 2] is the statement
    // back (with its space), whose schema the analysis before the error had.
    expect(walked[1]!.count).toBeLessThan(LOCAL);
    expect(walked[2]!.to).toBe(502);
    expect(walked[2]!.count).toBeGreaterThan(LOCAL);
    for (let k = 3; k < texts.length; k++) expect(walked[k]!.count, `edit ${k}`).toBeLessThan(LOCAL);
  });

  it('an edit of an ALTER TABLE that adds no index does not re-check the foreign keys above it', () => {
    // fk_o (statement 1) asked which later statements index orders: editing ADD COLUMN on orders cannot change that.
    const [, walked] = walks([original, edited("ALTER TABLE orders ADD COLUMN c_90 bigint DEFAULT 'x';")]);
    expect(walked!.from).toBeGreaterThan(statementIndex - LOCAL);
    // …but adding a unique constraint on orders there can.
    const [, indexing] = walks([original, edited('ALTER TABLE orders ADD CONSTRAINT uq_90 UNIQUE (owner_id);')]);
    expect(indexing!.from).toBe(0);
  });
});
