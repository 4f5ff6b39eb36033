import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17, project: { tables: { orders: { rows: 10 } } } }).findings.filter((f) => f.rule === 'trigger-changes');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('trigger-changes', () => {
  it('reports CREATE TRIGGER with the ShareRowExclusiveLock that blocks writes (not size-scaled)', () => {
    const [f, ...rest] = findings('CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { table: 'public.orders', lock: 'ShareRowExclusiveLock', change: 'CREATE TRIGGER orders_audit' } });
    expect(f!.message).toMatch(/every INSERT, UPDATE and DELETE of public\.orders waits/);
  });

  it('reports DROP TRIGGER with the AccessExclusiveLock that also blocks reads', () => {
    const [f] = findings('DROP TRIGGER IF EXISTS orders_audit ON app.orders;');
    expect(f).toMatchObject({ data: { table: 'app.orders', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/every read and write/);
  });

  it('reports ENABLE/DISABLE TRIGGER once per statement, underlining the clause', () => {
    const sql = 'ALTER TABLE orders DISABLE TRIGGER orders_audit, ENABLE TRIGGER orders_other;';
    const found = findings(sql);
    expect(found).toHaveLength(1);
    expect(found[0]!.data).toMatchObject({ lock: 'ShareRowExclusiveLock', change: 'DISABLE TRIGGER orders_audit' });
    expect(covered(sql, found[0]!.range)).toBe('DISABLE TRIGGER orders_audit');
  });

  it('accepts triggers on tables created earlier in the file', () => {
    const sql = 'CREATE TABLE t (a int);\nCREATE TRIGGER t_audit AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION audit();\nALTER TABLE t DISABLE TRIGGER ALL;\nDROP TRIGGER t_audit ON t;';
    expect(findings(sql)).toEqual([]);
  });

  it('accepts the change under an acceptable lock_timeout (the advice is followed), not under 0 or above the policy', () => {
    const create = 'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();';
    expect(findings(`SET lock_timeout = '2s';\n${create}`)).toEqual([]);
    expect(findings(`SET lock_timeout = 0;\n${create}`)).toHaveLength(1);
    const strict = analyzeText(`SET lock_timeout = '10s';\n${create}`, { pgVersion: 17, project: { lockTimeoutMs: 2000 } });
    expect(strict.findings.filter((f) => f.rule === 'trigger-changes')).toHaveLength(1);
  });

  it('accepts a trigger change after a statement of the same transaction took an equal or stronger lock on the table', () => {
    const create = 'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();';
    expect(findings(`BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n${create}\nCOMMIT;`)).toEqual([]);
    // A weaker lock held (SELECT's AccessShareLock) does not cover it.
    expect(findings(`BEGIN;\nSELECT count(*) FROM orders;\n${create}\nCOMMIT;`)).toHaveLength(1);
  });
});
