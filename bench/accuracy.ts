/**
 * `npm run bench:accuracy`: how well a rehearsal predicts a statement's duration 10× beyond what it measured.
 *
 * For each statement type below, on one embedded PostgreSQL (templates are reused between runs):
 *   1. rehearse it at the sample sizes (default 10k, 30k, 100k rows) with --rows t=<10 × the largest>, which
 *      gives a predicted duration and range at 10× the largest sample;
 *   2. rehearse it again at exactly that size (no extrapolation) and take the measured duration: the fastest of
 *      --repeat runs (default 2), each on a fresh copy of the seeded template — the same rule the rehearsal applies
 *      to its own samples, since on a busy machine noise only ever adds time;
 *   3. print the relative error of the prediction and whether the measured value fell inside the range.
 *
 *   npm run bench:accuracy
 *   npm run bench:accuracy -- --sizes 5000,20000,50000 --repeat 3 --markdown
 *   npm run bench:accuracy -- --only "CREATE INDEX"
 *
 * Target: every prediction within ±30 % of the measured duration. Exits 1 when one is not, unless --no-fail.
 * Durations depend on the machine and its load: record the machine and load with the figures (docs/accuracy.md).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { rehearse, type RehearsalOptions } from '../server/src/rehearsal/engine';
import { startEmbeddedPostgres } from '../server/src/rehearsal/embedded-server';
import { formatDuration } from '../server/src/rehearsal/report';

const TARGET_ERROR = 0.3;

const SCHEMA = {
  path: '001_schema.up.sql',
  text: `
CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE t (
  id          bigint PRIMARY KEY,
  parent_id   bigint NOT NULL,
  v           int NOT NULL,
  label       text,
  amount      numeric(12, 2) NOT NULL,
  created_at  timestamptz NOT NULL,
  v2          int
);
CREATE INDEX t_v_idx ON t (v);
ALTER TABLE t ADD CONSTRAINT t_v_positive CHECK (v > 0) NOT VALID;
`,
};

const CASES: Array<{ name: string; sql: string }> = [
  { name: 'column type rewrite', sql: 'ALTER TABLE t ALTER COLUMN v TYPE bigint' },
  { name: 'ADD COLUMN volatile default (rewrite)', sql: 'ALTER TABLE t ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()' },
  { name: 'SET NOT NULL (scan)', sql: 'ALTER TABLE t ALTER COLUMN label SET NOT NULL' },
  { name: 'CREATE INDEX', sql: 'CREATE INDEX t_created_at_idx ON t (created_at)' },
  { name: 'CREATE INDEX CONCURRENTLY', sql: 'CREATE INDEX CONCURRENTLY t_label_idx ON t (label)' },
  { name: 'VALIDATE CONSTRAINT (check)', sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_v_positive' },
  { name: 'ADD FOREIGN KEY (validation)', sql: 'ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)' },
  { name: 'batched UPDATE backfill (one 5,000-row batch)', sql: 'UPDATE t SET v2 = v WHERE id BETWEEN 1 AND 5000' },
  { name: 'unbatched UPDATE backfill', sql: 'UPDATE t SET v2 = v' },
];

interface CaseResult {
  name: string;
  samples: Array<{ rows: number; ms: number }>;
  model: string;
  predictedMs: number;
  lowMs: number;
  highMs: number;
  actualMs: number[];
  fastestActualMs: number;
  error: number;
  inRange: boolean;
}


async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,30000,100000' },
      repeat: { type: 'string', default: '2' },
      only: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'no-fail': { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes!.split(',').map(Number);
  const target = Math.max(...sizes) * 10;
  const repeat = Number(values.repeat);
  const cases = CASES.filter((c) => !values.only || c.name.includes(values.only));

  const server = await startEmbeddedPostgres();
  const results: CaseResult[] = [];
  const load = loadavg()[0]!;
  try {
    for (const testCase of cases) {
      const base: RehearsalOptions = {
        target: { path: `${testCase.name}.sql`, text: `${testCase.sql};\n` },
        previous: [SCHEMA],
        // Handing in the server keeps seeded templates between runs: the verification size is seeded once.
        server: { kind: 'embedded', server },
        budgetMs: 3_600_000,
      };
      process.stderr.write(`${testCase.name}: predicting from ${sizes.join(', ')} rows…\n`);
      const predicted = await rehearse({ ...base, sizes, rows: { t: target } });
      const statement = predicted.statements[0]!;
      if (predicted.error || !statement.estimate) {
        throw new Error(`${testCase.name}: no estimate: ${predicted.error?.message ?? statement.estimateNote}`);
      }
      const actual: number[] = [];
      for (let i = 0; i < repeat; i++) {
        process.stderr.write(`${testCase.name}: measuring at ${target.toLocaleString('en-US')} rows (${i + 1}/${repeat})…\n`);
        const measured = await rehearse({ ...base, sizes: [target] });
        const sample = measured.statements[0]!.samples[0];
        if (measured.error || !sample) throw new Error(`${testCase.name}: run at ${target} failed: ${measured.error?.message}`);
        actual.push(sample.ms);
      }
      const fastest = Math.min(...actual);
      results.push({
        name: testCase.name,
        samples: statement.samples.map((s) => ({ rows: s.rows, ms: Math.round(s.ms * 10) / 10 })),
        model: statement.estimate.model,
        predictedMs: Math.round(statement.estimate.ms),
        lowMs: Math.round(statement.estimate.lowMs),
        highMs: Math.round(statement.estimate.highMs),
        actualMs: actual.map((ms) => Math.round(ms)),
        fastestActualMs: Math.round(fastest),
        error: (statement.estimate.ms - fastest) / fastest,
        inRange: statement.estimate.lowMs <= fastest && fastest <= statement.estimate.highMs,
      });
    }
  } finally {
    await server.stop();
  }

  const machine = `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), 1-minute load average ${load.toFixed(1)} at the start`;
  if (values.json) {
    console.log(JSON.stringify({ sizes, target, repeat, machine, results }, null, 2));
  } else {
    const header = ['statement', ...sizes.map((s) => `${s.toLocaleString('en-US')} rows`), 'model', `predicted at ${target.toLocaleString('en-US')}`, 'range', 'measured', 'error', 'in range'];
    const rows = results.map((r) => [
      r.name,
      ...r.samples.map((s) => formatDuration(s.ms)),
      r.model,
      formatDuration(r.predictedMs),
      `${formatDuration(r.lowMs)}–${formatDuration(r.highMs)}`,
      formatDuration(r.fastestActualMs),
      `${r.error >= 0 ? '+' : ''}${Math.round(r.error * 100)} %`,
      r.inRange ? 'yes' : 'no',
    ]);
    if (values.markdown) {
      console.log(`| ${header.join(' | ')} |`);
      console.log(`|${header.map(() => ' --- ').join('|')}|`);
      for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    } else {
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
      const render = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
      console.log(render(header));
      for (const row of rows) console.log(render(row));
    }
    const within = results.filter((r) => Math.abs(r.error) <= TARGET_ERROR).length;
    console.log(`\n${within} of ${results.length} predictions within ±${TARGET_ERROR * 100} % (target: all); ${results.filter((r) => r.inRange).length} measured values inside the predicted range.`);
    console.log(`machine: ${machine}; measured ${repeat}× per statement at ${target.toLocaleString('en-US')} rows (fastest counts)`);
  }
  if (results.some((r) => Math.abs(r.error) > TARGET_ERROR) && !values['no-fail']) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 2;
});
