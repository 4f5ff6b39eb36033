/**
 * The rehearsal engine: runs a migration on a real PostgreSQL against synthetic data of growing size, measures
 * every statement, and extrapolates to production row counts.
 *
 *   server ─► scratch database ─► replay earlier migrations for real ─► probe: run the target on the empty schema
 *   (what it touches, what it will require of the data) ─► per size: seeded template (reused when it exists) ─►
 *   fresh copy ─► run the target, measured ─► drop the copy ─► fit and extrapolate (analysis/estimate)
 *
 * The engine never throws for a failure of the rehearsal itself: the report says what happened (status, error
 * with file:line, the statements measured so far). Whatever happens — failure, abort, a signal — everything it
 * created is removed: its databases on a --url server, the whole embedded server it started.
 *
 * Cancellation: abort `signal` and the running statement is cancelled on the server (pg_cancel_backend from
 * another connection), the databases are dropped / the server stopped, and the promise resolves with the partial
 * report (status 'cancelled').
 */
import { createHash } from 'node:crypto';
import { initParser } from '../analysis/analyzer.js';
import { addDurations, estimateDuration, type DurationRange } from '../analysis/estimate';
import { blockedWorkloads, lockStrength } from '../analysis/lockmodel/lock-modes.js';
import { replayMigrations } from '../analysis/schema-context.js';
import { parseQualifiedName } from '../analysis/catalog';
import { catalogSnapshot } from './catalog-snapshot.js';
import { rehearseContention, type WorkloadOptions } from './contention.js';
import { isDbError } from './driver.js';
import { planMigration, positionInFile, isClusterWide, type MigrationPlan, type PlannedStatement } from './migration-plan.js';
import { replayPrevious, type MigrationSource } from './replay.js';
import {
  REHEARSAL_REPORT_VERSION,
  RehearsalFailure,
  type BlockingFinding,
  type BlockingReport,
  type RehearsalProblem,
  type RehearsalProgress,
  type RehearsalReport,
  type StatementReport,
  type StatementSample,
  type MemoryLimits,
  formatDuration as formatMs,
} from './report.js';
import { runStatements, type StatementRun } from './runner.js';
import { RehearsalServer, RehearsalSetupError, type ServerChoice } from './server.js';
import { planSeeding, seedOrder, type SeedPlan, type TableSeed } from './seed/plan.js';
import { readSeedSchema, type SeedSchema } from './seed/schema.js';
import { ensureTemplate, seedInto, templateName, type SeedOptions } from './seed/seeder.js';
import type { LockMode } from '../analysis/lockmodel/lock-modes.js';

export type { MigrationSource } from './replay.js';

export const DEFAULT_SIZES = [10_000, 100_000, 1_000_000] as const;
export const DEFAULT_BUDGET_MS = 60_000;
export const DEFAULT_THRESHOLD_MS = 1_000;
export const DEFAULT_REPEAT = 3;

export interface RehearsalOptions {
  /** The migration to rehearse (its up section). `path` is how it is shown. */
  target: MigrationSource;
  /** The migrations that run before it, in run order (up sections). */
  previous: readonly MigrationSource[];
  server: ServerChoice;
  /** Row counts of the largest seeded table, one rehearsal per size (default 10k, 100k, 1M). */
  sizes?: readonly number[];
  /** Production row counts per table (`orders`, `public.orders`); the estimate extrapolates to them. */
  rows?: Readonly<Record<string, number>>;
  /** Sizes whose predicted cost would exceed this total are skipped (default 60 s). */
  budgetMs?: number;
  /** Blocking windows above this are findings (default 1 s). */
  thresholdMs?: number;
  /** How often each size runs at most (budget permitting), on fresh copies; the fastest run counts (default 3). */
  repeat?: number;
  /**
   * Production memory limits (default: the rehearsal server's own settings). With --rows targets each size runs
   * with them scaled by size / production rows, so sorts and hashes spill at the same data-to-memory ratio.
   */
  memory?: Partial<MemoryLimits>;
  /**
   * Simulated concurrent traffic (contention.ts): after the measured sizes, on a fresh copy of the largest one, N
   * clients query the locked tables while the migration runs, then the lock-queue demo. Off by default.
   */
  workload?: WorkloadOptions | boolean;
  signal?: AbortSignal;
  onProgress?: (event: RehearsalProgress) => void;
}

interface SizeRun {
  size: number;
  /** Rows per seeded table at this size. */
  rows: Map<string, number>;
  /** Per statement: its fastest successful run at this size (or the failed one). */
  runs: Map<number, StatementRun>;
  /** Per statement: the durations of all its successful runs, in order. */
  repeats: Map<number, number[]>;
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalReport> {
  const startedAt = performance.now();
  const thresholdMs = options.thresholdMs ?? DEFAULT_THRESHOLD_MS;
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const repeat = Math.max(1, Math.floor(options.repeat ?? DEFAULT_REPEAT));
  const signal = options.signal;
  const progress = (event: Omit<RehearsalProgress, 'elapsedMs'>): void =>
    options.onProgress?.({ ...event, elapsedMs: Math.round(performance.now() - startedAt) });

  const report: RehearsalReport = {
    version: REHEARSAL_REPORT_VERSION,
    status: 'completed',
    file: options.target.path,
    server: { version: '', embedded: options.server.kind === 'embedded' },
    sizes: [],
    skippedSizes: [],
    target: null,
    transaction: { mode: 'single', reason: '' },
    replayed: options.previous.map((p) => p.path),
    seeding: [],
    memory: null,
    statements: [],
    findings: [],
    thresholdMs,
    error: null,
    notes: [],
    durationMs: 0,
    contention: null,
  };

  let server: RehearsalServer | undefined;
  let plan: MigrationPlan | undefined;
  const sizeRuns: SizeRun[] = [];
  let seededTables: string[] = [];
  let phase: RehearsalProblem['phase'] = 'input';
  /** The size being seeded or run, for messages. */
  let currentSize: number | undefined;
  const onAbort = (): void => {
    void server?.cancelRunningQueries();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    signal?.throwIfAborted();
    await initParser();
    validateOptions(options);
    // Parse errors need no server: report them before starting one.
    const migration = { path: options.target.path, ...options.target.migration };
    const preview = planMigration(options.target.text, { pgVersion: 17, migration });
    throwOnUnrunnable(preview, options.target.path);

    phase = 'server';
    progress({ phase: 'server', message: options.server.kind === 'url' ? 'connecting to the server' : 'starting an embedded PostgreSQL' });
    try {
      server = await RehearsalServer.open(options.server, signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new RehearsalFailure({ phase: 'server', message: error instanceof Error ? error.message : String(error) });
    }
    report.server.version = server.version;
    const major = Math.floor(server.versionNum / 10000);
    progress({
      phase: 'server',
      message: `PostgreSQL ${server.version} (${server.displayName}${server.pid ? `, pid ${server.pid}` : ''})`,
      ...(server.pid ? { pid: server.pid } : {}),
    });

    // Static view: the earlier migrations replayed into the catalog, the target analyzed against it.
    const base = options.previous.length > 0 ? replayMigrations(options.previous.map((p) => ({ path: p.path, text: p.text }))) : undefined;
    plan = planMigration(options.target.text, { ...(base ? { base } : {}), pgVersion: major, migration });
    report.transaction = { mode: plan.mode, reason: plan.modeReason, runner: plan.runner };
    for (const skipped of plan.skipped) report.notes.push(`${options.target.path}:${skipped.line}: ${skipped.message}`);
    if (!server.embedded) {
      const clusterWide = plan.statements.find((s) => isClusterWide(s));
      if (clusterWide) {
        throw new RehearsalFailure({
          phase: 'input',
          message: `the migration changes the whole server (${clusterWide.kind}), not just its database; a --url rehearsal only writes inside its scratch database`,
          file: options.target.path,
          line: clusterWide.line,
          column: clusterWide.column,
          hint: 'Rehearse on the embedded PostgreSQL (drop --url).',
        });
      }
    }
    report.statements = plan.statements.map((s) => emptyStatementReport(s));
    if (options.previous.length === 0) {
      report.notes.push('no earlier migrations were found next to it (or its name carries no version): it ran against an empty database');
    }

    // Scratch database with the real schema.
    phase = 'replay';
    const scratch = RehearsalServer.scratchName();
    await server.createDatabase(scratch);
    if (options.previous.length > 0) {
      progress({ phase: 'replay', message: `replaying ${options.previous.length} earlier migration${options.previous.length === 1 ? '' : 's'}` });
      const replayed = await replayPrevious(server, scratch, options.previous, {
        pgVersion: major,
        ...(signal ? { signal } : {}),
        onFile: (source, k) => progress({ phase: 'replay', message: `${k + 1}/${options.previous.length} ${source.path}` }),
      });
      if (replayed.createdRoles.length > 0) {
        report.notes.push(`created role${replayed.createdRoles.length === 1 ? '' : 's'} ${replayed.createdRoles.join(', ')} (NOLOGIN) on the embedded server, which the migrations grant to`);
      }
    }
    const schemaSession = await server.driver.connect(scratch);
    let schema: SeedSchema;
    let fingerprint: string;
    try {
      schema = await readSeedSchema(schemaSession);
      fingerprint = createHash('sha256').update(JSON.stringify(await catalogSnapshot(schemaSession))).digest('hex');
    } finally {
      await schemaSession.close();
    }
    // Checked before the probe, so a misspelt --rows table fails fast.
    phase = 'input';
    const targets = resolveTargets(options.rows ?? {}, schema);
    report.target = targets.size > 0 ? Object.fromEntries(targets) : null;
    const production = targets.size > 0 ? await productionMemory(server, options.memory) : undefined;
    if (production) report.memory = { production, sizes: [] };

    // Probe: the target on the empty schema, to learn what it touches and what it will demand of the rows.
    phase = 'probe';
    progress({ phase: 'probe', message: 'running the migration on the empty schema' });
    const probe = await probeMigration(server, scratch, plan, signal, (statement) =>
      progress({ phase: 'probe', statement: statement.index, message: `statement ${statement.index + 1}: ${oneLine(statement.text, 60)}` }),
    );
    if (probe.failure) report.notes.push(probe.failure);

    const touched = touchedTables(plan, probe.locked, schema);
    const { tables: seedSet, rowsAt } = seedLayout(schema, probe.future, touched, targets);
    seededTables = seedSet;

    // Sizes: ascending; a size above the largest production count would measure more than production has.
    // --rows t=0 leaves t empty; it does not make every size 0.
    const positiveTargets = [...targets.values()].filter((n) => n > 0);
    const maxTarget = positiveTargets.length > 0 ? Math.max(...positiveTargets) : Infinity;
    let sizes = [...new Set((options.sizes ?? DEFAULT_SIZES).map((s) => Math.min(s, maxTarget)))].filter((s) => s > 0).sort((a, b) => a - b);
    if (seedSet.length === 0) {
      report.notes.push('the migration touches no existing table, so there is nothing to seed: it ran once, on the empty schema');
      sizes = [0];
    }

    // Costs of the previous size, to predict the next: seeding (incl. its copy) and one run (copy + migration)
    // both scale with rows.
    let previousCost: { size: number; seedMs: number; runMs: number } | undefined;
    /** The largest size that ran with seeded rows, for the workload. */
    let lastSeeded: { size: number; seedPlan: SeedPlan; seedOptions: SeedOptions; settings: Record<string, string>; run: SizeRun } | undefined;
    let firstRunStarted: number | undefined;
    let outOfBudgetAt: number | undefined;
    const predict = (rows: number): { seedMs: number; runMs: number } =>
      previousCost && previousCost.size > 0
        ? { seedMs: previousCost.seedMs * (rows / previousCost.size) * 1.1, runMs: previousCost.runMs * (rows / previousCost.size) * 1.1 }
        : { seedMs: 0, runMs: 0 };
    for (const [position, size] of sizes.entries()) {
      signal?.throwIfAborted();
      const elapsed = performance.now() - startedAt;
      if (outOfBudgetAt !== undefined) {
        for (const skipped of sizes.slice(position)) {
          report.skippedSizes.push({ rows: skipped, reason: `the budget was used up at ${outOfBudgetAt.toLocaleString('en-US')} rows; raise --budget-seconds to run it` });
        }
        break;
      }
      if (previousCost && previousCost.size > 0) {
        const next = predict(size);
        if (elapsed + next.seedMs + next.runMs > budgetMs) {
          for (const skipped of sizes.slice(position)) {
            const cost = predict(skipped);
            const reason =
              `would take about ${formatSeconds(cost.seedMs + cost.runMs)} ` +
              `(${formatSeconds(Math.max(0, budgetMs - elapsed))} of the ${formatSeconds(budgetMs)} budget left); raise --budget-seconds to run it`;
            report.skippedSizes.push({ rows: skipped, reason });
            progress({ phase: 'skip', size: skipped, message: `skipping ${skipped.toLocaleString('en-US')} rows: ${reason}` });
          }
          break;
        }
      }
      const sizeStarted = performance.now();
      currentSize = size;
      const rows = rowsAt(size);
      // Each size runs up to `repeat` times, each on a fresh copy, and every statement keeps its fastest run: on a
      // busy machine noise only ever adds time. Repetitions beyond the first happen only while the budget allows
      // them and still leaves room for one run of every larger size; for the largest size, repeating is planned
      // (it needs a template to copy) only when the prediction says it fits.
      const isLast = position === sizes.length - 1;
      const lastFits = previousCost !== undefined && elapsed + predict(size).seedMs + predict(size).runMs * repeat <= budgetMs;
      const repetitions = size === 0 ? 1 : !isLast || lastFits ? repeat : 1;
      phase = 'seed';
      /** The seeded database the runs copy, or undefined: seed straight into the single run's database. */
      let source: string | undefined = size > 0 ? undefined : scratch;
      let ownTemplate: string | undefined;
      let seedPlan: SeedPlan | undefined;
      const seedOptions = {
        replicationRoleReplica: server.superuser,
        ...(signal ? { signal } : {}),
        onTable: (table: TableSeed) => progress({ phase: 'seed', size, message: `${table.table}: ${table.rows.toLocaleString('en-US')} rows` }),
      };
      if (size > 0) {
        seedPlan = planSeeding({ schema, ...(probe.future ? { future: probe.future } : {}), touched, rows, defaultRows: size });
        throwOnSeedProblems(seedPlan);
        if (position === 0) for (const note of seedPlan.notes) report.notes.push(note);
        const name = templateName(fingerprint, seedPlan);
        progress({ phase: 'seed', size, message: `seeding ${describeRows(rows)}` });
        if ((await server.databaseExists(name)) || server.buildTemplates) {
          const template = await ensureTemplate(server, scratch, name, seedPlan, seedOptions);
          report.seeding.push({ size, template: template.name, reused: template.reused, ms: template.ms, tables: template.tables });
          if (template.reused) progress({ phase: 'seed', size, message: `reusing template ${template.name}` });
          source = template.name;
        } else if (repetitions > 1) {
          // A template for this rehearsal only: copied once per repetition, dropped when the size is done.
          const started = performance.now();
          ownTemplate = `${scratch}_t${position}`;
          await server.createDatabase(ownTemplate, scratch);
          const tables = await seedInto(server, ownTemplate, seedPlan, seedOptions);
          report.seeding.push({ size, template: null, reused: false, ms: Math.round(performance.now() - started), tables });
          source = ownTemplate;
        }
      }

      phase = 'run';
      const limits = production && size > 0 ? scaledMemory(production, size / maxTarget) : undefined;
      if (limits) report.memory!.sizes.push({ size, ...limits });
      const sizeRun: SizeRun = { size, rows, runs: new Map(), repeats: new Map() };
      sizeRuns.push(sizeRun);
      if (seedPlan) {
        lastSeeded = {
          size,
          seedPlan,
          seedOptions,
          settings: limits ? { work_mem: `${limits.workMemKb}kB`, maintenance_work_mem: `${limits.maintenanceWorkMemKb}kB` } : {},
          run: sizeRun,
        };
      }
      report.sizes.push(size);
      let failedAt: number | undefined;
      const seedMs = performance.now() - sizeStarted;
      let firstRunMs = 0;
      for (let repetition = 0; repetition < repetitions && failedAt === undefined; repetition++) {
        if (repetition > 0) {
          // Room for this repetition and for one run of each larger size that would fit without it (costs scaled
          // from this size)? Sizes that will not fit anyway reserve nothing.
          const now = performance.now() - startedAt;
          let reserve = 0;
          for (const later of sizes.slice(position + 1)) {
            const cost = (seedMs + firstRunMs) * (later / size) * 1.1;
            if (now + reserve + cost > budgetMs) break;
            reserve += cost;
          }
          if (now + firstRunMs + reserve > budgetMs) break;
        }
        const runStarted = performance.now();
        const copy = `${scratch}_s${position}_${repetition}`;
        if (source !== undefined) {
          await server.createDatabase(copy, source);
        } else {
          const started = performance.now();
          await server.createDatabase(copy, scratch);
          const tables = await seedInto(server, copy, seedPlan!, seedOptions);
          report.seeding.push({ size, template: null, reused: false, ms: Math.round(performance.now() - started), tables });
        }
        const suffix = repetitions > 1 ? ` (run ${repetition + 1} of ${repetitions})` : '';
        // The budget also bounds a run: a statement still running when it is used up is cancelled on the server.
        // The first run gets a full budget of its own, however long the replay and seeding took.
        firstRunStarted ??= performance.now();
        const deadline = Math.max(startedAt + budgetMs, firstRunStarted + budgetMs);
        let outOfBudget = false;
        const timer = setTimeout(() => {
          outOfBudget = true;
          void server!.cancelRunningQueries([copy]);
        }, Math.max(0, deadline - performance.now()));
        const outcome = await runStatements({
          driver: server.driver,
          database: copy,
          statements: plan.statements,
          mode: plan.mode,
          canFlushStats: server.versionNum >= 150000,
          ...(signal ? { signal } : {}),
          ...(limits ? { settings: { work_mem: `${limits.workMemKb}kB`, maintenance_work_mem: `${limits.maintenanceWorkMemKb}kB` } } : {}),
          onStart: (statement) =>
            progress({ phase: 'run', size, statement: statement.index, message: `statement ${statement.index + 1}: ${oneLine(statement.text, 60)}${suffix}` }),
          onStatement: (run) => {
            const best = sizeRun.runs.get(run.index);
            if (!best || run.error || (!best.error && run.ms < best.ms)) sizeRun.runs.set(run.index, run);
            if (!run.error) sizeRun.repeats.set(run.index, [...(sizeRun.repeats.get(run.index) ?? []), run.ms]);
          },
        }).finally(() => clearTimeout(timer));
        signal?.throwIfAborted();
        await server.dropDatabase(copy);
        failedAt = outcome.failedAt;
        if (outOfBudget && failedAt !== undefined) {
          const run = sizeRun.runs.get(failedAt);
          if (run?.error?.code === '57014') {
            run.error = {
              message: `did not finish within the ${formatSeconds(budgetMs)} budget (cancelled after ${formatMs(run.ms)})`,
              code: '57014',
              hint: 'Raise --budget-seconds, or rehearse at smaller --sizes.',
            };
            outOfBudgetAt = size;
          }
        }
        if (repetition === 0) firstRunMs = performance.now() - runStarted;
      }
      if (ownTemplate) await server.dropDatabase(ownTemplate);
      previousCost = { size, seedMs, runMs: firstRunMs };
      if (failedAt !== undefined) {
        const failed = sizeRun.runs.get(failedAt)!;
        const statement = report.statements.find((s) => s.index === failedAt)!;
        if (!statement.error) {
          const planned = plan.statements.find((s) => s.index === failedAt)!;
          const where = positionInFile(plan, planned, failed.error!.position);
          statement.error = {
            message: failed.error!.message,
            code: failed.error!.code,
            line: where.line,
            column: where.column,
            size,
            ...(failed.error!.detail ? { detail: failed.error!.detail } : {}),
            ...(failed.error!.hint ? { hint: failed.error!.hint } : {}),
          };
          report.error = {
            phase: 'run',
            message: `statement ${planned.index + 1} failed at ${size.toLocaleString('en-US')} rows: ${failed.error!.message} (SQLSTATE ${failed.error!.code})`,
            file: options.target.path,
            line: where.line,
            column: where.column,
            hint:
              failed.error!.hint && failed.error!.code === '57014' && outOfBudgetAt === size
                ? failed.error!.hint
                : 'The statements before it were measured; the ones after it did not run. Fix it and rehearse again.',
          };
        }
      }
    }
    if (options.workload) {
      phase = 'run';
      await runWorkload();
    }
    report.status = report.error ? 'failed' : 'completed';

    async function runWorkload(): Promise<void> {
      const workload = options.workload === true ? {} : (options.workload as WorkloadOptions);
      const skipped = (why: string): void => {
        report.contention = { size: lastSeeded?.size ?? 0, clients: 0, ratePerSecond: 0, statementTimeoutMs: 0, tables: [], workload: null, queue: null, notes: [why] };
      };
      if (!lastSeeded) return skipped('the workload did not run: no size with seeded rows ran');
      if (report.error) return skipped('the workload did not run: the migration failed on its own');
      signal?.throwIfAborted();
      const locked = new Map<string, LockMode>();
      for (const run of lastSeeded.run.runs.values()) {
        for (const lock of run.locks) {
          if (!lock.preexisting || lock.table === null) continue;
          const known = locked.get(lock.table);
          if (!known || lockRank(lock.mode) > lockRank(known)) locked.set(lock.table, lock.mode);
        }
      }
      for (const statement of plan!.statements) {
        // A statement outside a transaction can end between two samples: the lock model fills in its table locks.
        for (const lock of statement.effect?.locks ?? []) {
          if ((lock.kind === 'table' || lock.kind === 'partitioned table') && seededTables.includes(lock.relation) && !locked.has(lock.relation)) locked.set(lock.relation, lock.mode);
        }
      }
      const tables = workload.tables?.map((t) => resolveTableName(t, schema.tables.map((x) => x.name)) ?? t);
      progress({ phase: 'workload', size: lastSeeded.size, message: 'simulating concurrent clients' });
      try {
        report.contention = await rehearseContention({
          server: server!,
          scratch,
          schema,
          seedPlan: lastSeeded.seedPlan,
          size: lastSeeded.size,
          seedOptions: lastSeeded.seedOptions,
          statements: plan!.statements,
          mode: plan!.mode,
          file: options.target.path,
          settings: lastSeeded.settings,
          canFlushStats: server!.versionNum >= 150000,
          locked,
          options: { ...workload, ...(tables ? { tables } : {}) },
          ...(signal ? { signal } : {}),
          progress: (message) => progress({ phase: 'workload', size: lastSeeded!.size, message }),
        });
      } catch (error) {
        // The measured samples stand on their own: a workload that cannot run is reported, not fatal.
        if (signal?.aborted) throw error;
        const problem = problemOf(error, 'run');
        skipped(`the workload stopped: ${problem.message}${problem.hint ? ` ${problem.hint}` : ''}`);
        report.notes.push(`the concurrent workload could not finish: ${problem.message}; the measured samples above are complete`);
      }
    }
  } catch (error) {
    if (signal?.aborted) {
      report.status = 'cancelled';
      report.notes.push('cancelled: the running statement was cancelled and everything the rehearsal created was removed');
    } else {
      report.status = 'failed';
      report.error = problemOf(error, phase, { ...(server ? { server } : {}), ...(currentSize !== undefined ? { size: currentSize } : {}) });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (server) {
      progress({ phase: 'cleanup', message: server.embedded && options.server.kind === 'embedded' && !options.server.server ? 'stopping the embedded server' : 'dropping the rehearsal databases' });
      if (signal?.aborted) await server.cancelRunningQueries();
      const { problems } = await server.close();
      for (const problem of problems) report.notes.push(problem);
    }
  }

  if (plan) {
    progress({ phase: 'estimate', message: 'fitting durations' });
    buildEstimates(report, plan, sizeRuns, seededTables);
  }
  report.durationMs = Math.round(performance.now() - startedAt);
  return report;
}

// ---------------------------------------------------------------------------------------------------------------
// Setup helpers

function validateOptions(options: RehearsalOptions): void {
  for (const size of options.sizes ?? []) {
    if (!Number.isInteger(size) || size <= 0) throw new RehearsalFailure({ phase: 'input', message: `size ${size} is not a positive whole number of rows` });
  }
  for (const [table, rows] of Object.entries(options.rows ?? {})) {
    if (!Number.isInteger(rows) || rows < 0) throw new RehearsalFailure({ phase: 'input', message: `--rows ${table}=${rows}: the row count must be a whole number ≥ 0` });
  }
}

function throwOnUnrunnable(plan: MigrationPlan, file: string): void {
  const problem = plan.problems[0];
  if (!problem) return;
  throw new RehearsalFailure({
    phase: 'input',
    message: problem.message,
    file,
    line: problem.line,
    column: problem.column,
    hint: 'The file cannot run as it is: fix the statement (lockstep lint shows it too).',
  });
}

function throwOnSeedProblems(plan: SeedPlan): void {
  const problem = plan.problems[0];
  if (!problem) return;
  throw new RehearsalFailure({
    phase: 'seed',
    message: `cannot seed ${problem.table}: ${problem.message}`,
    hint: `Blocked by ${problem.blocker}. Give the table fewer rows, or 0 to leave it empty (--rows ${problem.table}=0).`,
  });
}

/** SQLSTATEs of a server that is shutting down or crashed (class 57P) or a broken connection (class 08). */
const SERVER_GONE = /^(57P0[1-4]|08...)$/;

/**
 * The server (or our connection to it) went away under us: killed, crashed, restarted, or our backend terminated.
 * pg reports it as a plain Error ("Connection terminated unexpectedly"), the driver as "connection … was lost".
 */
export function isServerGone(error: unknown): boolean {
  if (isDbError(error)) return SERVER_GONE.test(error.code);
  const message = error instanceof Error ? error.message : String(error);
  return /Connection terminated|connection .* was lost|ECONNRESET|ECONNREFUSED|server closed the connection|terminating connection/i.test(message);
}

function problemOf(error: unknown, phase: RehearsalProblem['phase'], where?: { server?: RehearsalServer; size?: number }): RehearsalProblem {
  if (error instanceof RehearsalFailure) return error.problem;
  if (error instanceof RehearsalSetupError) return { phase: 'server', message: error.message };
  if (isServerGone(error)) {
    const server = where?.server;
    const reason = error instanceof Error ? error.message : String(error);
    return {
      phase,
      message:
        `the PostgreSQL server${server ? ` (${server.displayName}${server.pid ? `, pid ${server.pid}` : ''})` : ''} went away during the ${phase} phase` +
        `${where?.size !== undefined ? ` at ${where.size.toLocaleString('en-US')} rows` : ''}: ${reason}`,
      hint: server?.embedded
        ? 'The embedded server was stopped from outside — killed, or ended by the system for lack of memory (see the system log). ' +
          'What was measured before is in the report and its directory was removed; run the rehearsal again.'
        : 'The server stopped, restarted or ended Lockstep’s session (pg_terminate_backend). What was measured before is in the report; ' +
          'check the server, then run again — lockstep_rehearsal_* databases it could not drop are listed in the notes.',
    };
  }
  if (isDbError(error)) return { phase, message: `${error.message} (SQLSTATE ${error.code})` };
  return {
    phase: 'internal',
    message: error instanceof Error ? error.message : String(error),
    hint: 'This is probably a bug in Lockstep; please open an issue with the migration and the command you ran.',
  };
}

interface ProbeOutcome {
  /** Tables (existing before the migration) it locked, per the server. */
  locked: string[];
  /** The schema after the migration, when it ran to the end. */
  future: SeedSchema | undefined;
  failure?: string;
}

/**
 * Runs the migration on an empty copy of the schema. A statement PostgreSQL refuses in a transaction block that
 * the static model did not flag switches the file to statement-by-statement semantics, like the runner would.
 */
async function probeMigration(
  server: RehearsalServer,
  scratch: string,
  plan: MigrationPlan,
  signal: AbortSignal | undefined,
  onStart: (statement: PlannedStatement) => void,
): Promise<ProbeOutcome> {
  // One transaction: run it in the scratch database itself and roll it back. Otherwise (statements that commit
  // on their own) in a throwaway copy.
  const inPlace = plan.mode === 'single';
  const database = inPlace ? scratch : `${scratch}_probe`;
  if (!inPlace) await server.createDatabase(database, scratch);
  try {
    let future: SeedSchema | undefined;
    const outcome = await runStatements({
      driver: server.driver,
      database,
      // In place, even a lone statement runs inside the block that is rolled back: its effect is the same.
      statements: inPlace ? plan.statements.map((s) => ({ ...s, transaction: { id: 0, inTransaction: true } })) : plan.statements,
      canFlushStats: false,
      ...(signal ? { signal } : {}),
      onStart: (statement) => onStart(statement as PlannedStatement),
      ...(inPlace ? { rollback: { beforeRollback: async (session) => void (future = await readSeedSchema(session, { inTransaction: true })) } } : {}),
    });
    const locked = new Set<string>();
    for (const run of outcome.runs) for (const lock of run.locks) if (lock.preexisting && lock.table) locked.add(lock.table);
    let failure: string | undefined;
    if (outcome.failedAt !== undefined) {
      const run = outcome.runs.find((r) => r.index === outcome.failedAt)!;
      const statement = plan.statements.find((s) => s.index === outcome.failedAt)!;
      failure = `statement ${statement.index + 1} (line ${statement.line}) already fails on the empty schema: ${run.error?.message}`;
      future = undefined;
    } else if (!inPlace) {
      const session = await server.driver.connect(database);
      try {
        future = await readSeedSchema(session);
      } finally {
        await session.close();
      }
    }
    return { locked: [...locked], future, ...(failure ? { failure } : {}) };
  } finally {
    if (!inPlace) await server.dropDatabase(database);
  }
}

/** --rows keys (orders, public.orders, "Orders") → schema-qualified table names. */
function resolveTargets(rows: Readonly<Record<string, number>>, schema: SeedSchema): Map<string, number> {
  const targets = new Map<string, number>();
  const tables = schema.tables.map((t) => t.name);
  for (const [key, count] of Object.entries(rows)) {
    const name = resolveTableName(key, tables);
    if (!name) {
      throw new RehearsalFailure({
        phase: 'input',
        message: `--rows ${key}=${count}: no table ${key} exists after replaying the earlier migrations`,
        hint: `Tables: ${tables.join(', ') || '(none)'}.`,
      });
    }
    targets.set(name, count);
  }
  return targets;
}

export function resolveTableName(key: string, tables: readonly string[]): string | undefined {
  const parts = parseQualifiedName(key);
  if (!parts || parts.length > 2) return undefined;
  if (parts.length === 2) return tables.find((t) => sameQualified(t, parts[0]!, parts[1]!));
  const matches = tables.filter((t) => parseQualifiedName(t)?.[1] === parts[0]);
  // Unqualified: the only table of that name, or the one in public (the default search_path).
  return matches.length === 1 ? matches[0] : matches.find((t) => parseQualifiedName(t)?.[0] === 'public');
}

function sameQualified(table: string, schema: string, name: string): boolean {
  const parts = parseQualifiedName(table);
  return parts?.[0] === schema && parts[1] === name;
}

/** Existing tables the migration touches: what the lock model says, plus what the server saw it lock. */
function touchedTables(plan: MigrationPlan, locked: readonly string[], schema: SeedSchema): string[] {
  const existing = new Set(schema.tables.map((t) => t.name));
  const touched = new Set<string>(locked.filter((t) => existing.has(t)));
  for (const statement of plan.statements) {
    const effect = statement.effect;
    if (!effect) continue;
    for (const table of [...Object.values(effect.blocks).flat(), ...effect.rewrites, ...effect.scans]) if (existing.has(table)) touched.add(table);
  }
  return [...touched].sort();
}

/**
 * Which tables are seeded and with how many rows at each size. `size` is the row count of the largest table: with
 * --rows, each table gets its production count scaled by size / largest production count; tables without --rows
 * get `size` (assumed as large as the largest).
 */
function seedLayout(
  schema: SeedSchema,
  future: SeedSchema | undefined,
  touched: readonly string[],
  targets: Map<string, number>,
): { tables: string[]; rowsAt: (size: number) => Map<string, number> } {
  const { tables } = seedOrder({ schema, ...(future ? { future } : {}), touched });
  const positive = [...targets.values()].filter((n) => n > 0);
  const maxTarget = positive.length > 0 ? Math.max(...positive) : 1;
  return {
    tables,
    rowsAt: (size) => {
      const rows = new Map<string, number>();
      for (const table of tables) {
        const target = targets.get(table);
        rows.set(table, target === undefined ? size : target === 0 ? 0 : Math.max(1, Math.round((target * size) / maxTarget)));
      }
      return rows;
    },
  };
}

/** The production limits: given, else the rehearsal server's own (PostgreSQL's defaults on the embedded one). */
async function productionMemory(server: RehearsalServer, given: Partial<MemoryLimits> | undefined): Promise<MemoryLimits> {
  const admin = await server.adminSession();
  const { rows } = await admin.query<{ name: string; kb: string }>(
    "SELECT name, setting AS kb FROM pg_settings WHERE name IN ('work_mem', 'maintenance_work_mem')",
  );
  const setting = (name: string): number => Number(rows.find((r) => r.name === name)?.kb ?? 0);
  return {
    workMemKb: given?.workMemKb ?? setting('work_mem'),
    maintenanceWorkMemKb: given?.maintenanceWorkMemKb ?? setting('maintenance_work_mem'),
  };
}

/** PostgreSQL's minimums: work_mem 64 kB, maintenance_work_mem 1 MB. */
const MIN_WORK_MEM_KB = 64;
const MIN_MAINTENANCE_WORK_MEM_KB = 1024;

/**
 * Memory for a sample at `ratio` = size / production rows: a sort or hash join over the sample's rows then has as
 * much memory per row as production will have over its rows, so it spills to disk at the same point (a scale
 * model). Never more than production, never below PostgreSQL's minimums.
 */
export function scaledMemory(production: MemoryLimits, ratio: number): MemoryLimits {
  const scale = (kb: number, min: number): number => Math.max(Math.min(kb, min), Math.min(kb, Math.round(kb * Math.min(1, ratio))));
  return {
    workMemKb: scale(production.workMemKb, MIN_WORK_MEM_KB),
    maintenanceWorkMemKb: scale(production.maintenanceWorkMemKb, MIN_MAINTENANCE_WORK_MEM_KB),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// From runs to the report

function emptyStatementReport(statement: PlannedStatement): StatementReport {
  return { index: statement.index, line: statement.line, text: statement.text, kind: statement.kind, via: null, subject: null, samples: [], estimate: null, blocking: null };
}

function buildEstimates(report: RehearsalReport, plan: MigrationPlan, sizeRuns: readonly SizeRun[], seededTables: readonly string[]): void {
  const seeded = new Set(seededTables);
  const targets = new Map(Object.entries(report.target ?? {}));
  const maxTarget = targets.size > 0 ? Math.max(...targets.values()) : undefined;
  const anyRun = sizeRuns.some((sr) => sr.runs.size > 0);

  // Per statement: subject table, samples, estimate.
  const estimates = new Map<number, DurationRange>();
  for (const statement of report.statements) {
    const planned = plan.statements.find((s) => s.index === statement.index)!;
    const runs = sizeRuns.map((sr) => ({ sizeRun: sr, run: sr.runs.get(statement.index) })).filter((x) => x.run && !x.run.error);
    if (runs.length === 0) {
      if (!statement.error) statement.estimateNote = !anyRun ? 'not run' : report.status === 'cancelled' ? 'did not run (cancelled)' : 'did not run (an earlier statement failed)';
      continue;
    }
    const largest = runs[runs.length - 1]!;
    statement.via = largest.run!.via;
    statement.subject = subjectOf(largest.run!, planned, seeded, largest.sizeRun.rows, targets);
    statement.samples = runs.map(({ sizeRun, run }) => ({
      ...sampleOf(run!, sizeRun, statement.subject, planned, seeded),
      ...((sizeRun.repeats.get(statement.index)?.length ?? 0) > 1 ? { repeats: sizeRun.repeats.get(statement.index)! } : {}),
    }));

    // What the statement does at the largest size decides its shape: at tiny sizes the planner may scan a table
    // it reads through an index later, and a batched UPDATE touches fewer rows than its batch.
    const largestRun = largest.run!;
    const atLeastLinear =
      largestRun.rewritten.length > 0 ||
      largestRun.scanned.length > 0 ||
      (planned.effect !== undefined && planned.effect.rewrites.length + planned.effect.scans.length > 0) ||
      grows(statement.samples);
    const fitted = sameWorkSamples(statement.samples);
    if (targets.size === 0) {
      statement.estimateNote = 'no --rows target: measured only';
      continue;
    }
    const targetRows = statement.subject === null ? maxTarget! : targets.get(statement.subject);
    if (targetRows === undefined) {
      statement.estimateNote = `no --rows target for ${statement.subject}: measured only`;
      continue;
    }
    const estimate = estimateDuration(
      fitted.filter((s) => s.rows > 0).map((s) => ({ rows: s.rows, ms: s.ms })),
      targetRows,
      { atLeastLinear, sameWork: sameWorkAcross(fitted) },
    );
    if (!estimate) {
      statement.estimateNote = 'no usable samples';
      continue;
    }
    statement.estimate = {
      rows: estimate.rows,
      ms: round(estimate.ms),
      lowMs: round(estimate.lowMs),
      highMs: round(estimate.highMs),
      model: estimate.model,
      alternatives: estimate.alternatives.map((a) => ({ model: a.model, ms: round(a.ms) })),
      extrapolation: round(estimate.extrapolation),
    };
    estimates.set(statement.index, estimate);
  }

  // Blocking: a lock taken by statement k is held until its transaction ends, so it blocks for statements k…end
  // plus the COMMIT (estimated when every statement in that window has an estimate).
  for (const statement of report.statements) {
    const lastSize = sizeRuns.filter((sr) => sr.runs.get(statement.index) && !sr.runs.get(statement.index)!.error).at(-1);
    const run = lastSize?.runs.get(statement.index);
    if (!run) continue;
    const window = report.statements.filter((s) => s.index >= run.index && s.index <= run.releasedAfter);
    const windowEstimates = window.map((s) => estimates.get(s.index));
    const commit = { ms: run.commitMs, lowMs: run.commitMs, highMs: run.commitMs };
    const estimated = windowEstimates.every((e) => e !== undefined) ? addDurations([...(windowEstimates as DurationRange[]), commit]) : undefined;
    const blocking: BlockingReport = {
      basis: estimated ? 'estimate' : 'measured',
      rows: estimated ? (statement.estimate?.rows ?? 0) : (statement.samples.at(-1)?.rows ?? 0),
      reads: {},
      writes: {},
      heldUntil:
        run.via === 'monitor'
          ? 'while the statement runs'
          : run.releasedAfter === run.index
            ? 'until its COMMIT'
            : `until the COMMIT after statement ${run.releasedAfter + 1}`,
      ...(estimated ? { ranges: { reads: {}, writes: {} } } : {}),
    };
    const locks = statement.samples.at(-1)?.locks ?? [];
    for (const lock of locks) {
      if (!lock.preexisting || lock.table === null) continue;
      const workloads = blockedWorkloads(lock.mode).filter((w): w is 'reads' | 'writes' => w === 'reads' || w === 'writes');
      for (const workload of workloads) {
        const ms = estimated ? (run.via === 'monitor' ? estimates.get(run.index)!.ms : estimated.ms) : lock.heldMs;
        if (ms <= (blocking[workload][lock.table] ?? -1)) continue;
        blocking[workload][lock.table] = round(ms);
        if (estimated && blocking.ranges) {
          const range = run.via === 'monitor' ? estimates.get(run.index)! : estimated;
          blocking.ranges[workload][lock.table] = [round(range.lowMs), round(range.highMs)];
        }
        // Findings are made below, once per statement, table and workload.
      }
    }
    if (Object.keys(blocking.reads).length + Object.keys(blocking.writes).length > 0 || locks.length > 0) statement.blocking = blocking;
    for (const workload of ['reads', 'writes'] as const) {
      for (const [table, ms] of Object.entries(blocking[workload])) {
        if (ms <= report.thresholdMs) continue;
        const lock = locks.filter((l) => l.table === table && blockedWorkloads(l.mode).includes(workload)).sort((a, b) => b.heldMs - a.heldMs)[0]!;
        const range = blocking.ranges?.[workload][table];
        const finding: BlockingFinding = {
          statement: statement.index,
          line: statement.line,
          workload,
          table,
          ms,
          ...(range ? { lowMs: range[0], highMs: range[1] } : {}),
          basis: blocking.basis,
          rows: blocking.rows,
          mode: lock.mode,
          heldUntil: blocking.heldUntil,
          message:
            `statement ${statement.index + 1} blocks ${workload === 'reads' ? 'reads (SELECT)' : 'writes (INSERT/UPDATE/DELETE)'} on ${table} for ` +
            `${blocking.basis === 'estimate' ? `~${formatMs(ms)}${range ? ` (${formatMs(range[0])}–${formatMs(range[1])})` : ''} at ${blocking.rows.toLocaleString('en-US')} rows` : `${formatMs(ms)} at ${blocking.rows.toLocaleString('en-US')} rows (measured)`}: ` +
            `${lock.mode} held ${blocking.heldUntil}`,
        };
        report.findings.push(finding);
      }
    }
  }
}

/**
 * The table whose size drives the statement's duration: rewritten, else scanned, else locked; among several, one
 * with a --rows target, then the one with most rows (an FK validation scans both tables: the target decides).
 */
function subjectOf(run: StatementRun, planned: PlannedStatement, seeded: Set<string>, rows: Map<string, number>, targets: Map<string, number>): string | null {
  const tableOf = new Map(run.locks.map((l) => [l.relation, l.table]));
  const asTable = (name: string): string | null => (seeded.has(name) ? name : (tableOf.get(name) ?? null));
  const groups = [
    run.rewritten.map(asTable),
    run.scanned.map(asTable),
    [...(planned.effect?.rewrites ?? []), ...(planned.effect?.scans ?? [])],
    run.locks.filter((l) => l.preexisting).map((l) => l.table),
  ];
  for (const group of groups) {
    const candidates = [...new Set(group.filter((t): t is string => t !== null && seeded.has(t)))];
    if (candidates.length === 0) continue;
    return candidates.sort((a, b) => Number(targets.has(b)) - Number(targets.has(a)) || (rows.get(b) ?? 0) - (rows.get(a) ?? 0) || (a < b ? -1 : 1))[0]!;
  }
  return null;
}

function sampleOf(run: StatementRun, sizeRun: SizeRun, subject: string | null, planned: PlannedStatement, seeded: Set<string>): StatementSample {
  const locks: StatementSample['locks'] = run.locks.map((l) => ({
    relation: l.relation,
    table: l.table,
    mode: l.mode,
    heldMs: l.heldMs,
    preexisting: l.preexisting,
    source: l.source,
  }));
  if (run.via === 'monitor') {
    // A statement outside a transaction can end between two samples (CREATE INDEX CONCURRENTLY on a small table
    // takes milliseconds): the lock model fills in the table locks sampling missed, held for the whole statement.
    for (const lock of planned.effect?.locks ?? []) {
      const isTable = lock.kind === 'table' || lock.kind === 'partitioned table';
      if (!isTable || !seeded.has(lock.relation) || locks.some((l) => l.relation === lock.relation)) continue;
      locks.push({ relation: lock.relation, table: lock.relation, mode: lock.mode, heldMs: run.ms, preexisting: true, source: 'model' });
    }
    locks.sort((a, b) => (a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : 0));
  }
  return {
    rows: subject === null ? sizeRun.size : (sizeRun.rows.get(subject) ?? sizeRun.size),
    size: sizeRun.size,
    ms: run.ms,
    rewrite: run.rewritten.length > 0,
    scan: run.scanned.length > 0,
    rewritten: run.rewritten,
    scanned: run.scanned,
    rowsAffected: run.rowsAffected,
    walBytes: run.walBytes,
    locks,
  };
}

/** Rows affected grow with the table: the statement touches a share of all rows (an unbatched UPDATE). */
function grows(samples: readonly StatementSample[]): boolean {
  const [before, last] = samples.slice(-2);
  if (!before || !last || before.rowsAffected === null || last.rowsAffected === null) return false;
  return last.rowsAffected > before.rowsAffected * Math.sqrt(last.rows / before.rows);
}

/**
 * A statement that affects the same number of rows at the larger sizes (a batch: WHERE id BETWEEN 1 AND 5000) does
 * the same work there; smaller sizes where it affected fewer rows (the table was smaller than the batch) measure a
 * different amount of work and are left out of the fit.
 */
/** Every sample affected the same (non-zero) number of rows. */
function sameWorkAcross(samples: readonly StatementSample[]): boolean {
  const first = samples[0]?.rowsAffected;
  return samples.length > 1 && first !== null && first !== undefined && first > 0 && samples.every((s) => s.rowsAffected === first);
}

function sameWorkSamples(samples: readonly StatementSample[]): readonly StatementSample[] {
  const [before, last] = samples.slice(-2);
  if (!before || !last || last.rowsAffected === null || last.rowsAffected === 0 || before.rowsAffected !== last.rowsAffected) return samples;
  return samples.filter((s) => s.rowsAffected === last.rowsAffected);
}

function describeRows(rows: Map<string, number>): string {
  return [...rows].map(([table, n]) => `${table} ${n.toLocaleString('en-US')}`).join(', ');
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function lockRank(mode: LockMode): number {
  return lockStrength(mode);
}
