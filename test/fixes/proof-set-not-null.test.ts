/**
 * Proof of SET NOT NULL via a validated CHECK on the embedded PostgreSQL 17: the original scans the table under
 * AccessExclusiveLock; the phased version scans only in VALIDATE (ShareUpdateExclusiveLock), and its SET NOT NULL
 * does not scan at all. The helper CHECK is dropped at the end, so the schemas are identical.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { prove, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text, nickname text);
INSERT INTO users SELECT g, 'user' || g || '@example.test', 'n' || g FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

describe('set-not-null-via-check', () => {
  it('golang-migrate: CHECK NOT VALID here, VALIDATE, then SET NOT NULL without a scan', async () => {
    const c: ProofCase = {
      name: 'set-not-null',
      runner: 'golang-migrate',
      setup: SETUP,
      document: {
        path: '/db/migrations/000002_require_email.up.sql',
        text: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN nickname SET DEFAULT \'anon\';\n',
      },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: SETUP }],
      rule: 'set-not-null-scan',
      recipe: 'set-not-null-via-check',
    };
    const result = await prove(c);
    expect(result.originalViolations.length).toBeGreaterThan(0);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    expect(result.phased[0]!.text).toBe(
      "ALTER TABLE users ADD CONSTRAINT users_email_not_null_check CHECK (email IS NOT NULL) NOT VALID, ALTER COLUMN nickname SET DEFAULT 'anon';\n",
    );
    // SET NOT NULL ran and did not scan: the validated CHECK proved it.
    const last = result.phasedTraces[result.phasedTraces.length - 1]!;
    const setNotNull = last.traces.find((t) => /SET NOT NULL/.test(t.sql))!;
    expect(setNotNull.scanned).toEqual([]);
    expect(setNotNull.locks.find((l) => l.relation === 'public.users')?.mode).toBe('AccessExclusiveLock');
    recordProof('set-not-null-via-check', c, result);
  });

  it('dbmate: the phases land in two new files', async () => {
    const c: ProofCase = {
      name: 'set-not-null-dbmate',
      runner: 'dbmate',
      setup: SETUP,
      document: {
        path: '/db/migrations/20240102120000_require_email.sql',
        text: '-- migrate:up\nalter table users alter email set not null;\n\n-- migrate:down\nalter table users alter email drop not null;\n',
      },
      siblings: [{ path: '/db/migrations/20240101120000_init.sql', text: SETUP }],
      rule: 'set-not-null-scan',
      recipe: 'set-not-null-via-check',
    };
    const result = await prove(c);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    expect(result.fix.files.map((f) => f.path)).toEqual([
      '/db/migrations/20240102120001_validate_users_email_not_null_check.sql',
      '/db/migrations/20240102120002_set_users_email_not_null.sql',
    ]);
    // Lower-case keywords, like the file.
    expect(result.fix.files[1]!.text).toContain("set local lock_timeout = '2s';\n\nalter table users alter email set not null;\n\nalter table users drop constraint users_email_not_null_check;");
  });
});
