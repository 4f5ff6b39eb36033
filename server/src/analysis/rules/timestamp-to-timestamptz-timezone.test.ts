import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'timestamp-to-timestamptz-timezone';
const SCHEMA = 'CREATE TABLE events (id int PRIMARY KEY, at timestamp, at_tz timestamptz, plain timestamp);\nCREATE INDEX events_at_idx ON events (at);';
const findings = (sql: string, options: FindingsOptions = {}) => findingsOf(RULE, sql, { schema: SCHEMA, ...options });
const ALTER = 'ALTER TABLE events ALTER COLUMN at TYPE timestamptz;';

describe('timestamp-to-timestamptz-timezone', () => {
  it('without SET TimeZone: values are read in an unknown session TimeZone, and the model says the table is rewritten', () => {
    const [finding, ...rest] = findings(ALTER);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', data: { table: 'public.events', column: 'at', timeZone: 'unknown', rewrite: true } });
    expect(finding!.message).toContain('which this file does not SET');
    expect(finding!.message).toContain('rewrites all of public.events');
  });

  it('under SET TimeZone = UTC (PostgreSQL ≥ 12): no rewrite, but the index on the column is rebuilt', () => {
    const [finding] = findings("SET TimeZone = 'UTC';\n" + ALTER);
    expect(finding).toMatchObject({ severity: 'warning', data: { timeZone: 'UTC', rewrite: false, indexesRebuilt: 1 } });
    expect(finding!.message).toContain("session TimeZone 'UTC'");
    expect(finding!.message).toContain('public.events_at_idx is rebuilt');
  });

  it('under UTC, a column without an index is only a reminder (info)', () => {
    const [finding] = findings("SET TimeZone = 'UTC';\nALTER TABLE events ALTER COLUMN plain TYPE timestamptz;");
    expect(finding).toMatchObject({ severity: 'info', data: { rewrite: false, indexesRebuilt: 0 } });
  });

  it('a zone with offset 0 today but not fixed (Europe/London) still rewrites, and the message names it', () => {
    const [finding] = findings("SET TimeZone = 'Europe/London';\n" + ALTER);
    expect(finding!.data).toMatchObject({ timeZone: 'Europe/London', rewrite: true });
    expect(finding!.message).toContain("'Europe/London'");
  });

  it('reports timestamptz → timestamp too', () => {
    const [finding] = findings('ALTER TABLE events ALTER COLUMN at_tz TYPE timestamp;');
    expect(finding!.message).toContain('timestamptz → timestamp');
  });

  it('does not report other type changes, a column the catalog does not know, or a table created in the file', () => {
    expect(findings('ALTER TABLE events ALTER COLUMN at TYPE timestamp(3);')).toEqual([]);
    expect(findingsOf(RULE, ALTER)).toEqual([]);
    expect(findingsOf(RULE, 'CREATE TABLE events (at timestamp);\n' + ALTER)).toEqual([]);
  });

  it('scales the rewrite with the table size and underlines the clause', () => {
    const sql = 'ALTER TABLE events ALTER COLUMN id SET DEFAULT 0, ALTER COLUMN at TYPE timestamptz;';
    expect(findings(sql, { tables: { events: { rows: 10_000_000 } } })[0]!.severity).toBe('error');
    expect(covered(sql, findings(sql)[0]!.range)).toBe('ALTER COLUMN at TYPE timestamptz');
  });
});
