/**
 * `npm run fuzz`: broken and pathological documents against the analysis core and the language server.
 *
 *   npm run fuzz                              10,000 core cases, 300 server cases, seed 1
 *   npm run fuzz -- --seed 7 --cases 50000    another seed, more cases
 *   npm run fuzz -- --seed 1 --case 123       replay one case (core and server)
 *   npm run fuzz -- --skip 21                 leave out a known failure while it is being fixed
 *   npm run fuzz -- --smoke                   the short run that `npm test` also makes (< 20 s, 3 s limit)
 *
 * Needs the built server (npm run build). Exits 1 on any failure, printing each with its replay command.
 */
import { parseArgs } from 'node:util';
import { formatReport, FULL_RUN, runFuzz, SMOKE_RUN, SPECIAL_CASE_COUNT, type FuzzOptions } from './harness';
import { findRepoRoot } from './lsp-driver';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      case: { type: 'string' },
      skip: { type: 'string' },
      cases: { type: 'string' },
      'server-cases': { type: 'string' },
      smoke: { type: 'boolean' },
      'time-limit-ms': { type: 'string' },
      'max-rss-mb': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: npm run fuzz -- [--seed S] [--case N | --cases N] [--skip N,M] [--server-cases N] [--smoke] [--time-limit-ms N] [--max-rss-mb 1024]');
    return;
  }
  const run = values.smoke ? SMOKE_RUN : FULL_RUN;
  const number = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a whole number ≥ 0, got '${value}'`);
    return n;
  };
  const options: FuzzOptions = {
    seed: number('seed', values.seed, 1),
    coreCases: number('cases', values.cases, run.coreCases),
    serverCases: number('server-cases', values['server-cases'], run.serverCases),
    onlyCase: values.case === undefined ? undefined : number('case', values.case, 0),
    skipCases: values.skip === undefined ? [] : values.skip.split(',').map((v) => number('skip', v, 0)),
    scale: run.scale,
    replayFlags: values.smoke ? '--smoke' : '',
    repoRoot: findRepoRoot(),
    timeLimitMs: number('time-limit-ms', values['time-limit-ms'], run.timeLimitMs),
    maxRssMb: number('max-rss-mb', values['max-rss-mb'], 1024),
    slowCaseMs: run.slowCaseMs,
    hangMs: run.hangMs,
    log: (line) => console.log(line),
  };
  const what = options.onlyCase !== undefined ? `case ${options.onlyCase}` : `${options.coreCases} core cases (the first ${SPECIAL_CASE_COUNT} pathological), ${options.serverCases} server cases`;
  console.log(`fuzz: seed ${options.seed}, ${what}${values.smoke ? ', smoke sizes' : ''}`);
  const report = await runFuzz(options);
  console.log(formatReport(report, options));
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(`fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
