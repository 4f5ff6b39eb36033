import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding } from '../types';
import type { MigrationRunInput } from '../transactions/runners';

beforeAll(async () => {
  await initParser();
});

const RULE = 'concurrently-in-transaction';
const CIC = 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status)';

function findings(sql: string, migration: MigrationRunInput = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, migration }).findings.filter((f) => f.rule === RULE);
}

describe('concurrently-in-transaction', () => {
  it('reports CREATE INDEX CONCURRENTLY in a golang-migrate file of several statements, saying why and what to do', () => {
    const [f, ...rest] = findings(`SET lock_timeout = '2s';\n${CIC};`, { path: 'migrations/000006_idx.up.sql' });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'error', statement: 1, data: { statement: 'CREATE INDEX CONCURRENTLY', transaction: 'implicit', runner: 'golang-migrate' } });
    expect(f!.message).toMatch(/golang-migrate sends the whole file as one query/);
    expect(f!.message).toMatch(/SQLSTATE 25001/);
    expect(f!.message).toMatch(/alone in a migration file of its own/);
  });

  it('accepts it alone in a golang-migrate file, and in a plain file outside BEGIN … COMMIT', () => {
    expect(findings(`-- comment\n${CIC};\n`, { path: '000006_idx.up.sql' })).toEqual([]);
    expect(findings(`BEGIN;\nSELECT 1;\nCOMMIT;\n${CIC};`)).toEqual([]);
  });

  it('reports it between BEGIN and COMMIT, and inside a goose transaction but not with NO TRANSACTION', () => {
    expect(findings(`BEGIN;\n${CIC};\nCOMMIT;`).map((f) => [f.statement, f.data?.transaction])).toEqual([[1, 'explicit']]);
    const goose = `-- +goose Up\n${CIC};\n-- +goose Down\nDROP INDEX CONCURRENTLY orders_status_idx;\n`;
    const inGoose = findings(goose, { path: '20240101120000_idx.sql' });
    expect(inGoose.map((f) => f.statement)).toEqual([0, 1]);
    expect(inGoose[0]!.message).toMatch(/-- \+goose NO TRANSACTION/);
    expect(findings(`-- +goose NO TRANSACTION\n${goose}`, { path: '20240101120000_idx.sql' })).toEqual([]);
  });

  it('reports a Flyway script that mixes it with other statements (Flyway refuses it) but not one of its own', () => {
    const mixed = findings(`ALTER TABLE orders ADD COLUMN status2 text;\n${CIC};`, { path: 'db/migration/V7__idx.sql' });
    expect(mixed.map((f) => [f.statement, f.data?.reason])).toEqual([[1, 'runner-refuses-mix']]);
    expect(findings(`${CIC};`, { path: 'db/migration/V7__idx.sql' })).toEqual([]);
  });

  it('follows the configuration override', () => {
    expect(findings(`SELECT 1;\n${CIC};`, { path: '000006_idx.up.sql', transaction: 'none' })).toEqual([]);
    expect(findings(`${CIC};`, { path: 'x.sql', transaction: 'per-file' }).length).toBe(1);
  });

  it('leaves statements PostgreSQL accepts in a transaction alone', () => {
    expect(findings('BEGIN;\nCREATE INDEX orders_status_idx ON orders (status);\nCOMMIT;')).toEqual([]);
  });
});
