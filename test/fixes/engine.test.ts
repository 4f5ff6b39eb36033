/**
 * The fix engine without a database: version numbering per framework, where phases land, keyword case, ignore
 * comments, and the cases where no fix (or only the commented fallback) is honest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../../server/src/analysis/analyzer.js';
import { replayMigrations } from '../../server/src/analysis/schema-context.js';
import { applyTextEdits, blockedFixesForStatement, fixAllEdits, fixesForFinding, fixesForStatement, type FixInput } from '../../server/src/analysis/fixes/index.js';
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

describe('fixes that are refused, with the reason', () => {
  const SCHEMA = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, visits int NOT NULL, org int,
  code int GENERATED ALWAYS AS IDENTITY, seq serial, score int DEFAULT 0, double_visits int GENERATED ALWAYS AS (visits * 2) STORED,
  CONSTRAINT visits_positive CHECK (visits >= 0));
CREATE INDEX users_lower_email_idx ON users (lower(email));
CREATE UNIQUE INDEX users_org_key ON users (org) WHERE org IS NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL);
CREATE VIEW org_names AS SELECT id, name FROM orgs;
CREATE TABLE products (id int PRIMARY KEY, title text NOT NULL, price int NOT NULL);
CREATE VIEW product_titles AS SELECT id, title FROM products;
CREATE TABLE teams (id int PRIMARY KEY, owner bigint NOT NULL);
CREATE TABLE memberships (team int NOT NULL REFERENCES teams (id), visits int);`;

  function blockedFor(text: string, pgVersion = 17) {
    const base = replayMigrations([{ path: '/m/000001_init.up.sql', text: SCHEMA }]);
    const options = { pgVersion, migration: { path: '/m/000002_x.up.sql' } };
    const i: FixInput = { text, analysis: analyzeText(text, options, base), options, base, path: '/m/000002_x.up.sql' };
    const statement = i.analysis.statements.find((s) => s.ast)!.index;
    return {
      fixes: fixesForStatement(i, statement).filter((f) => f.recipe === 'expand-contract' || f.recipe === 'add-column-then-backfill'),
      blocked: blockedFixesForStatement(i, statement),
    };
  }

  const cases: Array<[string, string, RegExp]> = [
    ['an identity column', 'ALTER TABLE users RENAME COLUMN code TO number;', /"?code"? is an identity column/],
    ['a serial column', 'ALTER TABLE users RENAME COLUMN seq TO n;', /seq is serial: the sequence it owns/],
    ['a column with a DEFAULT', 'ALTER TABLE users RENAME COLUMN score TO points;', /score has a DEFAULT/],
    ['a generated column', 'ALTER TABLE users RENAME COLUMN double_visits TO dv;', /double_visits is GENERATED ALWAYS AS \(…\) STORED/],
    ['a column a CHECK constraint reads', 'ALTER TABLE users ALTER COLUMN visits TYPE bigint;', /check constraint visits_positive uses visits/],
    ['a column a generated column reads', 'ALTER TABLE users ALTER COLUMN visits TYPE bigint;', /generated column double_visits is computed from visits/],
    ['a column an expression index reads', 'ALTER TABLE users RENAME COLUMN email TO mail;', /index users_lower_email_idx uses email next to an expression key or in an expression/],
    ['a column behind a UNIQUE constraint', 'ALTER TABLE users RENAME COLUMN email TO mail;', /index users_email_key backs constraint users_email_key/],
    ['a column of a partial index', 'ALTER TABLE users ALTER COLUMN org TYPE bigint;', /index users_org_key uses org with a WHERE predicate/],
    ['a column a view reads', 'ALTER TABLE orgs RENAME COLUMN name TO title;', /view public\.org_names reads public\.orgs/],
    ['a column a view selects by name (another column of the table is free)', 'ALTER TABLE products RENAME COLUMN title TO name;', /view public\.product_titles reads public\.products/],
    ['a column a foreign key references', 'ALTER TABLE teams ALTER COLUMN id TYPE bigint;', /id is part of the primary key|foreign key memberships_team_fkey of public\.memberships references id/],
    ['a table without a primary key on PostgreSQL 13', 'ALTER TABLE memberships ALTER COLUMN visits TYPE bigint;', /no primary key and the server is older than PostgreSQL 14/],
  ];
  for (const [what, text, reason] of cases) {
    it(`expand/contract: ${what} gets no fix, and the reason names it`, () => {
      const { fixes, blocked } = blockedFor(`${text}\n`, text.includes('memberships') ? 13 : 17);
      expect(fixes).toEqual([]);
      expect(blocked.map((b) => b.recipe)).toEqual(['expand-contract']);
      expect(blocked[0]!.reasons.join('\n')).toMatch(reason);
    });
  }

  it('a view that does not read the column does not block its type change', () => {
    const { fixes, blocked } = blockedFor('ALTER TABLE products ALTER COLUMN price TYPE bigint;\n');
    expect(blocked).toEqual([]);
    expect(fixes.map((f) => f.recipe)).toEqual(['expand-contract']);
  });

  it('a table without a primary key on PostgreSQL 14+ is batched by ctid, so the type change is offered', () => {
    const { fixes, blocked } = blockedFor('ALTER TABLE memberships ALTER COLUMN visits TYPE bigint;\n');
    expect(blocked).toEqual([]);
    expect(fixes.map((f) => f.recipe)).toEqual(['expand-contract']);
    expect(fixes[0]!.files.map((f) => f.text).join('\n')).toContain("ctid >= format('(%s,0)', lockstep_page)::tid");
  });

  for (const [what, column, reason] of [
    ['identity', 'n bigint GENERATED ALWAYS AS IDENTITY', /n is an identity column: it cannot be added empty and backfilled/],
    ['GENERATED … STORED', 'n int GENERATED ALWAYS AS (visits + 1) STORED', /n is GENERATED … STORED/],
    ['serial with an inline PRIMARY KEY', 'n bigserial PRIMARY KEY', /n is declared with PRIMARY KEY/],
    ['an inline UNIQUE next to a volatile default', 'n uuid DEFAULT gen_random_uuid() UNIQUE', /n is declared with UNIQUE: write it as a separate ALTER TABLE … ADD CONSTRAINT/],
  ] as const) {
    it(`add column: ${what} gets no fix, and the reason says what to do`, () => {
      const { fixes, blocked } = blockedFor(`ALTER TABLE users ADD COLUMN ${column};\n`);
      expect(fixes).toEqual([]);
      expect(blocked.map((b) => b.recipe)).toEqual(['add-column-then-backfill']);
      expect(blocked[0]!.reasons.join('\n')).toMatch(reason);
      expect(blocked[0]!.resolves.length).toBeGreaterThan(0);
    });
  }
});

describe('Supabase layout', () => {
  it('a phase that must COMMIT per batch cannot be a Supabase migration (one batch = one transaction): commented fallback that says so', () => {
    const path = '/app/supabase/migrations/20240102120000_score.sql';
    const text = 'ALTER TABLE users ADD COLUMN score int DEFAULT random();\n';
    const i = input(text, path, { siblings: ['/app/supabase/migrations/20240101120000_init.sql'] });
    const fix = fixFor(i, 'add-column-volatile-default').find((f) => f.recipe === 'add-column-then-backfill')!;
    expect(fix.files).toEqual([]);
    expect(fix.notes.join('\n')).toMatch(/the Supabase CLI sends a migration file as one batch .* cannot be a Supabase migration; run it with psql/);
  });

  it('a transactional phase lands in the next timestamped file of supabase/migrations, with no down file', () => {
    const path = '/app/supabase/migrations/20240102120000_checks.sql';
    const text = 'ALTER TABLE users ADD CONSTRAINT email_len CHECK (length(email) < 300);\n';
    const i = input(text, path, { siblings: ['/app/supabase/migrations/20240101120000_init.sql'] });
    const statement = i.analysis.statements.find((s) => s.ast)!.index;
    const fix = fixesForStatement(i, statement).find((f) => f.recipe === 'add-constraint-not-valid' || f.files.length > 0)!;
    expect(fix.files.map((f) => f.path)).toEqual(['/app/supabase/migrations/20240102120001_validate_email_len.sql']);
  });
});

describe('sqitch layout', () => {
  const text = 'BEGIN;\nALTER TABLE users ADD COLUMN score int DEFAULT random();\nCOMMIT;\n';
  const path = '/shop/deploy/users_score.sql';
  const plan = (extra = '') => ({ path: '/shop/sqitch.plan', text: `%project=shop\n\nusers_score 2024-01-02T11:00:00Z Ann <ann@example.test>\n${extra}` });
  const fix = (extra: Partial<FixInput>) =>
    fixFor(input(text, path, extra), 'add-column-volatile-default').find((f) => f.recipe === 'add-column-then-backfill')!;

  it('without sqitch.plan, the phases stay commented text, and the note says the plan is missing', () => {
    const f = fix({});
    expect(f.files).toEqual([]);
    expect(f.notes.join('\n')).toMatch(/sqitch orders changes by sqitch.plan, which Lockstep was not given/);
  });

  it('when another change follows the document in sqitch.plan, no change is inserted before it (its ID would change)', () => {
    const f = fix({ sqitchPlan: plan('later 2024-01-03T11:00:00Z Ann <ann@example.test>\n') });
    expect(f.files).toEqual([]);
    expect(f.fileEdits).toBeUndefined();
    expect(f.notes.join('\n')).toMatch(/users_score is not the last change of sqitch.plan \(later follows it\)/);
  });

  it('a change name already in the plan gets a suffix; a tag after the change does not stop the append', () => {
    const f = fix({ sqitchPlan: { ...plan('@v1 2024-01-02T11:30:00Z Ann <ann@example.test>\n'), text: `backfill_users_score 2024-01-01T11:00:00Z Ann <ann@example.test>\n${plan('@v1 2024-01-02T11:30:00Z Ann <ann@example.test>\n').text}` }, now: new Date(Date.UTC(2024, 0, 2, 12)) });
    expect(f.files.map((x) => x.path)).toEqual(['/shop/deploy/backfill_users_score_2.sql', '/shop/revert/backfill_users_score_2.sql', '/shop/verify/backfill_users_score_2.sql']);
    expect(f.fileEdits).toEqual([
      { path: '/shop/sqitch.plan', edits: [expect.objectContaining({ newText: 'backfill_users_score_2 2024-01-02T12:00:00Z Ann <ann@example.test> # Lockstep: step 1 of 1 after users_score\n' })] },
    ]);
  });
});
