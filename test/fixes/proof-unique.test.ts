/**
 * Proof of ADD CONSTRAINT … UNIQUE / PRIMARY KEY → unique index built concurrently + ADD CONSTRAINT … USING INDEX,
 * on the embedded PostgreSQL 17. For a primary key on a nullable column the NOT NULL sequence runs first, so
 * USING INDEX does not scan for NULLs under its lock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { prove, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE TABLE accounts (id bigint, email text NOT NULL, region text);
INSERT INTO accounts SELECT g, 'user' || g || '@example.test', 'r' || (g % 5) FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

describe('unique-via-concurrent-index', () => {
  it('goose: UNIQUE, kept apart from the statement’s other change', async () => {
    const c: ProofCase = {
      name: 'unique',
      runner: 'goose',
      setup: SETUP,
      document: {
        path: '/db/migrations/00002_accounts_email_unique.sql',
        text: "-- +goose Up\nALTER TABLE accounts ALTER COLUMN region SET DEFAULT 'eu', ADD CONSTRAINT accounts_email_key UNIQUE (email);\n",
      },
      siblings: [{ path: '/db/migrations/00001_init.sql', text: SETUP }],
      statementKind: 'AlterTableStmt',
      recipe: 'unique-via-concurrent-index',
    };
    const result = await prove(c);
    expect(result.originalViolations.length).toBeGreaterThan(0);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    expect(result.phased[0]!.text).toBe("-- +goose Up\nALTER TABLE accounts ALTER COLUMN region SET DEFAULT 'eu';\n");
    recordProof('unique-via-concurrent-index', c, result);
  });

  it('golang-migrate: PRIMARY KEY on a nullable column — NOT NULL first, then the index, then USING INDEX', async () => {
    const c: ProofCase = {
      name: 'primary-key',
      runner: 'golang-migrate',
      setup: SETUP,
      document: { path: '/db/migrations/000002_accounts_pk.up.sql', text: 'ALTER TABLE accounts ADD PRIMARY KEY (id);\n' },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: SETUP }],
      statementKind: 'AlterTableStmt',
      recipe: 'unique-via-concurrent-index',
    };
    const result = await prove(c);
    expect(result.originalViolations.length).toBeGreaterThan(0);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    // The attach step found the column already NOT NULL and the index built: it scanned nothing.
    const attach = result.phasedTraces.flatMap((f) => f.traces).find((t) => /USING INDEX/.test(t.sql))!;
    expect(attach.scanned).toEqual([]);
    expect(result.phased.filter((f) => f.path.endsWith('.up.sql')).map((f) => f.path.split('/').pop())).toEqual([
      '000002_accounts_pk.up.sql',
      '000003_validate_accounts_id_not_null_check.up.sql',
      '000004_set_accounts_id_not_null.up.sql',
      '000005_create_accounts_pkey_concurrently.up.sql',
      '000006_add_accounts_pkey_using_index.up.sql',
    ]);
    recordProof('primary-key-via-concurrent-index', c, result);
  });
});
