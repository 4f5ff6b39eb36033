import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'add-column-unique-or-pk';
const findings = (sql: string, options?: FindingsOptions) => findingsOf(RULE, sql, options);

describe('add-column-unique-or-pk', () => {
  it('reports ADD COLUMN … UNIQUE: a unique index built under AccessExclusiveLock', () => {
    const [finding, ...rest] = findings('ALTER TABLE users ADD COLUMN email text UNIQUE;');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.users', column: 'email', constraint: 'unique', lock: 'AccessExclusiveLock' },
    });
    expect(finding!.message).toContain('CREATE UNIQUE INDEX CONCURRENTLY');
  });

  it('reports a PRIMARY KEY column that has values, and warns that a constant DEFAULT cannot be unique', () => {
    const [finding] = findings("ALTER TABLE users ADD COLUMN code text PRIMARY KEY DEFAULT 'x';");
    expect(finding!.data).toMatchObject({ constraint: 'primary-key' });
    expect(finding!.message).toContain('fails once public.users has two rows');
    expect(finding!.message).toContain('PRIMARY KEY USING INDEX');
  });

  it('leaves a PRIMARY KEY without a value to add-column-required, and rewriting columns to the rewrite rules', () => {
    expect(findings('ALTER TABLE users ADD COLUMN id bigint PRIMARY KEY;')).toEqual([]);
    expect(findings('ALTER TABLE users ADD COLUMN id bigserial PRIMARY KEY;')).toEqual([]);
    expect(findings('ALTER TABLE users ADD COLUMN token uuid UNIQUE DEFAULT gen_random_uuid();')).toEqual([]);
  });

  it('accepts plain columns and exempts tables created earlier in the file', () => {
    expect(findings('ALTER TABLE users ADD COLUMN email text;')).toEqual([]);
    expect(findings('CREATE TABLE users (id int);\nALTER TABLE users ADD COLUMN email text UNIQUE;')).toEqual([]);
  });

  it('scales with the table size and underlines the clause', () => {
    const sql = 'ALTER TABLE users ADD COLUMN note text, ADD COLUMN email text UNIQUE;';
    expect(findings(sql, { tables: { users: { rows: 3_000_000 } } })[0]).toMatchObject({ severity: 'error', data: { rows: 3_000_000 } });
    expect(findings(sql, { tables: { users: { rows: 30 } } })[0]!.severity).toBe('info');
    expect(covered(sql, findings(sql)[0]!.range)).toBe('ADD COLUMN email text UNIQUE');
  });
});
