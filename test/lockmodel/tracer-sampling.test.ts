/**
 * The monitor trace of a statement refused in a transaction block must not depend on the machine's load: VACUUM's
 * ROW EXCLUSIVE on each index lasts a millisecond or two on a small table, and its ANALYZE phase then takes ACCESS
 * SHARE on the same indexes. The tracer's index blocker makes VACUUM wait at every index with its table lock held,
 * so each one is seen at ROW EXCLUSIVE — here with the sampler slowed down to 200 ms, far slower than the vacuum
 * phase, which only a wait point can survive.
 */
import { describe, expect, it } from 'vitest';
import { traceStatements } from '../../server/src/rehearsal/tracer';
import { withScratchDatabase } from '../setup/pg';

const TABLE = `CREATE TABLE t (id bigserial PRIMARY KEY, a int, b text);
CREATE INDEX t_a_idx ON t (a);
CREATE INDEX t_b_idx ON t (b);
INSERT INTO t (a, b) SELECT g, 'x' FROM generate_series(1, 100) g;`;

describe('monitor traces hold still at every index', () => {
  it('VACUUM (ANALYZE) with a slow sampler: every index at ROW EXCLUSIVE, one index wait each', async () => {
    await withScratchDatabase(async ({ driver, name }) => {
      const [trace] = await traceStatements(driver, {
        setup: TABLE,
        statements: ['VACUUM (ANALYZE) t'],
        transactional: false,
        database: name,
        sampleIntervalMs: 200,
      });
      expect(trace!.error).toBeUndefined();
      expect(trace!.observedVia).toBe('monitor');
      expect(trace!.locks).toEqual([
        { relation: 'public.t', relkind: 'table', mode: 'ShareUpdateExclusiveLock' },
        { relation: 'public.t_a_idx', relkind: 'index', mode: 'RowExclusiveLock' },
        { relation: 'public.t_b_idx', relkind: 'index', mode: 'RowExclusiveLock' },
        { relation: 'public.t_pkey', relkind: 'index', mode: 'RowExclusiveLock' },
      ]);
      expect(trace!.sampling?.blockedBy.filter((kind) => kind === 'index')).toHaveLength(3);
    });
  });
});
