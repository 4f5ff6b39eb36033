/**
 * Proof of the batched backfill on the embedded PostgreSQL 17: an UPDATE of every row in the same transaction as
 * the ADD COLUMN before it holds the ADD's AccessExclusiveLock for the whole scan; the fix leaves the ADD COLUMN
 * where it was and runs the UPDATE as a DO block that commits after every batch, outside any transaction.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { prove, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'User' || g || '@Example.test' FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

describe('batch-update', () => {
  it('goose: the UPDATE moves to a NO TRANSACTION migration, in batches', async () => {
    const c: ProofCase = {
      name: 'batch-update',
      runner: 'goose',
      setup: SETUP,
      document: {
        path: '/db/migrations/00002_email_lower.sql',
        text: '-- +goose Up\nALTER TABLE users ADD COLUMN email_lower text;\n-- fill it for existing users\nUPDATE users AS u SET email_lower = lower(u.email) WHERE u.email_lower IS NULL;\n',
      },
      siblings: [{ path: '/db/migrations/00001_init.sql', text: SETUP }],
      rule: 'ddl-with-backfill-in-one-transaction',
      recipe: 'batch-update',
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    expect(result.originalViolations.some((v) => v.statement.startsWith('UPDATE') && v.lock === 'AccessExclusiveLock')).toBe(true);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    const backfill = result.fix.files[0]!.text;
    expect(backfill).toContain('-- +goose NO TRANSACTION\n');
    expect(backfill).toContain('    UPDATE users AS u SET email_lower = lower(u.email)\n');
    expect(backfill).toContain('WHERE (lockstep_last IS NULL OR u.id > lockstep_last) AND u.id <= lockstep_batch_end AND (u.email_lower IS NULL);');
    recordProof('batch-update', c, result);
  });
});
