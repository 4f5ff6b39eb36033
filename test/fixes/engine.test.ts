/**
 * The fix engine without a database: version numbering per framework, where phases land, keyword case, ignore
 * comments, and the cases where no fix (or only the commented fallback) is honest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../../server/src/analysis/analyzer.js';
import { replayMigrations } from '../../server/src/analysis/schema-context.js';
import { applyTextEdits, fixAllEdits, fixesForFinding, fixesForStatement, type FixInput } from '../../server/src/analysis/fixes/index.js';
import { versionsAfter } from '../../server/src/analysis/fixes/layout.js';

beforeAll(() => initParser());

const SETUP = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id int);\nCREATE TABLE orgs (id int PRIMARY KEY);';

function input(text: string, path: string | undefined, extra: Partial<FixInput> = {}): FixInput {
  const base = replayMigrations([{ path: 'setup.sql', text: SETUP }]);
  const options = { pgVersion: extra.options?.pgVersion ?? 17, ...(path ? { migration: { path } } : {}) };
  return { text, analysis: analyzeText(text, options, base), options, base, ...(path ? { path } : {}), ...extra, ...(extra.options ? { options } : {}) };
}

function fixFor(i: FixInput, rule: string) {
  const finding = i.analysis.findings.find((f) => f.rule === rule);
  if (!finding) throw new Error(`test bug: no ${rule}: ${i.analysis.findings.map((f) => f.rule).join(', ')}`);
  return fixesForFinding(i, finding);
}

describe('versionsAfter', () => {
  it('numbers sequential versions with the same zero padding, and refuses when the next one is taken', () => {
    expect(versionsAfter('golang-migrate', '000005', undefined, 2)).toEqual(['000006', '000007']);
    expect(versionsAfter('golang-migrate', '000005', '000008', 2)).toEqual(['000006', '000007']);
    expect(versionsAfter('golang-migrate', '000005', '000007', 2)).toBeUndefined();
    // 20-digit versions (kratos) do not lose precision.
    expect(versionsAfter('numbered', '20240102030405060708', undefined, 1)).toEqual(['20240102030405060709']);
  });

  it('adds seconds to timestamp versions, across midnight and year ends', () => {
    expect(versionsAfter('goose', '20231231235959', undefined, 2)).toEqual(['20240101000000', '20240101000001']);
    expect(versionsAfter('diesel', '2024-01-02-030405', '2024-01-02-030407', 1)).toEqual(['2024-01-02-030406']);
    expect(versionsAfter('dbmate', '20240102030405', '20240102030406', 1)).toBeUndefined();
  });

  it('gives Flyway sub-versions, which sort between two versions', () => {
    expect(versionsAfter('flyway', '2', '3', 2)).toEqual(['2.1', '2.2']);
    expect(versionsAfter('flyway', '1_4', undefined, 1)).toEqual(['1_4_1']);
    expect(versionsAfter('flyway', '2', '2.1', 1)).toBeUndefined();
  });
});

describe('where phases land', () => {
  it('in a one-statement golang-migrate file, CONCURRENTLY goes right there (and is a fixAll fix)', () => {
    const i = input('create index on users (email);\n', '/m/000002_x.up.sql');
    const [fix] = fixFor(i, 'create-index-nonconcurrent');
    expect(fix!.files).toEqual([]);
    expect(fix!.fixAll).toBe(true);
    expect(applyTextEdits(i.text, fix!.edits)).toMatch(/\ncreate index concurrently users_email_idx on users \(email\);\n$/);
    expect(fixAllEdits(i)).toEqual(fix!.edits);
  });

  it('without a path, no file can be created: the phases become comments and the fix says why', () => {
    const i = input('BEGIN;\nALTER TABLE users ADD COLUMN x int;\nCREATE INDEX ON users (email);\nCOMMIT;\n', undefined);
    const [fix] = fixFor(i, 'create-index-nonconcurrent');
    expect(fix!.files).toEqual([]);
    expect(fix!.notes).toEqual(['the document has no file path, so Lockstep cannot add migration files next to it']);
    expect(fix!.edits).toEqual(fix!.fallbackEdits);
    expect(fix!.fixAll).toBe(false);
    const text = applyTextEdits(i.text, fix!.edits);
    expect(text).toContain('--   CREATE INDEX CONCURRENTLY users_email_idx ON users (email);');
    expect(text.startsWith('BEGIN;\nALTER TABLE users ADD COLUMN x int;\n')).toBe(true);
    expect(text.endsWith('COMMIT;\n')).toBe(true);
  });

  it('repeats the SET statements before the statement at the top of each new transactional file', () => {
    const i = input("SET statement_timeout = '1min';\nALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);\n", '/m/000002_fk.up.sql');
    const [fix] = fixFor(i, 'fk-without-not-valid');
    const validate = fix!.files.find((f) => f.path.endsWith('_validate_users_org_fk.up.sql'))!;
    expect(validate.text).toContain("SET statement_timeout = '1min';\n\nALTER TABLE users VALIDATE CONSTRAINT users_org_fk;");
    // The concurrent index stays the only statement of its golang-migrate file.
    const index = fix!.files.find((f) => f.path.endsWith('_create_users_org_id_idx_concurrently.up.sql'))!;
    expect(index.text).not.toContain('SET statement_timeout');
  });

  it('in a goose NO TRANSACTION file, the guard goes in place, a DO block wrapped in StatementBegin/End', () => {
    // Without the earlier migrations the index could exist already: the guard drops it only when INVALID.
    const text = '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX users_email_idx ON users (email);\n';
    const i = input(text, '/m/00002_x.sql', { base: undefined });
    const [fix] = fixFor({ ...i, analysis: analyzeText(text, i.options) }, 'create-index-nonconcurrent');
    expect(fix!.files).toEqual([]);
    const fixed = applyTextEdits(text, fix!.edits);
    expect(fixed).toMatch(/-- \+goose Up\n-- \+goose StatementBegin\nDO \$lockstep\$\n[\s\S]*AND NOT indisvalid\) THEN\n[\s\S]*\$lockstep\$;\n-- \+goose StatementEnd\n\nCREATE INDEX CONCURRENTLY users_email_idx ON users \(email\);\n$/);
  });

  it('keeps CRLF line breaks in the edited document', () => {
    const i = input('-- x\r\nALTER TABLE users ADD COLUMN y int;\r\nCREATE INDEX ON users (email);\r\nSELECT 1;\r\n', '/m/000002_x.up.sql');
    const [fix] = fixFor(i, 'create-index-nonconcurrent');
    expect(applyTextEdits(i.text, fix!.edits)).toBe(
      '-- x\r\nALTER TABLE users ADD COLUMN y int;\r\n-- Lockstep fix: build users_email_idx with CREATE INDEX CONCURRENTLY outside a transaction, in 000003_create_users_email_idx_concurrently.up.sql.\r\nSELECT 1;\r\n',
    );
  });
});

describe('no fix where there is nothing to fix', () => {
  it('offers nothing for a table created in the same file, or an index on a partitioned table', () => {
    const created = input('CREATE TABLE t (a int);\nCREATE INDEX ON t (a);\n', '/m/000002_x.up.sql');
    const recipes = (i: FixInput, n: number) => fixesForStatement(i, n).filter((f) => f.recipe !== 'set-timeout');
    expect(recipes(created, 1)).toEqual([]);
    const partitioned = input('CREATE INDEX ON p (a);\n', '/m/000002_x.up.sql', {
      base: replayMigrations([{ path: 's.sql', text: 'CREATE TABLE p (a int) PARTITION BY RANGE (a);' }]),
    });
    expect(recipes({ ...partitioned, analysis: analyzeText(partitioned.text, partitioned.options, partitioned.base) }, 0)).toEqual([]);
  });
});

describe('PostgreSQL 18', () => {
  it('adds the NOT NULL constraint itself NOT VALID and validates it (generated; the test server is 17)', () => {
    const i = input('ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n', '/m/000002_x.up.sql', { options: { pgVersion: 18 } });
    const [fix] = fixFor(i, 'set-not-null-scan');
    expect(applyTextEdits(i.text, fix!.edits)).toBe('ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID;\n');
    expect(fix!.files.map((f) => f.text.trim().split('\n').pop())).toEqual(['ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;', '-- Nothing to revert here: the down migration of 000002_x.up.sql reverts the original statement, whose work this phase completes.']);
  });
});

describe('ignore comments', () => {
  it('adds the rule to an existing directive instead of writing a second one', () => {
    const text = '-- lockstep-ignore missing-lock-timeout: reviewed\nCREATE INDEX ON users (email);\n';
    const i = input(text, '/m/000002_x.up.sql');
    const fix = fixFor(i, 'create-index-nonconcurrent').find((f) => f.recipe === 'ignore-statement')!;
    expect(applyTextEdits(text, fix.edits)).toBe('-- lockstep-ignore missing-lock-timeout, create-index-nonconcurrent: reviewed\nCREATE INDEX ON users (email);\n');
    const file = fixFor(i, 'create-index-nonconcurrent').find((f) => f.recipe === 'ignore-file')!;
    expect(applyTextEdits(text, file.edits)).toBe(`-- lockstep-ignore-file create-index-nonconcurrent: TODO say why this is safe\n${text}`);
  });
});
