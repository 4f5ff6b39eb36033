import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string, pgVersion = 17, rule = 'alter-enum-add-value', path?: string): Finding[] {
  return analyzeText(sql, { pgVersion, ...(path ? { migration: { path } } : {}) }).findings.filter((f) => f.rule === rule);
}

describe('alter-enum-add-value', () => {
  it('reports a new value used later in the same transaction (unsafe use of new value)', () => {
    const sql = "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nUPDATE posts SET status = 'archived' WHERE deleted;\nCOMMIT;";
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 1, severity: 'error', data: { type: 'status', value: 'archived', reason: 'used-in-same-transaction' } });
    expect(f!.message).toMatch(/unsafe use of new value/);
    expect(f!.message).toMatch(/UPDATE posts SET status = 'archived'/);
  });

  it('sees the runner’s transaction (goose wraps the file)', () => {
    const sql = "-- +goose Up\nALTER TYPE status ADD VALUE 'archived';\nINSERT INTO posts (status) VALUES ('archived');\n";
    expect(findings(sql, 17, 'alter-enum-add-value', '20240101120000_status.sql').map((f) => f.statement)).toEqual([0]);
  });

  it('accepts the value used in a later transaction, or not used at all', () => {
    expect(findings("ALTER TYPE status ADD VALUE 'archived';\nUPDATE posts SET status = 'archived' WHERE deleted;")).toEqual([]);
    expect(findings("BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nALTER TYPE status ADD VALUE 'hidden' AFTER 'archived';\nCOMMIT;")).toEqual([]);
  });

  it('accepts a type created earlier in the same transaction (PostgreSQL allows its new values)', () => {
    const sql = "BEGIN;\nCREATE TYPE status AS ENUM ('draft');\nALTER TYPE status ADD VALUE 'archived';\nCREATE TABLE p (s status DEFAULT 'archived');\nCOMMIT;";
    expect(findings(sql)).toEqual([]);
  });

  it('before PostgreSQL 12: ADD VALUE in a transaction fails, reported once (by concurrently-in-transaction)', () => {
    const sql = "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nCOMMIT;";
    expect(findings(sql, 11)).toEqual([]);
    expect(findings(sql, 11, 'concurrently-in-transaction').map((f) => f.statement)).toEqual([1]);
    expect(findings(sql, 12, 'concurrently-in-transaction')).toEqual([]);
  });
});
