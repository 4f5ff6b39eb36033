/**
 * Seeding on the real server: the generated rows must satisfy every constraint PostgreSQL enforces, with foreign
 * keys checked row by row (session_replication_role stays 'origin' here, so the server itself verifies them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer';
import type { DbSession } from '../../server/src/rehearsal/driver';
import { RehearsalFailure } from '../../server/src/rehearsal/report';
import { planSeeding } from '../../server/src/rehearsal/seed/plan';
import { readSeedSchema } from '../../server/src/rehearsal/seed/schema';
import { seedDatabase } from '../../server/src/rehearsal/seed/seeder';
import { withScratchDatabase } from '../setup/pg';

const SCHEMA = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0) NOT NULL;
  -- Not a form the CHECK reader understands: seeding must filter rows through it.
  CREATE DOMAIN even_int AS integer CHECK (VALUE % 2 = 0);
  CREATE DOMAIN short_code AS varchar(12);

  CREATE TABLE parent (
    id         serial PRIMARY KEY,
    code       short_code NOT NULL UNIQUE,
    feeling    mood NOT NULL,
    score      positive_int,
    even       even_int,
    quantity   int NOT NULL CHECK (quantity BETWEEN 1 AND 5),
    status     text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped')),
    name       varchar(20) CHECK (char_length(name) >= 3),
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    tags       text[],
    meta       jsonb,
    public_id  uuid NOT NULL UNIQUE,
    amount     numeric(8, 2) CHECK (amount >= 0),
    CONSTRAINT ends_after_start CHECK (ends_on > starts_on)
  );
  CREATE UNIQUE INDEX parent_lower_name ON parent (lower(name));

  CREATE TABLE child (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id    int NOT NULL REFERENCES parent,
    other_parent int REFERENCES parent (id),
    note         text,
    created_at   timestamptz NOT NULL DEFAULT now()
  );

  -- A join table: its key is made of foreign keys only.
  CREATE TABLE link (
    parent_id int REFERENCES parent,
    child_id  bigint REFERENCES child,
    PRIMARY KEY (parent_id, child_id)
  );

  CREATE TABLE employee (
    id   int PRIMARY KEY,
    boss int REFERENCES employee
  );
`;

const ROWS = 2000;

async function seed(session: DbSession, touched: string[], rows = new Map<string, number>()): Promise<void> {
  const schema = await readSeedSchema(session);
  const plan = planSeeding({ schema, touched, rows, defaultRows: ROWS });
  expect(plan.problems).toEqual([]);
  await seedDatabase(session, plan, { replicationRoleReplica: false });
}

async function scalar(session: DbSession, sql: string): Promise<number> {
  const { rows } = await session.query<{ v: string }>(`SELECT (${sql})::text AS v`);
  return Number(rows[0]!.v);
}

beforeAll(async () => {
  await initParser();
});

describe('seeding', () => {
  it('fills parents before children with rows that satisfy FKs, uniques, checks, enums and domains', async () => {
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query(SCHEMA);
        // Touching link and employee pulls in parent and child through their foreign keys.
        await seed(session, ['public.link', 'public.employee'], new Map([['public.link', 1500]]));

        expect(await scalar(session, 'SELECT count(*) FROM parent')).toBe(ROWS);
        expect(await scalar(session, 'SELECT count(*) FROM child')).toBe(ROWS);
        expect(await scalar(session, 'SELECT count(*) FROM link')).toBe(1500);
        expect(await scalar(session, 'SELECT count(*) FROM employee')).toBe(ROWS);

        // Every FK points at an existing row (the server checked each insert; this says so independently).
        expect(await scalar(session, 'SELECT count(*) FROM child c LEFT JOIN parent p ON p.id = c.parent_id WHERE p.id IS NULL')).toBe(0);
        expect(await scalar(session, 'SELECT count(*) FROM employee e LEFT JOIN employee b ON b.id = e.boss WHERE e.boss IS NOT NULL AND b.id IS NULL')).toBe(0);
        // Values spread over many parents, not all on one.
        expect(await scalar(session, 'SELECT count(DISTINCT parent_id) FROM child')).toBeGreaterThan(ROWS / 3);

        // Enums cycle through their values; CHECK ranges and IN lists hold; the filtered domain holds.
        expect(await scalar(session, 'SELECT count(DISTINCT feeling) FROM parent')).toBe(3);
        expect(await scalar(session, 'SELECT count(*) FROM parent WHERE quantity NOT BETWEEN 1 AND 5')).toBe(0);
        expect(await scalar(session, 'SELECT count(DISTINCT quantity) FROM parent')).toBe(5);
        expect(await scalar(session, 'SELECT count(DISTINCT status) FROM parent')).toBe(3);
        expect(await scalar(session, 'SELECT count(*) FROM parent WHERE even % 2 <> 0')).toBe(0);
        expect(await scalar(session, 'SELECT count(*) FROM parent WHERE ends_on <= starts_on')).toBe(0);
        expect(await scalar(session, 'SELECT max(length(code)) FROM parent')).toBeLessThanOrEqual(12);

        // About 10 % NULLs in nullable columns, none in NOT NULL ones.
        const nullNotes = await scalar(session, 'SELECT count(*) FROM child WHERE note IS NULL');
        expect(nullNotes).toBeGreaterThan(ROWS * 0.05);
        expect(nullNotes).toBeLessThan(ROWS * 0.15);
        expect(await scalar(session, 'SELECT count(*) FROM parent WHERE score IS NULL')).toBe(0);

        // Sequences moved past the generated keys: the application's next insert does not collide.
        await session.query(`INSERT INTO parent (code, feeling, score, quantity, starts_on, ends_on, public_id)
                             VALUES ('zz', 'ok', 1, 1, '2020-01-01', '2020-01-02', gen_random_uuid())`);
        expect(await scalar(session, "SELECT id FROM parent WHERE code = 'zz'")).toBe(ROWS + 1);
      } finally {
        await session.close();
      }
    });
  });

  it('is deterministic: the same schema seeds the same rows', async () => {
    const digest = async (): Promise<string> =>
      withScratchDatabase(async ({ driver }) => {
        const session = await driver.connect();
        try {
          await session.query(SCHEMA);
          await seed(session, ['public.child']);
          const { rows } = await session.query<{ d: string }>(
            `SELECT md5(string_agg(p::text, '|' ORDER BY p.id)) || md5(string_agg(c::text, '|' ORDER BY c.id)) AS d
             FROM parent p FULL JOIN child c ON c.id = p.id`,
          );
          return rows[0]!.d;
        } finally {
          await session.close();
        }
      });
    // created_at DEFAULT now() would differ between runs; it is generated, not defaulted.
    expect(await digest()).toBe(await digest());
  });

  it('honours constraints the migration is about to add (seen on the schema after it)', async () => {
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query('CREATE TABLE account (id int PRIMARY KEY); CREATE TABLE t (id int PRIMARY KEY, account_id int, country text)');
        const before = await readSeedSchema(session);
        await session.query(
          'ALTER TABLE t ADD FOREIGN KEY (account_id) REFERENCES account; ALTER TABLE t ALTER COLUMN country SET NOT NULL; CREATE UNIQUE INDEX ON t (country)',
        );
        const after = await readSeedSchema(session);
        await session.query('ALTER TABLE t DROP CONSTRAINT t_account_id_fkey; ALTER TABLE t ALTER COLUMN country DROP NOT NULL; DROP INDEX t_country_idx');

        const plan = planSeeding({ schema: before, future: after, touched: ['public.t'], rows: new Map(), defaultRows: 500 });
        expect(plan.tables.map((t) => t.table)).toEqual(['public.account', 'public.t']);
        await seedDatabase(session, plan, { replicationRoleReplica: false });
        // The migration itself must then succeed on the seeded rows.
        await session.query('ALTER TABLE t ADD FOREIGN KEY (account_id) REFERENCES account; ALTER TABLE t ALTER COLUMN country SET NOT NULL; CREATE UNIQUE INDEX ON t (country)');
        expect(await scalar(session, 'SELECT count(DISTINCT account_id) FROM t')).toBeGreaterThan(100);
      } finally {
        await session.close();
      }
    });
  });

  it('names the constraint when no generated row can satisfy it', async () => {
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query(`CREATE TABLE code (id int PRIMARY KEY, value text NOT NULL CONSTRAINT value_is_upper CHECK (value ~ '^[A-Z]+$'))`);
        const schema = await readSeedSchema(session);
        const plan = planSeeding({ schema, touched: ['public.code'], rows: new Map(), defaultRows: 100 });
        const failure = await seedDatabase(session, plan, { replicationRoleReplica: false }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(RehearsalFailure);
        expect((failure as RehearsalFailure).problem.message).toMatch(/public\.code.*value_is_upper/);
        expect((failure as RehearsalFailure).problem.hint).toContain('--rows public.code=0');
      } finally {
        await session.close();
      }
    });
  });
});
