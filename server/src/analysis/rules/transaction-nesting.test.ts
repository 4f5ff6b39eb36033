import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding } from '../types';
import type { MigrationRunInput } from '../transactions/runners';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string, migration: MigrationRunInput = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, migration }).findings.filter((f) => f.rule === 'transaction-nesting');
}

describe('transaction-nesting', () => {
  it('reports BEGIN inside the transaction goose opens, naming goose', () => {
    const [f] = findings('-- +goose Up\nBEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\n', { path: '20240101120000_a.sql' });
    expect(f).toMatchObject({ statement: 0, severity: 'warning', data: { issue: 'nested-begin', runner: 'goose' } });
    expect(f!.message).toMatch(/already opened \(goose runs each migration in a transaction\)/);
  });

  it('reports BEGIN inside BEGIN in a plain file', () => {
    expect(findings('BEGIN;\nSELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;').map((f) => [f.statement, f.data?.issue])).toEqual([[2, 'nested-begin']]);
  });

  it('reports a COMMIT that ends the runner’s transaction with statements after it', () => {
    const sql = '-- migrate:up\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nUPDATE orders SET a = 1;\n-- migrate:down\nSELECT 1;';
    const [f] = findings(sql, { path: 'db/migrations/20240101120000_a.sql' });
    expect(f).toMatchObject({ statement: 1, data: { issue: 'ends-runner-transaction', runner: 'dbmate' } });
  });

  it('reports SAVEPOINT outside an explicit block as an error, and a COMMIT with nothing to end as info', () => {
    expect(findings('SAVEPOINT s;').map((f) => [f.severity, f.data?.issue])).toEqual([['error', 'savepoint-outside-block']]);
    expect(findings('SAVEPOINT s;\nSELECT 1;', { path: '1_a.up.sql' }).map((f) => f.data?.issue)).toEqual(['savepoint-outside-block']);
    expect(findings('BEGIN;\nSAVEPOINT s;\nROLLBACK TO s;\nCOMMIT;')).toEqual([]);
    expect(findings('SELECT 1;\nCOMMIT;').map((f) => [f.severity, f.data?.issue])).toEqual([['info', 'nothing-to-end']]);
  });

  it('accepts well-formed transactions', () => {
    expect(findings('BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nROLLBACK;')).toEqual([]);
    expect(findings('-- +goose Up\nSELECT 1;\n', { path: '20240101120000_a.sql' })).toEqual([]);
  });
});
