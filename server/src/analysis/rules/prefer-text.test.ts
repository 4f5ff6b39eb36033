import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'prefer-text';
const findings = (sql: string) => findingsOf(RULE, sql);

describe('prefer-text', () => {
  it('reports varchar(n) and character varying(n) columns as a hint, underlining the type as written', () => {
    const sql = 'CREATE TABLE users (email varchar(255) NOT NULL, name character varying(100));\nALTER TABLE users ADD COLUMN city VARCHAR(80);';
    const result = findings(sql);
    expect(result.map((f) => [f.data?.column, f.data?.type])).toEqual([
      ['email', 'varchar(255)'],
      ['name', 'character varying(100)'],
      ['city', 'VARCHAR(80)'],
    ]);
    expect(result[0]!.severity).toBe('hint');
    expect(covered(sql, result[1]!.range)).toBe('character varying(100)');
    // Honest about the cost: raising the limit does not rewrite.
    expect(result[0]!.message).toContain('Raising it later needs AccessExclusiveLock (no rewrite)');
  });

  it('accepts text, unconstrained varchar and char(n)', () => {
    expect(findings('CREATE TABLE users (email text, name varchar, code char(2));')).toEqual([]);
  });
});
