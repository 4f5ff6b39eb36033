import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'identifier-too-long';
const findings = (sql: string) => findingsOf(RULE, sql);

describe('identifier-too-long', () => {
  it('reports a 64-byte identifier, says what PostgreSQL keeps, and underlines it', () => {
    const name = 'a'.repeat(64);
    const sql = `CREATE INDEX ${name} ON orders (id);`;
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', data: { identifier: name, bytes: 64, truncated: 'a'.repeat(63) } });
    expect(covered(sql, finding!.range)).toBe(name);
  });

  it('accepts exactly 63 bytes', () => {
    expect(findings(`CREATE TABLE ${'b'.repeat(63)} (id int);`)).toEqual([]);
  });

  it('counts UTF-8 bytes, not characters, and truncates at a character boundary', () => {
    // 32 × "é" (2 bytes each) = 64 bytes in 32 characters.
    const name = 'é'.repeat(32);
    const [finding] = findings(`CREATE TABLE "${name}" (id int);`);
    expect(finding!.data).toMatchObject({ identifier: name, bytes: 64, truncated: 'é'.repeat(31) });
    expect(findings(`CREATE TABLE "${'é'.repeat(31)}x" (id int);`)).toEqual([]);
  });

  it('reads quoted identifiers as PostgreSQL does ("" is one quote) and folds unquoted ones', () => {
    const quoted = `"${'Q'.repeat(62)}""x"`; // 62 + 1 + 1 = 64 bytes
    expect(findings(`ALTER TABLE t RENAME TO ${quoted};`)[0]!.data).toMatchObject({ bytes: 64, identifier: `${'Q'.repeat(62)}"x` });
    expect(findings(`ALTER TABLE t ADD COLUMN ${'C'.repeat(64)} int;`)[0]!.data).toMatchObject({ identifier: 'c'.repeat(64) });
  });

  it('reports each long name once per statement, in any statement kind, and ignores long strings and comments', () => {
    const name = 'x'.repeat(70);
    expect(findings(`SELECT ${name} FROM ${name};`)).toHaveLength(1);
    expect(findings(`SELECT '${'s'.repeat(100)}'; -- ${'c'.repeat(100)}`)).toEqual([]);
  });
});
