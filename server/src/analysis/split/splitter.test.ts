import { describe, expect, it } from 'vitest';
import { splitEdited, splitStatements } from './splitter';

function texts(sql: string): string[] {
  return splitStatements(sql).map((p) => sql.slice(p.start, p.end));
}

describe('splitStatements', () => {
  it('splits on semicolons and drops empty statements and trailing comments', () => {
    expect(texts('SELECT 1; ;SELECT 2 -- two\n;\n-- end\n')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('keeps the last statement when it has no semicolon', () => {
    const pieces = splitStatements('SELECT 1;\nSELECT 2  \n');
    expect(pieces.map((p) => p.terminated)).toEqual([true, false]);
    expect(texts('SELECT 1;\nSELECT 2  \n')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('ignores semicolons in strings, quoted identifiers and comments', () => {
    const sql = `INSERT INTO t VALUES ('a;b', 'it''s;'); SELECT "we;ird" FROM t /* ; */; -- ;\nSELECT 3;`;
    expect(texts(sql)).toEqual([`INSERT INTO t VALUES ('a;b', 'it''s;')`, `SELECT "we;ird" FROM t`, 'SELECT 3']);
  });

  it('handles E-strings with backslash escapes but not plain strings', () => {
    expect(texts(`SELECT E'a\\';b'; SELECT 'c\\'; SELECT 2;`)).toEqual([`SELECT E'a\\';b'`, `SELECT 'c\\'`, 'SELECT 2']);
  });

  it('does not treat an identifier ending in e as an E-string prefix', () => {
    expect(texts(`SELECT name'x\\'; SELECT 2;`)).toEqual([`SELECT name'x\\'`, 'SELECT 2']);
  });

  it('handles dollar quotes with and without tags', () => {
    const sql = `CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
DO $body$ BEGIN PERFORM 1; END $body$;
SELECT $1, a$b$c FROM t;`;
    expect(texts(sql)).toHaveLength(3);
    expect(texts(sql)[1]).toBe('DO $body$ BEGIN PERFORM 1; END $body$');
  });

  it('handles nested block comments', () => {
    expect(texts('/* a /* b; */ c; */ SELECT 1; SELECT 2;')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('does not end a statement inside parentheses (CREATE RULE actions)', () => {
    const sql = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1;';
    expect(texts(sql)).toHaveLength(2);
  });

  it('keeps SQL-standard function bodies (BEGIN ATOMIC … END) together', () => {
    const sql = `CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; END; SELECT 2;`;
    expect(texts(sql)).toEqual([
      'CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; END',
      'SELECT 2',
    ]);
  });

  it('does not count BEGIN/END outside routine definitions', () => {
    expect(texts('BEGIN; SELECT 1; END;')).toEqual(['BEGIN', 'SELECT 1', 'END']);
  });

  it('reports psql meta-commands as their own pieces, to the end of the line', () => {
    const pieces = splitStatements('\\set ON_ERROR_STOP on\nSELECT 1;\n\\if :x\nSELECT 2 \\gset\n');
    expect(pieces.map((p) => p.kind)).toEqual(['psql-meta', 'sql', 'psql-meta', 'sql', 'psql-meta']);
  });

  it('records Go-template placeholders outside quotes and skips their content', () => {
    const sql = `ALTER TABLE {{ .Schema }}.t ADD COLUMN c int; SELECT '{{ not a template }}';`;
    const pieces = splitStatements(sql);
    expect(pieces).toHaveLength(2);
    expect(sql.slice(...pieces[0]!.templates[0]!)).toBe('{{ .Schema }}');
    expect(pieces[1]!.templates).toEqual([]);
  });

  it('never throws on unterminated constructs: the rest of the file is one statement', () => {
    for (const sql of [`SELECT 'abc; SELECT 2;`, 'SELECT $$abc; SELECT 2;', 'SELECT /* abc; SELECT 2;', 'SELECT "abc; SELECT 2;', 'SELECT {{ x; SELECT 2;']) {
      const pieces = splitStatements(sql);
      expect(pieces).toHaveLength(1);
      expect(pieces[0]!.terminated).toBe(false);
    }
  });

  it('skips a byte-order mark and records trivia before each statement', () => {
    const sql = '\uFEFF-- lockstep-ignore x\nSELECT 1;';
    const [piece] = splitStatements(sql);
    expect(sql.slice(piece!.start, piece!.end)).toBe('SELECT 1');
    expect(sql.slice(piece!.triviaStart, piece!.start)).toBe('\uFEFF-- lockstep-ignore x\n');
  });
});

describe('splitEdited', () => {
  // Fragments that make the splitter's state delicate: quotes, dollar quotes (also unterminated), nested comments,
  // routine bodies, psql meta-commands, templates, empty statements, `$%NAME%$` placeholders.
  const fragments = [
    'SELECT 1;\n', "INSERT INTO t VALUES ('a;b');\n", 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n',
    'DO $$ BEGIN PERFORM 1; END $$;\n', '$body$ ; ', '/* a /* nested ; */ ; */', '-- c ;\n', '\\set x 1\n', ';;', "E'\\';'",
    'SELECT "{{ .Name }}" FROM t;\n', "SELECT '$%X%$';\n", 'ALTER TABLE t ADD COLUMN c int;\n', "'", '"', '(', ')', ' ', '\n', '$$',
  ];

  /** Deterministic PRNG (mulberry32). */
  function prng(seed: number): (n: number) => number {
    let a = seed >>> 0;
    return (n) => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
  }

  it('gives the pieces of a full split after random edits', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const int = prng(seed);
      let text = Array.from({ length: 30 }, () => fragments[int(fragments.length)]!).join('');
      let previous = { text, pieces: splitStatements(text) };
      for (let step = 0; step < 40; step++) {
        const at = int(text.length + 1);
        const removed = int(3) === 0 ? int(12) : 0;
        text = text.slice(0, at) + (int(4) === 0 ? '' : fragments[int(fragments.length)]!) + text.slice(at + removed);
        const pieces = splitEdited(text, previous);
        expect(pieces, `seed ${seed}, step ${step}: ${JSON.stringify(text)}`).toEqual(splitStatements(text));
        previous = { text, pieces };
      }
    }
  });

  it('re-scans only around the edit', () => {
    const text = Array.from({ length: 2000 }, (_, k) => `UPDATE t SET a = ${k};\n`).join('');
    const previous = { text, pieces: splitStatements(text) };
    const at = text.indexOf('= 1000;');
    const edited = `${text.slice(0, at)}= 10 + 1000;${text.slice(at + 7)}`;
    const pieces = splitEdited(edited, previous);
    expect(pieces).toEqual(splitStatements(edited));
    // Pieces before the edit are the previous objects themselves; those after it are moved copies.
    expect(pieces[10]).toBe(previous.pieces[10]);
    expect(pieces[1500]).not.toBe(previous.pieces[1500]);
    expect(pieces[1500]!.start).toBe(previous.pieces[1500]!.start + 5);
  });
});
