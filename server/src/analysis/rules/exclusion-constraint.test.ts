import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'exclusion-constraint';

function findings(sql: string, rows?: number): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...(rows !== undefined ? { project: { tables: { bookings: { rows } } } } : {}) }).findings.filter(
    (f) => f.rule === RULE,
  );
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('exclusion-constraint', () => {
  it('reports ADD CONSTRAINT … EXCLUDE on an existing table with the lock and the index method', () => {
    const sql = 'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.bookings', lock: 'AccessExclusiveLock', method: 'gist', constraint: 'bookings_no_overlap' },
    });
    expect(finding!.message).toContain('no CONCURRENTLY or USING INDEX way');
    expect(covered(sql, finding!.range)).toBe('ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&)');
  });

  it('exempts tables created earlier in the file and EXCLUDE in CREATE TABLE', () => {
    expect(findings('CREATE TABLE bookings (room_id int, during tstzrange, EXCLUDE USING gist (room_id WITH =, during WITH &&));')).toEqual([]);
    expect(findings('CREATE TABLE bookings (room_id int);\nALTER TABLE bookings ADD EXCLUDE (room_id WITH =);')).toEqual([]);
  });

  it('does not report other constraints', () => {
    expect(findings('ALTER TABLE bookings ADD UNIQUE (room_id);')).toEqual([]);
  });

  it('scales the severity with the table size', () => {
    const sql = 'ALTER TABLE bookings ADD EXCLUDE (room_id WITH =);';
    expect(findings(sql, 10).map((f) => f.severity)).toEqual(['info']);
    expect(findings(sql, 50_000).map((f) => f.severity)).toEqual(['warning']);
    expect(findings(sql, 2_000_000).map((f) => f.severity)).toEqual(['error']);
  });
});
