import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, analyzeText, initParser } from './analyzer';

beforeAll(async () => {
  await initParser();
});

const options = { pgVersion: 17 };

/** These tests are about positions, parsing and caching; the timeout rules would add a finding to most of them. */
const TIMEOUT_RULES = new Set(['missing-lock-timeout', 'missing-statement-timeout']);

function withoutTimeouts<T extends { rule: string }>(findings: T[]): T[] {
  return findings.filter((f) => !TIMEOUT_RULES.has(f.rule));
}

function rulesOf(sql: string): string[] {
  return withoutTimeouts(analyzeText(sql, options).findings).map((f) => f.rule);
}

describe('analyzer', () => {
  it('gives each statement its exact UTF-16 range after emoji, accents, a BOM, tabs and CRLF', () => {
    const sql = '\uFEFF-- café 🎉\r\n\tCREATE TABLE "naïve" (a int);\r\n\t\tCREATE INDEX i ON orders (a);';
    const { statements, findings: all } = analyzeText(sql, options);
    const findings = withoutTimeouts(all);
    expect(statements.map((s) => s.kind)).toEqual(['CreateStmt', 'IndexStmt']);
    expect(statements[0]!.range).toEqual({ start: { line: 1, character: 1 }, end: { line: 1, character: 29 } });
    expect(statements[1]!.range).toEqual({ start: { line: 2, character: 2 }, end: { line: 2, character: 30 } });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.range.start).toEqual({ line: 2, character: 2 });
  });

  it('reports a syntax error at the exact position PostgreSQL gives and still analyzes the rest', () => {
    const sql = 'CREATE INDEX a ON t (x);\nSELECT 🎉 FROM WHERE;\nCREATE INDEX b ON t (y);';
    const { statements, findings } = analyzeText(sql, options);
    expect(statements.map((s) => s.kind)).toEqual(['IndexStmt', 'SyntaxError', 'IndexStmt']);
    const error = findings.find((f) => f.rule === 'syntax-error')!;
    // PostgreSQL: syntax error at or near "WHERE" — after the emoji, which is two UTF-16 units.
    expect(error.range.start).toEqual({ line: 1, character: 15 });
    expect(error.range.end).toEqual({ line: 1, character: 20 });
    expect(error.data).toEqual({ postgresMessage: 'syntax error at or near "WHERE"' });
    expect(findings.filter((f) => f.rule === 'create-index-nonconcurrent').map((f) => f.statement)).toEqual([0, 2]);
  });

  it('points an error at the end of input at the end of the statement', () => {
    const sql = 'SELECT 1;\nALTER TABLE t ADD COLUMN';
    const error = analyzeText(sql, options).findings.find((f) => f.rule === 'syntax-error')!;
    expect(error.range.start).toEqual({ line: 1, character: 24 });
  });

  it('reports an unterminated dollar quote as a syntax error, not a crash', () => {
    const findings = withoutTimeouts(analyzeText('CREATE INDEX a ON t (x);\nDO $$ BEGIN', options).findings);
    expect(findings.map((f) => f.rule)).toEqual(['create-index-nonconcurrent', 'syntax-error']);
    expect(findings[1]!.message).toMatch(/unterminated dollar-quoted string/);
  });

  it('reports psql meta-commands and template placeholders as not analyzed', () => {
    expect(rulesOf('\\set x 1\nCREATE TABLE {{.Name}} (a int);')).toEqual(['psql-meta-command', 'template-placeholder']);
  });

  it('explains a statement that fails only because of psql variables, and parses :: casts normally', () => {
    const { statements, findings } = analyzeText(`SELECT :'v'::int;\nSELECT a[1:2], '1'::int FROM t;`, options);
    expect(statements.map((s) => s.kind)).toEqual(['PsqlVariable', 'SelectStmt']);
    expect(findings.map((f) => [f.rule, f.range.start.character, f.range.end.character])).toEqual([['psql-meta-command', 7, 11]]);
  });

  it('treats a quoted-identifier Go template and Synapse placeholders as templates', () => {
    const sql = 'CREATE INDEX i ON "{{ index .Options "Namespace" }}".t (a);\nCREATE TABLE s (id $%AUTO_INCREMENT_PRIMARY_KEY%$);';
    expect(analyzeText(sql, options).statements.map((s) => s.kind)).toEqual(['TemplatePlaceholder', 'TemplatePlaceholder']);
  });

  it('exempts an index on a table created earlier in the same file', () => {
    expect(rulesOf('CREATE TABLE t (a int); CREATE INDEX i ON t (a);')).toEqual([]);
    expect(rulesOf('CREATE INDEX i ON t (a); CREATE TABLE t (a int);')).toEqual(['create-index-nonconcurrent']);
  });

  it('re-parses and re-checks only the statements an edit touched', () => {
    const analyzer = new DocumentAnalyzer();
    const before = 'CREATE INDEX a ON t (x);\nCREATE INDEX b ON u (y);\nCREATE INDEX c ON v (z);';
    analyzer.analyze(before, options);
    expect(analyzer.lastWork).toEqual({ parsed: 3, checked: 3 });
    const after = before.replace('(y)', '(y, w)');
    const result = analyzer.analyze(after, options);
    expect(analyzer.lastWork).toEqual({ parsed: 1, checked: 1 });
    expect(result.findings.filter((f) => f.rule === 'create-index-nonconcurrent').map((f) => f.statement)).toEqual([0, 1, 2]);
  });

  it('re-checks a later statement when an earlier one changes the facts it depends on', () => {
    const analyzer = new DocumentAnalyzer();
    analyzer.analyze('CREATE TABLE s (a int);\nCREATE INDEX i ON t (a);', options);
    const result = analyzer.analyze('CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);', options);
    expect(analyzer.lastWork).toEqual({ parsed: 1, checked: 2 });
    expect(result.findings).toEqual([]);
  });

  it('re-checks a statement whose transaction changed though its text and catalog did not, and only that one', () => {
    const analyzer = new DocumentAnalyzer();
    const golang = { ...options, migration: { path: 'migrations/000002_idx.up.sql' } };
    const cic = 'CREATE INDEX CONCURRENTLY i ON t (a);';
    const count = (sql: string) => analyzer.analyze(sql, golang).findings.filter((f) => f.rule === 'concurrently-in-transaction').length;
    expect(count(`SELECT 1;\nSELECT 2;\n${cic}`)).toBe(1);
    // An unrelated edit: the CONCURRENTLY statement's transaction facts are unchanged, so it is not re-checked.
    expect(count(`SELECT 1;\nSELECT 3;\n${cic}`)).toBe(1);
    expect(analyzer.lastWork).toEqual({ parsed: 1, checked: 1 });
    // Alone in the file it no longer runs in a transaction block: same text, same catalog, new answer.
    expect(count(cic)).toBe(0);
    expect(analyzer.lastWork.checked).toBe(1);
  });

  it('re-checks later statements of a transaction when the locks held before them change', () => {
    const analyzer = new DocumentAnalyzer();
    const held = (first: string) =>
      analyzer
        .analyze(`BEGIN;\n${first};\nCREATE INDEX i ON c (e);\nCOMMIT;`, options)
        .findings.filter((f) => f.rule === 'statement-after-access-exclusive').length;
    expect(held('ALTER TABLE o ADD COLUMN x int')).toBe(1);
    expect(held('COMMENT ON TABLE o IS NULL')).toBe(0);
    expect(held('ALTER TABLE o ADD COLUMN x int')).toBe(1);
  });
});
