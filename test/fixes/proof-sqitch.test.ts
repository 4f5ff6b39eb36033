/**
 * Proof of the sqitch layout on the embedded PostgreSQL 17: phases become new changes — deploy/, revert/ and
 * verify/ scripts — appended to sqitch.plan right after the document's change, run the way sqitch runs them
 * (psql statement by statement, a transaction only between the script's BEGIN and COMMIT, changes in plan order).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { prove, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE FUNCTION default_score() RETURNS int LANGUAGE sql VOLATILE AS $$ SELECT 42 FROM pg_sleep(0.0005) $$;
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.test' FROM generate_series(1, 500) g;`;

const PLAN = `%syntax-version=1.0.0
%project=shop

init 2024-01-01T12:00:00Z Ann Example <ann@example.test> # the schema
users_score 2024-01-02T11:00:00Z Ann Example <ann@example.test> # users get a score
`;

beforeAll(() => initParser());

describe('sqitch', () => {
  it('ADD COLUMN with a volatile default: the column stays in the change, the later phases become new changes in sqitch.plan', async () => {
    const c: ProofCase = {
      name: 'sqitch-add-column',
      runner: 'sqitch',
      setup: SETUP,
      document: {
        path: '/shop/deploy/users_score.sql',
        text: '-- Deploy shop:users_score to pg\n\nBEGIN;\n\nALTER TABLE users ADD COLUMN score int NOT NULL DEFAULT default_score();\n\nCOMMIT;\n',
      },
      siblings: [{ path: '/shop/deploy/init.sql', text: SETUP }],
      sqitchPlan: { path: '/shop/sqitch.plan', text: PLAN },
      rule: 'add-column-volatile-default',
      recipe: 'add-column-then-backfill',
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    expect(result.originalViolations.some((v) => v.work === 'rewrites' && v.lock === 'AccessExclusiveLock')).toBe(true);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    expect(result.fix.files.map((f) => f.path)).toEqual([
      '/shop/deploy/backfill_users_score.sql',
      '/shop/revert/backfill_users_score.sql',
      '/shop/verify/backfill_users_score.sql',
      '/shop/deploy/validate_users_score_not_null_check.sql',
      '/shop/revert/validate_users_score_not_null_check.sql',
      '/shop/verify/validate_users_score_not_null_check.sql',
      '/shop/deploy/set_users_score_not_null.sql',
      '/shop/revert/set_users_score_not_null.sql',
      '/shop/verify/set_users_score_not_null.sql',
    ]);
    expect(result.phased.find((f) => f.path === '/shop/sqitch.plan')!.text).toBe(
      PLAN +
        'backfill_users_score 2024-01-02T12:00:00Z Ann Example <ann@example.test> # Lockstep: step 1 of 3 after users_score\n' +
        'validate_users_score_not_null_check 2024-01-02T12:00:00Z Ann Example <ann@example.test> # Lockstep: step 2 of 3 after users_score\n' +
        'set_users_score_not_null 2024-01-02T12:00:00Z Ann Example <ann@example.test> # Lockstep: step 3 of 3 after users_score\n',
    );
    // A transactional phase brings its own BEGIN/COMMIT (psql would otherwise autocommit each statement).
    expect(result.fix.files[6]!.text).toMatch(/\nBEGIN;\n\nSET LOCAL lock_timeout = '2s';[\s\S]*\nCOMMIT;\n$/);
    expect(result.fix.files[0]!.text).not.toContain('BEGIN;');
    recordProof('sqitch-add-column', c, result);
  });
});
