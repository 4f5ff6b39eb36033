import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }).findings.filter((f) => f.rule === 'drop-table');
}

describe('drop-table', () => {
  it('reports DROP TABLE of existing tables, naming them as the model does', () => {
    const [f, ...rest] = findings('DROP TABLE IF EXISTS legacy_events, app.old_audit;');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { tables: 'public.legacy_events, app.old_audit', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/relation does not exist/);
  });

  it('follows search_path', () => {
    expect(findings('SET search_path = billing;\nDROP TABLE invoices_old;')[0]?.data?.tables).toBe('billing.invoices_old');
  });

  it('accepts tables created earlier in the file, and other object kinds', () => {
    expect(findings('CREATE TABLE scratch (a int);\nDROP TABLE scratch;')).toEqual([]);
    expect(findings('DROP VIEW v;\nDROP INDEX i;')).toEqual([]);
  });

  it('still reports the existing table in a mixed DROP', () => {
    expect(findings('CREATE TABLE scratch (a int);\nDROP TABLE scratch, legacy;')[0]?.data?.tables).toBe('public.legacy');
  });

  it('accepts a table replaced under the same name later in the same transaction, not in separate ones', () => {
    const steps = 'CREATE TABLE tokens_new (id bigint);\nDROP TABLE tokens;\nALTER TABLE tokens_new RENAME TO tokens;';
    expect(findings(`BEGIN;\n${steps}\nCOMMIT;`)).toEqual([]);
    expect(findings(steps).map((f) => f.data?.tables)).toEqual(['public.tokens']);
    expect(findings('BEGIN;\nDROP TABLE tokens;\nCREATE VIEW tokens AS SELECT 1 AS id;\nCOMMIT;')).toEqual([]);
  });
});
