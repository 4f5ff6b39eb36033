/**
 * Proof of ADD CONSTRAINT … NOT VALID + VALIDATE CONSTRAINT (foreign keys and CHECK constraints) on the embedded
 * PostgreSQL: the original checks every row under a lock that blocks writes (FK: ShareRowExclusiveLock on both
 * tables) or reads and writes (CHECK: AccessExclusiveLock); the phased version scans only under
 * ShareUpdateExclusiveLock. The foreign key's supporting index is the one schema difference, on purpose.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { prove, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.test' FROM generate_series(1, 500) g;
INSERT INTO orders SELECT g, 1 + g % 500, g * 1.5 FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

describe('add-constraint-not-valid', () => {
  it('golang-migrate: FOREIGN KEY → NOT VALID here, the supporting index and VALIDATE in later migrations', async () => {
    const c: ProofCase = {
      name: 'fk',
      runner: 'golang-migrate',
      setup: SETUP,
      document: {
        path: '/db/migrations/000002_orders_user_fk.up.sql',
        text: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;\n',
      },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: SETUP }],
      rule: 'fk-without-not-valid',
      recipe: 'add-constraint-not-valid',
      addedIndexes: ['public.orders_user_id_idx'],
    };
    const result = await prove(c);
    expect(result.originalViolations.length).toBeGreaterThan(0);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    expect(result.phased[0]!.text).toBe('ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;\n');
    expect(result.phased.filter((f) => f.path.endsWith('.up.sql')).map((f) => f.path)).toEqual([
      '/db/migrations/000002_orders_user_fk.up.sql',
      '/db/migrations/000003_create_orders_user_id_idx_concurrently.up.sql',
      '/db/migrations/000004_validate_orders_user_id_fkey.up.sql',
    ]);
    recordProof('add-constraint-not-valid', c, result);
  });

  it('goose: ADD COLUMN … DEFAULT … REFERENCES splits into the column and a NOT VALID foreign key', async () => {
    const c: ProofCase = {
      name: 'fk-column',
      runner: 'goose',
      setup: SETUP.replace('CREATE INDEX', '') + '\nCREATE INDEX orders_user_id_idx ON orders (user_id);',
      document: {
        path: '/db/migrations/00002_orders_buyer.sql',
        text: '-- +goose Up\nALTER TABLE orders ADD COLUMN buyer_id bigint DEFAULT 1 REFERENCES users (id);\n-- +goose Down\nALTER TABLE orders DROP COLUMN buyer_id;\n',
      },
      siblings: [{ path: '/db/migrations/00001_init.sql', text: SETUP }],
      rule: 'fk-without-not-valid',
      recipe: 'add-constraint-not-valid',
      addedIndexes: ['public.orders_buyer_id_idx'],
    };
    const result = await prove(c);
    expect(result.originalViolations.length).toBeGreaterThan(0);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    expect(result.phased[0]!.text).toContain(
      'ALTER TABLE orders ADD COLUMN buyer_id bigint DEFAULT 1;\n\nALTER TABLE orders ADD CONSTRAINT orders_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES users (id) NOT VALID;',
    );
  });

  it('Flyway: CHECK → NOT VALID here, VALIDATE in V2.1', async () => {
    const c: ProofCase = {
      name: 'check',
      runner: 'flyway',
      setup: SETUP,
      document: { path: '/db/migrations/V2__orders_total_positive.sql', text: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\n' },
      siblings: [{ path: '/db/migrations/V1__init.sql', text: SETUP }, { path: '/db/migrations/V3__later.sql', text: 'SELECT 1;' }],
      statementKind: 'AlterTableStmt',
      recipe: 'add-constraint-not-valid',
    };
    const result = await prove(c);
    expect(result.originalViolations.length).toBeGreaterThan(0);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    expect(result.fix.files.map((f) => [f.path, f.text.trim().split('\n').pop()])).toEqual([
      ['/db/migrations/V2.1__validate_orders_total_positive.sql', 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;'],
    ]);
    recordProof('add-check-not-valid', c, result);
  });
});
