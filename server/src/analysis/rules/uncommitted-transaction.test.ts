import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding } from '../types';
import type { MigrationRunInput } from '../transactions/runners';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string, migration: MigrationRunInput = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, migration }).findings.filter((f) => f.rule === 'uncommitted-transaction');
}

describe('uncommitted-transaction', () => {
  it('reports the BEGIN of a transaction the file never ends', () => {
    const [f, ...rest] = findings('SELECT 1;\nBEGIN;\nALTER TABLE orders ADD COLUMN a int;\n');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 1, severity: 'warning', range: { start: { line: 1, character: 0 } } });
    expect(f!.message).toMatch(/rolls everything back/);
  });

  it('checks each goose section on its own', () => {
    const sql = '-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nSELECT 1;\n-- +goose Down\nBEGIN;\nSELECT 2;\nCOMMIT;\n';
    expect(findings(sql, { path: '20240101120000_a.sql' }).map((f) => [f.statement, f.data?.section])).toEqual([[0, 'up']]);
  });

  it('accepts COMMIT, END, ROLLBACK and PREPARE TRANSACTION as ends', () => {
    for (const end of ['COMMIT', 'END', 'ROLLBACK', "PREPARE TRANSACTION 'x'"]) expect(findings(`BEGIN;\nSELECT 1;\n${end};`)).toEqual([]);
  });

  it('re-checks the BEGIN when the COMMIT is typed later in the document (its cached result depends on it)', async () => {
    const { DocumentAnalyzer } = await import('../analyzer');
    const analyzer = new DocumentAnalyzer();
    const open = 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\n';
    expect(analyzer.analyze(open, { pgVersion: 17 }).findings.some((f) => f.rule === 'uncommitted-transaction')).toBe(true);
    expect(analyzer.analyze(`${open}COMMIT;\n`, { pgVersion: 17 }).findings.some((f) => f.rule === 'uncommitted-transaction')).toBe(false);
  });
});
