/**
 * The per-file loop `lint` and `explain` share: collect the .sql files, load the parser, and for each file find its
 * lockstep.json, read it as UTF-8, build its schema context from the earlier migrations and analyze it. Every
 * problem is told on stderr once, in the same words for both commands; the caller turns results into output.
 */
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { analyzeText, initParser } from '../analysis/analyzer';
import type { Catalog } from '../analysis/catalog';
import type { AnalysisOptions, AnalysisResult, Finding } from '../analysis/types';
import { analysisOptionsFor, describeConfigProblems, ProjectConfigs } from './config-loader';
import { describeFsError } from './errors';
import type { CliIo } from './io';
import { displayPathFor } from './lint-report';
import { decodeUtf8, MigrationContexts, NotUtf8Error, type ContextProblem } from './migration-context';
import { collectSqlFiles } from './sql-files';

export interface AnalyzedFile {
  path: string;
  displayPath: string;
  options: AnalysisOptions;
  result: AnalysisResult;
  /** The schema the earlier migrations produce (undefined when the file has no context). */
  base: Catalog | undefined;
}

export interface AnalyzeFilesOutcome {
  files: AnalyzedFile[];
  /** Some file could not be read, configured or analyzed (exit code 2 for the command). */
  failed: boolean;
  /** The parser could not be loaded: nothing was analyzed. */
  parserUnavailable: boolean;
}

/** `verb` names the command's work in error messages: "analyzing", "explaining". */
export async function analyzeSqlFiles(
  paths: readonly string[],
  options: { io: CliIo; configs: ProjectConfigs; pgVersionOverride: number | undefined; verb: string },
): Promise<AnalyzeFilesOutcome> {
  const { io, configs, pgVersionOverride, verb } = options;
  const collected = await collectSqlFiles([...paths], io.cwd);
  const outcome: AnalyzeFilesOutcome = { files: [], failed: collected.problems.length > 0, parserUnavailable: false };
  for (const problem of collected.problems) io.err(`lockstep: ${problem}\n`);
  for (const folder of collected.emptyFolders) io.err(`lockstep: no .sql files in '${folder}'\n`);

  if (collected.files.length > 0) {
    try {
      await initParser();
    } catch (error) {
      io.err(
        `lockstep: could not load the PostgreSQL parser (libpg-query): ${message(error)}. ` +
          'Reinstall lockstep; if this persists, open an issue.\n',
      );
      return { ...outcome, parserUnavailable: true };
    }
  }

  const records = analyzeShare(collected.files, { cwd: io.cwd, configs, pgVersionOverride, keep: 'full' });
  mergeRecords(await records, collected.files, io, verb, outcome, (record) => {
    outcome.files.push({ path: record.path, displayPath: record.displayPath, options: record.options!, result: record.result!, base: record.base });
  });
  return outcome;
}

/** A linted file: what `lockstep lint` prints. */
export interface LintedResult {
  displayPath: string;
  findings: Finding[];
  suppressed: number;
}

export interface LintFilesOutcome {
  files: LintedResult[];
  failed: boolean;
  parserUnavailable: boolean;
}

/** Below this many files one thread is quicker: a worker costs ~0.2 s to load the bundle and the parser. */
const PARALLEL_MIN_FILES = 150;

/**
 * `lockstep lint`'s loop: as `analyzeSqlFiles`, keeping only findings, and spread over worker threads when there are
 * many files and more than one core (each worker loads the parser once and takes whole migration folders, so the
 * schema context of a folder tree is replayed in one place; the main thread takes the first share). Output and
 * messages are in file order either way.
 */
export async function lintSqlFiles(
  paths: readonly string[],
  options: { io: CliIo; configs: ProjectConfigs; pgVersionOverride: number | undefined },
): Promise<LintFilesOutcome> {
  const { io, configs, pgVersionOverride } = options;
  const collected = await collectSqlFiles([...paths], io.cwd);
  const outcome: LintFilesOutcome = { files: [], failed: collected.problems.length > 0, parserUnavailable: false };
  for (const problem of collected.problems) io.err(`lockstep: ${problem}\n`);
  for (const folder of collected.emptyFolders) io.err(`lockstep: no .sql files in '${folder}'\n`);
  if (collected.files.length === 0) return outcome;

  const shares = bundled() ? partitionByFolder(collected.files, lintThreads()) : [collected.files];
  const workers = shares.slice(1).map((share) => runWorker({ kind: WORKER_KIND, files: share, cwd: io.cwd, pgVersionOverride }));
  const results = [await lintShare(shares[0]!, { cwd: io.cwd, configs, pgVersionOverride }), ...(await Promise.all(workers))];
  const byPath = new Map<string, FileRecord>();
  for (const result of results) {
    if ('parserError' in result) {
      io.err(
        `lockstep: could not load the PostgreSQL parser (libpg-query): ${result.parserError}. ` +
          'Reinstall lockstep; if this persists, open an issue.\n',
      );
      return { ...outcome, parserUnavailable: true };
    }
    for (const r of result.records) byPath.set(r.path, r);
  }
  const ordered = collected.files.map((path) => byPath.get(path)!);
  mergeRecords(ordered, collected.files, io, 'analyzing', outcome, (record) => {
    outcome.files.push({ displayPath: record.displayPath, findings: record.findings!, suppressed: record.suppressed ?? 0 });
  });
  return outcome;
}

/** A share of `lockstep lint`'s files, analyzed: on the main thread or in a worker. */
type ShareResult = { records: FileRecord[] } | { parserError: string };

async function lintShare(files: readonly string[], options: { cwd: string; configs: ProjectConfigs; pgVersionOverride: number | undefined }): Promise<ShareResult> {
  try {
    await initParser();
  } catch (error) {
    return { parserError: message(error) };
  }
  return { records: await analyzeShare(files, { ...options, keep: 'findings' }) };
}

/** What happened to one file, as data, so the messages can be told in file order whichever thread did the work. */
interface FileRecord {
  path: string;
  displayPath: string;
  /** lockstep.json problems: told once per configuration file (`configKey`). */
  configProblem?: { key: string; message: string };
  readError?: string;
  contextProblems?: ContextProblem[];
  internalError?: { message: string; stack?: string };
  options?: AnalysisOptions;
  result?: AnalysisResult;
  base?: Catalog;
  findings?: Finding[];
  suppressed?: number;
}

async function analyzeShare(
  files: readonly string[],
  options: { cwd: string; configs: ProjectConfigs; pgVersionOverride: number | undefined; keep: 'full' | 'findings' },
): Promise<FileRecord[]> {
  const { cwd, configs, pgVersionOverride, keep } = options;
  const contexts = new MigrationContexts({ memoizeFileSystem: true });
  const records: FileRecord[] = [];
  for (const path of files) {
    const record: FileRecord = { path, displayPath: displayPathFor(path, cwd) };
    records.push(record);
    const project = configs.configFor(path);
    if (project.problems.length > 0) {
      record.configProblem = { key: project.path ?? '', message: describeConfigProblems(project) };
      continue;
    }
    let text: string;
    try {
      // Synchronous: fs/promises' readFile (open, fstat, read, close as separate thread-pool round trips) cost
      // ~0.3 ms of CPU per file on the corpus, readFileSync ~0.05 ms; migrations are small and the analysis is
      // CPU-bound, so reading ahead had nothing to overlap. The schema-context replay reads synchronously too.
      text = decodeUtf8(readFileSync(path));
    } catch (error) {
      record.readError = error instanceof NotUtf8Error ? error.message : describeFsError(error);
      continue;
    }
    try {
      const context = contexts.contextFor(path);
      record.contextProblems = [...context.problems];
      const analysisOptions = analysisOptionsFor(path, project, pgVersionOverride);
      const result = analyzeText(text, analysisOptions, context.base);
      if (keep === 'full') {
        record.options = analysisOptions;
        record.result = result;
        record.base = context.base;
      } else {
        record.findings = result.findings;
        record.suppressed = result.suppressed?.length ?? 0;
      }
    } catch (error) {
      record.internalError = { message: message(error), ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) };
    }
  }
  return records;
}

/** Tells each record's problems on stderr, in file order and each once, exactly as a one-thread run would. */
function mergeRecords(
  records: readonly FileRecord[],
  named: readonly string[],
  io: CliIo,
  verb: string,
  outcome: { failed: boolean },
  analyzed: (record: FileRecord) => void,
): void {
  const reportContextProblems = contextProblemReporter(named, io);
  const toldConfigProblems = new Set<string>();
  for (const record of records) {
    if (record.configProblem) {
      // An invalid configuration is a usage error: running with defaults would hide what the team configured.
      if (!toldConfigProblems.has(record.configProblem.key)) io.err(`lockstep: ${record.configProblem.message}\n`);
      toldConfigProblems.add(record.configProblem.key);
      outcome.failed = true;
      continue;
    }
    if (record.readError !== undefined) {
      io.err(`lockstep: cannot read '${record.displayPath}': ${record.readError}\n`);
      outcome.failed = true;
      continue;
    }
    if (record.contextProblems) reportContextProblems(record.contextProblems);
    if (record.internalError) {
      io.err(
        `lockstep: internal error while ${verb} '${record.displayPath}': ${record.internalError.message}. ` +
          'This is a bug in Lockstep; please open an issue and attach the file.\n',
      );
      if (process.env.LOCKSTEP_DEBUG && record.internalError.stack) io.err(`${record.internalError.stack}\n`);
      outcome.failed = true;
      continue;
    }
    analyzed(record);
  }
}

// ---- worker threads ----

const WORKER_KIND = 'lockstep-lint-share';

interface WorkerInput {
  kind: typeof WORKER_KIND;
  files: string[];
  cwd: string;
  pgVersionOverride: number | undefined;
}

/** One per core, at most 4; LOCKSTEP_LINT_THREADS=N overrides (1: no worker), e.g. to compare or to benchmark. */
function lintThreads(): number {
  const configured = Number(process.env.LOCKSTEP_LINT_THREADS);
  return Number.isInteger(configured) && configured >= 1 ? Math.min(configured, 16) : Math.min(4, availableParallelism());
}

/** Workers run this very bundle (dist/cli.js); from TypeScript sources (tests) everything stays on one thread. */
function bundled(): boolean {
  return typeof __filename === 'string' && __filename.endsWith('.js');
}

/**
 * Whole folder trees per share (a tree's files share one schema-context replay: a diesel project's version folders
 * are one tree), balanced by bytes, which both the analysis and the replay of earlier migrations grow with.
 */
function partitionByFolder(files: readonly string[], count: number): string[][] {
  if (count < 2 || files.length < PARALLEL_MIN_FILES) return [[...files]];
  const contexts = new MigrationContexts({ memoizeFileSystem: true });
  const trees = new Map<string, { files: string[]; bytes: number }>();
  for (const f of files) {
    const key = contexts.treeRootOf(f) ?? dirname(f);
    let bytes = 1;
    try {
      bytes += statSync(f).size;
    } catch {
      // Unreadable: the share that gets it reports that, at no cost.
    }
    const tree = trees.get(key);
    if (tree) {
      tree.files.push(f);
      tree.bytes += bytes;
    } else {
      trees.set(key, { files: [f], bytes });
    }
  }
  const shares = Array.from({ length: count }, () => ({ files: [] as string[], bytes: 0 }));
  for (const tree of [...trees.values()].sort((a, b) => b.bytes - a.bytes)) {
    const share = shares.reduce((min, s) => (s.bytes < min.bytes ? s : min));
    share.files.push(...tree.files);
    share.bytes += tree.bytes;
  }
  return shares.map((share) => share.files).filter((share) => share.length > 0);
}

function runWorker(input: WorkerInput): Promise<ShareResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: input, argv: [], stdout: false, stderr: false });
    let result: ShareResult | undefined;
    worker.once('message', (message: ShareResult) => (result = message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`a lint worker thread exited with code ${code} before reporting its ${input.files.length} files`));
    });
  });
}

/** True in a worker thread started by `lintSqlFiles`: the CLI entry runs `runLintWorker` instead of a command. */
export function isLintWorker(): boolean {
  return !isMainThread && (workerData as { kind?: string } | null)?.kind === WORKER_KIND;
}

export async function runLintWorker(): Promise<void> {
  const input = workerData as WorkerInput;
  const result = await lintShare(input.files, {
    cwd: input.cwd,
    configs: new ProjectConfigs({ memoize: true }),
    pgVersionOverride: input.pgVersionOverride,
  });
  parentPort!.postMessage(result);
}

/**
 * Says once per file that an earlier migration could not be read, so the schema context of the files after it
 * is partial. Files on the command line already get their own "cannot read" line.
 */
export function contextProblemReporter(named: readonly string[], io: CliIo): (problems: readonly ContextProblem[]) => void {
  const told = new Set<string>(named);
  return (problems) => {
    for (const problem of problems) {
      if (told.has(problem.path)) continue;
      told.add(problem.path);
      io.err(
        `lockstep: note: cannot read earlier migration '${displayPathFor(problem.path, io.cwd)}': ${problem.reason}; ` +
          'the files after it are checked without its schema changes\n',
      );
    }
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
