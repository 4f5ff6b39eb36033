/**
 * Proof of "drop in a later release" on the embedded PostgreSQL 17. Dropping is quick either way; what the fix
 * adds is the deploy boundary, so what is proven is that the phased files end in the same schema and data, run
 * as the runner runs them, drop under lock_timeout, and lint clean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { prove, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, legacy_flag boolean);
CREATE TABLE old_sessions (id bigint PRIMARY KEY);
INSERT INTO users SELECT g, 'user' || g || '@example.test', g % 2 = 0 FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

describe('drop-in-later-release', () => {
  it('golang-migrate: DROP COLUMN leaves the statement, its other change stays', async () => {
    const c: ProofCase = {
      name: 'drop-column',
      runner: 'golang-migrate',
      setup: SETUP,
      document: { path: '/db/migrations/000002_users_cleanup.up.sql', text: 'ALTER TABLE users DROP COLUMN legacy_flag, ADD COLUMN nickname text;\n' },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: SETUP }],
      statementKind: 'AlterTableStmt',
      recipe: 'drop-in-later-release',
    };
    const result = await prove(c);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    expect(result.phased[0]!.text).toBe('ALTER TABLE users ADD COLUMN nickname text;\n');
    const drop = result.fix.files.find((f) => f.purpose === 'up')!;
    expect(drop.path).toBe('/db/migrations/000003_drop_users_legacy_flag.up.sql');
    expect(drop.text).toContain('-- Deploy separately, only after the application release that no longer reads or writes legacy_flag of public.users is deployed everywhere.\n');
    expect(drop.text).toMatch(
      /SET LOCAL lock_timeout = '2s';\n\n-- lockstep-ignore drop-column: runs after the release that no longer uses legacy_flag is deployed \(see the header\)\nALTER TABLE users DROP COLUMN legacy_flag;\n$/,
    );
    recordProof('drop-in-later-release', c, result);
  });

  it('dbmate: DROP TABLE moves to its own migration', async () => {
    const c: ProofCase = {
      name: 'drop-table',
      runner: 'dbmate',
      setup: SETUP,
      document: { path: '/db/migrations/20240102120000_drop_sessions.sql', text: '-- migrate:up\nDROP TABLE old_sessions;\n\n-- migrate:down\nCREATE TABLE old_sessions (id bigint PRIMARY KEY);\n' },
      siblings: [{ path: '/db/migrations/20240101120000_init.sql', text: SETUP }],
      statementKind: 'DropStmt',
      recipe: 'drop-in-later-release',
    };
    const result = await prove(c);
    expect(result.phasedFindings).toEqual([]);
    expect(result.fix.files.map((f) => f.path)).toEqual(['/db/migrations/20240102120001_drop_old_sessions.sql']);
  });
});
