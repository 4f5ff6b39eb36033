/**
 * `npm run bench:seed`: how fast rehearsal seeding fills a table, against the fastest way PostgreSQL can fill it.
 *
 * On one embedded PostgreSQL, a 6-column table (bigint primary key, int, text, timestamptz, boolean, numeric) is
 * filled with N rows (default 1,000,000), alternately
 *   - plain:  INSERT … SELECT g, g, 'label ' || g, now(), g % 2 = 0, g FROM generate_series(1, N) g
 *   - seeded: the INSERT the rehearsal seeder plans for the same table (pseudo-random values from hashes, 10 %
 *             NULLs in nullable columns, unique keys by construction)
 * emptied with TRUNCATE between runs; each is timed `--repeat` times (default 3) and the medians compared. The
 * seeder's whole job (INSERT + VACUUM (FREEZE, ANALYZE)) is timed once more, for the record.
 *
 *   npm run bench:seed
 *   npm run bench:seed -- --rows 200000 --repeat 5 --json
 *
 * Target: seeded INSERT ≤ 1.5 × plain INSERT. Exits 1 when missed, unless --no-fail.
 */
import { parseArgs } from 'node:util';
import { initParser } from '../server/src/analysis/analyzer';
import type { DbSession } from '../server/src/rehearsal/driver';
import { startEmbeddedPostgres } from '../server/src/rehearsal/embedded-server';
import { planSeeding } from '../server/src/rehearsal/seed/plan';
import { readSeedSchema } from '../server/src/rehearsal/seed/schema';
import { seedDatabase } from '../server/src/rehearsal/seed/seeder';

const TARGET_RATIO = 1.5;

const TABLE = `CREATE TABLE bench (
  id      bigint PRIMARY KEY,
  n       int NOT NULL,
  label   text,
  at      timestamptz NOT NULL,
  flag    boolean,
  amount  numeric(12, 2)
)`;

async function timed(session: DbSession, sql: string): Promise<number> {
  const started = performance.now();
  await session.query(sql);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      repeat: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      'no-fail': { type: 'boolean', default: false },
    },
  });
  const rows = Number(values.rows);
  const repeat = Number(values.repeat);
  await initParser();
  const server = await startEmbeddedPostgres();
  const session = await server.driver.connect();
  try {
    await session.query(TABLE);
    await session.query('SET synchronous_commit = off');
    const schema = await readSeedSchema(session);
    const plan = planSeeding({ schema, touched: ['public.bench'], rows: new Map(), defaultRows: rows });
    if (plan.problems.length > 0 || plan.tables.length !== 1) throw new Error(`unexpected seed plan: ${JSON.stringify(plan.problems)}`);
    const seeded = plan.tables[0]!.insert;
    const plain = `INSERT INTO bench SELECT g, g, 'label ' || g, now(), g % 2 = 0, g FROM generate_series(1, ${rows}) g`;

    const plainMs: number[] = [];
    const seededMs: number[] = [];
    for (let i = 0; i < repeat; i++) {
      // Alternate, so drift in machine load hits both alike.
      for (const [sql, into] of i % 2 === 0 ? [[plain, plainMs], [seeded, seededMs]] as const : [[seeded, seededMs], [plain, plainMs]] as const) {
        await session.query('TRUNCATE bench');
        await session.query('CHECKPOINT');
        into.push(await timed(session, sql));
      }
    }
    await session.query('TRUNCATE bench');
    await session.query('CHECKPOINT');
    const fullStarted = performance.now();
    await seedDatabase(session, plan, { replicationRoleReplica: true });
    const fullMs = performance.now() - fullStarted;

    const result = {
      rows,
      repeat,
      plainMs: Math.round(median(plainMs)),
      seededMs: Math.round(median(seededMs)),
      ratio: Math.round((median(seededMs) / median(plainMs)) * 100) / 100,
      plainRowsPerSecond: Math.round(rows / (median(plainMs) / 1000)),
      seededRowsPerSecond: Math.round(rows / (median(seededMs) / 1000)),
      seedWithVacuumMs: Math.round(fullMs),
      samples: { plainMs: plainMs.map(Math.round), seededMs: seededMs.map(Math.round) },
      target: TARGET_RATIO,
    };
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`seeding a 6-column table, ${rows.toLocaleString('en-US')} rows, median of ${repeat}`);
      console.log(`  plain INSERT … generate_series   ${result.plainMs} ms   ${result.plainRowsPerSecond.toLocaleString('en-US')} rows/s   ${result.samples.plainMs.join(', ')} ms`);
      console.log(`  rehearsal seeder INSERT          ${result.seededMs} ms   ${result.seededRowsPerSecond.toLocaleString('en-US')} rows/s   ${result.samples.seededMs.join(', ')} ms`);
      console.log(`  ratio ${result.ratio}× (target ≤ ${TARGET_RATIO}×)`);
      console.log(`  seeder incl. VACUUM (FREEZE, ANALYZE): ${result.seedWithVacuumMs} ms`);
      console.log(`  seeded INSERT: ${seeded}`);
    }
    if (result.ratio > TARGET_RATIO && !values['no-fail']) process.exitCode = 1;
  } finally {
    await session.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 2;
});
