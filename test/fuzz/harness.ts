/**
 * The fuzz harness behind `npm run fuzz` (test/fuzz/fuzz.ts) and the smoke run in `npm test`
 * (test/fuzz/fuzz-smoke.test.ts). Feeds broken documents to the analysis core (one-shot `analyzeText` and a
 * `DocumentAnalyzer` fed a sequence of edits) and to the real language server over stdio, and records every way
 * they fail: an exception, an unhandled rejection, a result that contradicts itself, a request not answered
 * within the time limit, a server that died or whose memory grew past the bound.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AnalysisOptions, AnalysisResult } from '../../server/src/analysis/types';
import { analyzeText, DocumentAnalyzer, initParser } from '../../server/src/analysis/analyzer';
import { buildCase, loadSeeds, SPECIAL_CASE_COUNT, type FuzzCase, type Seed } from './inputs';
import { LspDriver, type PublishTiming } from './lsp-driver';
import { Prng } from './prng';

/** `npm run fuzz`: the pathological documents at full size (10 MB), 1 s to answer. */
export const FULL_RUN = { coreCases: 10_000, serverCases: 300, scale: 1, timeLimitMs: 1000, slowCaseMs: 20_000, hangMs: 120_000 };

/**
 * How long the server may take to publish a version's settled (final) diagnostics. The time limit applies to a
 * version's first publish — a responsive editor — which for a large document is provisional (the server keeps
 * analyzing, lsp/document-diagnostics.ts); the settled publish only has to come (hang detection): a 1 MB document
 * takes several seconds of analysis.
 */
export const SETTLED_DIAGNOSTICS_LIMIT_MS = 60_000;

/**
 * `npm run fuzz -- --smoke` and `npm test`: a few hundred random cases, the pathological documents at 2 % of their
 * size. It guards against crashes and hangs, not speed (timings belong in benchmarks; the machines are shared and
 * noisy), so its time limits are generous; the full run holds the 1 s limit.
 */
export const SMOKE_RUN = { coreCases: 300, serverCases: 60, scale: 0.02, timeLimitMs: 10_000, slowCaseMs: 60_000, hangMs: 120_000 };

export interface FuzzOptions {
  seed: number;
  /** Cases fed to the core: numbers 0 … coreCases-1 (the first SPECIAL_CASE_COUNT are the pathological ones). */
  coreCases: number;
  /** Cases also fed to the server: numbers 0 … serverCases-1. */
  serverCases: number;
  /** Replay just this case (core and server). */
  onlyCase?: number;
  /** Case numbers to leave out (e.g. a known failure while it is being fixed). */
  skipCases?: readonly number[];
  /** 1 for full-size pathological documents (10 MB); the smoke run uses less. */
  scale: number;
  /** Extra arguments shown in replay commands (e.g. "--smoke"), so they rebuild the same case. */
  replayFlags: string;
  repoRoot: string;
  corpusDir?: string;
  /** A request or a diagnostics round trip slower than this fails the case. */
  timeLimitMs: number;
  /** Peak server RSS above this fails the run. */
  maxRssMb: number;
  /** A core case (all its analyses together) slower than this fails: analysis cost must not explode. */
  slowCaseMs: number;
  /** A core case running longer than this is reported as a hang and the process is killed. 0 = no watchdog. */
  hangMs: number;
  log(line: string): void;
}

export interface FuzzFailure {
  phase: 'core' | 'server';
  caseNumber: number;
  description: string;
  problem: string;
  replay: string;
}

export interface Slowest {
  caseNumber: number;
  what: string;
  ms: number;
}

export interface FuzzReport {
  seedSource: string;
  coreCasesRun: number;
  serverCasesRun: number;
  requestsSent: number;
  failures: FuzzFailure[];
  slowestCoreCase: Slowest | undefined;
  slowestRequest: Slowest | undefined;
  /** The slowest first publish of a version (provisional or final): what the time limit applies to. */
  slowestDiagnostics: Slowest | undefined;
  /** The slowest final publish of a version. */
  slowestSettledDiagnostics: Slowest | undefined;
  serverPeakRssMb: number | undefined;
  serverFinalRssMb: number | undefined;
  serverExit: string | undefined;
  seconds: number;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const { seeds, source } = loadSeeds(options.repoRoot, options.corpusDir);
  const report: FuzzReport = {
    seedSource: source,
    coreCasesRun: 0,
    serverCasesRun: 0,
    requestsSent: 0,
    failures: [],
    slowestCoreCase: undefined,
    slowestRequest: undefined,
    slowestDiagnostics: undefined,
    slowestSettledDiagnostics: undefined,
    serverPeakRssMb: undefined,
    serverFinalRssMb: undefined,
    serverExit: undefined,
    seconds: 0,
  };
  const skip = new Set(options.skipCases ?? []);
  const numbers = (count: number): number[] =>
    options.onlyCase !== undefined ? [options.onlyCase] : Array.from({ length: count }, (_, n) => n).filter((n) => !skip.has(n));

  let currentCase = -1;
  let phase: FuzzFailure['phase'] = 'core';
  const onRejection = (reason: unknown): void => {
    report.failures.push(failure(options, phase, currentCase, '(unknown)', `unhandled rejection: ${describe(reason)}`));
  };
  process.on('unhandledRejection', onRejection);
  try {
    await initParser();
    const watchdog = options.hangMs > 0 ? new Watchdog(options.hangMs) : undefined;
    try {
      for (const n of numbers(options.coreCases)) {
        currentCase = n;
        const fuzzCase = buildCase(options.seed, n, seeds, options.scale);
        const { slowMs, hangMs } = coreCaseLimits(fuzzCase, options);
        watchdog?.beat(hangMs, `fuzz case ${n} (${fuzzCase.description}) has run for over ${hangMs / 1000} s in the analysis core; replay: ${replayCommand(options, n)}`);
        const caseStarted = performance.now();
        const problem = runCoreCase(fuzzCase, 12 + (n % 7));
        const ms = performance.now() - caseStarted;
        report.coreCasesRun++;
        if (problem) report.failures.push(failure(options, 'core', n, fuzzCase.description, problem));
        else if (ms > slowMs) {
          const sizes = fuzzCase.steps.map((t) => t.length).join(', ');
          report.failures.push(failure(options, 'core', n, fuzzCase.description, `analysis took ${(ms / 1000).toFixed(1)} s for ${fuzzCase.steps.length + 1} analyses of texts of ${sizes} characters (limit ${(slowMs / 1000).toFixed(0)} s)`));
        }
        if (!report.slowestCoreCase || ms > report.slowestCoreCase.ms) report.slowestCoreCase = { caseNumber: n, what: fuzzCase.description, ms };
        if (report.coreCasesRun % 1000 === 0) options.log(`  core: ${report.coreCasesRun} cases, ${report.failures.length} failures`);
      }
    } finally {
      watchdog?.stop();
    }
    if (options.serverCases > 0 || options.onlyCase !== undefined) {
      // The server cases run asynchronously: a stray rejection there cannot be pinned on one case.
      phase = 'server';
      currentCase = -1;
      await runServerCases(options, seeds, numbers(options.serverCases), report);
    }
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

// ---------------------------------------------------------------------------------------------------------------
// Core

/**
 * Added to the core's slow-case limit per million characters the case analyzes (every analysis counted: the
 * one-shot analysis of the last text and each step's). The core has no time requirement of its own (the editor
 * analyzes at most 1 MB, lsp/document-limit.ts); its limits are there to catch hangs and superlinear blow-ups, and
 * a flat limit cannot tell those from a large document: the 10 MB one-line case (178,000 statements, ~34 s CPU per
 * analysis, 3 analyses) ran past a flat 20 s and 120 s. A linear limit still catches anything superlinear: the core
 * costs ~3.4 s CPU per MB of dense SQL, so 8 s per million characters leaves room for a loaded machine but not
 * for quadratic growth on the multi-MB cases.
 */
const SLOW_CASE_MS_PER_MILLION_CHARS = 8_000;

/** The slow limit (a failure) and the watchdog's hang limit (kills the run) for one core case. */
export function coreCaseLimits(fuzzCase: FuzzCase, options: Pick<FuzzOptions, 'slowCaseMs' | 'hangMs'>): { slowMs: number; hangMs: number } {
  // runCoreCase analyzes the last text once more on its own, then every step.
  const chars = fuzzCase.steps[fuzzCase.steps.length - 1]!.length + fuzzCase.steps.reduce((sum, t) => sum + t.length, 0);
  const slowMs = options.slowCaseMs + Math.round((SLOW_CASE_MS_PER_MILLION_CHARS * chars) / 1_000_000);
  // Twice the slow limit, and never less than the configured watchdog: a hang is far past slow.
  return { slowMs, hangMs: Math.max(options.hangMs, 2 * slowMs) };
}

/** The two entry points of the core under test; tests of the harness pass broken ones. */
export interface CoreUnderTest {
  analyzeText(text: string, options: AnalysisOptions): AnalysisResult;
  createAnalyzer(): { analyze(text: string, options: AnalysisOptions): AnalysisResult };
}

const realCore: CoreUnderTest = { analyzeText, createAnalyzer: () => new DocumentAnalyzer() };

/** Returns a description of what went wrong, or undefined when the core behaved. */
export function runCoreCase(fuzzCase: FuzzCase, pgVersion: number, core: CoreUnderTest = realCore): string | undefined {
  const options = { pgVersion };
  const final = fuzzCase.steps[fuzzCase.steps.length - 1]!;
  let oneShot: AnalysisResult;
  try {
    oneShot = core.analyzeText(final, options);
  } catch (error) {
    return `analyzeText threw: ${stackOf(error)}`;
  }
  const broken = checkResult(final, oneShot);
  if (broken) return `analyzeText returned an inconsistent result: ${broken}`;

  const analyzer = core.createAnalyzer();
  let incremental: AnalysisResult | undefined;
  for (const [k, step] of fuzzCase.steps.entries()) {
    try {
      incremental = analyzer.analyze(step, options);
    } catch (error) {
      return `DocumentAnalyzer.analyze threw at edit ${k} of ${fuzzCase.steps.length - 1}: ${stackOf(error)}`;
    }
    const wrong = checkResult(step, incremental);
    if (wrong) return `DocumentAnalyzer.analyze returned an inconsistent result at edit ${k}: ${wrong}`;
  }
  // Caching must not change what is found: after the edits, the analyzer must agree with a fresh analysis.
  const differs = firstDifference(summarize(oneShot), summarize(incremental!));
  if (differs) return `DocumentAnalyzer after ${fuzzCase.steps.length - 1} edits disagrees with analyzeText of the same text: ${differs}`;
  return undefined;
}

/** Invariants every analysis result must satisfy, whatever the input. */
function checkResult(text: string, result: AnalysisResult): string | undefined {
  const lineLengths = lineLengthsWithBreaks(text);
  const badPosition = (p: { line: number; character: number }): boolean =>
    !(Number.isInteger(p.line) && Number.isInteger(p.character)) ||
    p.line < 0 || p.line >= lineLengths.length || p.character < 0 || p.character > lineLengths[p.line]!;
  let previousStart = 0;
  for (const [i, s] of result.statements.entries()) {
    if (s.index !== i) return `statement ${i} has index ${s.index}`;
    if (!(s.start >= previousStart && s.start <= s.end && s.end <= text.length)) {
      return `statement ${i} has offsets [${s.start}, ${s.end}) (previous start ${previousStart}, text length ${text.length})`;
    }
    if (badPosition(s.range.start) || badPosition(s.range.end)) return `statement ${i} has range ${JSON.stringify(s.range)} outside the text`;
    previousStart = s.start;
  }
  for (const f of result.findings) {
    if (!(f.statement >= 0 && f.statement < result.statements.length)) return `finding ${f.rule} points at statement ${f.statement} of ${result.statements.length}`;
    if (badPosition(f.range.start) || badPosition(f.range.end)) return `finding ${f.rule} has range ${JSON.stringify(f.range)} outside the text`;
    const { start, end } = f.range;
    if (start.line > end.line || (start.line === end.line && start.character > end.character)) return `finding ${f.rule} has a reversed range ${JSON.stringify(f.range)}`;
    if (typeof f.message !== 'string' || f.message.length === 0) return `finding ${f.rule} has no message`;
  }
  return undefined;
}

/** Length of each LSP line (\n, \r\n, \r) including its line break, so a position may sit on the break. */
function lineLengthsWithBreaks(text: string): number[] {
  const lengths: number[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      lengths.push(i + 1 - start);
      start = i + 1;
    }
  }
  lengths.push(text.length - start);
  return lengths;
}

function summarize(result: AnalysisResult): string[] {
  return [
    ...result.statements.map((s) => `statement ${s.index} ${s.kind} [${s.start}, ${s.end})`),
    ...result.findings.map((f) => `finding ${JSON.stringify([f.rule, f.severity, f.message, f.range, f.statement, f.data ?? null])}`),
  ];
}

function firstDifference(expected: string[], actual: string[]): string | undefined {
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (expected[i] !== actual[i]) return `item ${i}: fresh ${expected[i] ?? '(none)'} vs incremental ${actual[i] ?? '(none)'}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Server

async function runServerCases(options: FuzzOptions, seeds: readonly Seed[], numbers: number[], report: FuzzReport): Promise<void> {
  const limit = options.timeLimitMs;
  // The settled publish is bounded by the driver's wait: a version without one fails as "no publishDiagnostics".
  const settledLimit = Math.max(limit, SETTLED_DIAGNOSTICS_LIMIT_MS);
  // FUZZ_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): node flags for the server, to profile a
  // replayed case (node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.FUZZ_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const driver = await LspDriver.start(options.repoRoot, { diagnosticsDelayMs: 0 }, nodeArgs);
  let errorLogsSeen = 0;
  try {
    for (const n of numbers) {
      const fuzzCase = buildCase(options.seed, n, seeds, options.scale);
      const fail = (problem: string) => report.failures.push(failure(options, 'server', n, fuzzCase.description, problem));
      const rng = new Prng(n ^ 0x5eed);
      const uri = `file:///fuzz/case-${n}.sql`;
      const noteDiagnostics = (timing: PublishTiming, what: string): void => {
        const { firstMs, ms } = timing;
        if (!report.slowestDiagnostics || firstMs > report.slowestDiagnostics.ms) report.slowestDiagnostics = { caseNumber: n, what, ms: firstMs };
        if (!report.slowestSettledDiagnostics || ms > report.slowestSettledDiagnostics.ms) report.slowestSettledDiagnostics = { caseNumber: n, what, ms };
        if (firstMs > limit) fail(`${what}: first diagnostics took ${firstMs.toFixed(0)} ms (limit ${limit} ms)`);
      };
      const ask = async (method: string, params: unknown): Promise<void> => {
        const outcome = await driver.request(method, params, limit);
        report.requestsSent++;
        if (!report.slowestRequest || outcome.ms > report.slowestRequest.ms) report.slowestRequest = { caseNumber: n, what: method, ms: outcome.ms };
        if (outcome.kind === 'timeout') fail(`${method} not answered within ${limit} ms`);
        // -32603 is what vscode-jsonrpc answers when a handler throws: a bug, not a refusal.
        else if (outcome.kind === 'error' && (outcome.errorCode === -32603 || outcome.errorCode === -1)) fail(`${method} failed: ${outcome.errorMessage}`);
      };
      try {
        let version = 1;
        const [opened] = await Promise.all([
          driver.open(uri, fuzzCase.steps[0]!, version, settledLimit),
          ask('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }),
        ]);
        noteDiagnostics(opened, 'didOpen');
        for (const step of fuzzCase.steps.slice(1)) {
          version++;
          // The hover goes out right behind the change, so its answer waits for that change's analysis: the
          // latency a user hovering while typing sees.
          const [changed] = await Promise.all([
            driver.changeTo(uri, step, version, settledLimit),
            ask('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }),
          ]);
          noteDiagnostics(changed, `didChange to version ${version}`);
          await askAround(ask, rng, uri, driver.text(uri) ?? '');
        }
        // An edit a confused client might send: a range past the end of the document.
        if (rng.chance(0.2)) {
          version++;
          const far = { line: 1_000_000, character: 5 };
          noteDiagnostics(await driver.change(uri, [{ range: { start: far, end: far }, text: ';\n' }], version, settledLimit), 'didChange past the end');
        }
        if (rng.chance(0.1)) {
          await driver.notify('textDocument/didChange', { textDocument: { uri: `${uri}.unopened`, version: 1 }, contentChanges: [{ text: 'x' }] });
          await ask('textDocument/hover', { textDocument: { uri: `${uri}.unopened` }, position: { line: 0, character: 0 } });
        }
        await driver.close(uri, settledLimit);
      } catch (error) {
        fail(describe(error));
      }
      report.serverCasesRun++;
      if (driver.errorLogs.length > errorLogsSeen) {
        fail(`server logged an error: ${driver.errorLogs.slice(errorLogsSeen).join('\n').slice(0, 4000)}`);
        errorLogsSeen = driver.errorLogs.length;
      }
      const memory = driver.memory();
      if (memory.peakRssMb !== undefined) report.serverPeakRssMb = memory.peakRssMb;
      if (!driver.alive()) {
        fail(`server ${driver.describeExit()}; stderr:\n${driver.stderr}`);
        break;
      }
      if (report.serverCasesRun % 100 === 0) options.log(`  server: ${report.serverCasesRun} cases, ${report.failures.length} failures, RSS ${memory.rssMb?.toFixed(0)} MB`);
    }
    report.serverFinalRssMb = driver.memory().rssMb;
    if (report.serverPeakRssMb !== undefined && report.serverPeakRssMb > options.maxRssMb) {
      report.failures.push(failure(options, 'server', -1, 'whole run', `server peak RSS ${report.serverPeakRssMb.toFixed(0)} MB exceeds ${options.maxRssMb} MB`));
    }
  } finally {
    report.serverExit = await driver.stop();
  }
  if (report.serverExit !== 'exit code 0') {
    report.failures.push(failure(options, 'server', -1, 'shutdown', `server did not exit cleanly after shutdown/exit: ${report.serverExit}`));
  }
}

/** hover, codeAction and inlayHint at random places, in range and out of it. */
async function askAround(ask: (method: string, params: unknown) => Promise<void>, rng: Prng, uri: string, text: string): Promise<void> {
  const lines = Math.max(1, text.split(/\r\n|\r|\n/, 10_000).length);
  const position = () => ({ line: rng.int(lines + 2), character: rng.int(rng.chance(0.5) ? 40 : 100_000) });
  const textDocument = { uri };
  await ask('textDocument/hover', { textDocument, position: position() });
  const a = position();
  const b = position();
  const [start, end] = a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
  await ask('textDocument/codeAction', { textDocument, range: { start, end }, context: { diagnostics: [] } });
  await ask('textDocument/inlayHint', { textDocument, range: { start: { line: 0, character: 0 }, end: { line: lines + 1, character: 0 } } });
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * The core runs synchronously, so a case that loops forever cannot be interrupted from inside. A separate
 * process watches heartbeats and, when one case runs past the limit, prints which case hung (with its replay
 * command) and kills this process, rather than leaving a silent hang.
 */
class Watchdog {
  private readonly child: ChildProcess;

  constructor(hangMs: number) {
    const script = `
      let last = Date.now(), message = '', limit = ${hangMs};
      process.stdin.setEncoding('utf8');
      let buffer = '';
      process.stdin.on('data', (chunk) => {
        buffer += chunk;
        const lines = buffer.split('\\n'); buffer = lines.pop();
        for (const line of lines) { last = Date.now(); const tab = line.indexOf('\\t'); limit = Number(line.slice(0, tab)); message = line.slice(tab + 1); }
      });
      process.stdin.on('end', () => process.exit(0));
      setInterval(() => {
        if (message && Date.now() - last > limit) {
          process.stderr.write('\\nfuzz watchdog: ' + message + '\\n');
          try { process.kill(${process.pid}, 'SIGKILL'); } catch {}
          process.exit(1);
        }
      }, 500);`;
    this.child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'inherit'] });
    this.child.unref();
  }

  /** A case starts: it may run for `hangMs`. */
  beat(hangMs: number, message: string): void {
    this.child.stdin!.write(`${hangMs}\t${message.replace(/[\n\t]/g, ' ')}\n`);
  }

  stop(): void {
    this.child.stdin!.end();
  }
}

function failure(options: FuzzOptions, phase: FuzzFailure['phase'], caseNumber: number, description: string, problem: string): FuzzFailure {
  return { phase, caseNumber, description, problem, replay: caseNumber >= 0 ? replayCommand(options, caseNumber) : '' };
}

export function replayCommand(options: Pick<FuzzOptions, 'seed' | 'replayFlags'>, caseNumber: number): string {
  return `npm run fuzz -- --seed ${options.seed} --case ${caseNumber}${options.replayFlags ? ` ${options.replayFlags}` : ''}`;
}

export function formatReport(report: FuzzReport, options: Pick<FuzzOptions, 'seed' | 'timeLimitMs'>): string {
  const lines: string[] = [];
  const slow = (s: Slowest | undefined): string => (s ? `${s.ms.toFixed(0)} ms (case ${s.caseNumber}: ${s.what.slice(0, 100)})` : 'n/a');
  lines.push(`fuzz seed ${options.seed}; seeds: ${report.seedSource}`);
  lines.push(`core:   ${report.coreCasesRun} cases; slowest ${slow(report.slowestCoreCase)}`);
  lines.push(`server: ${report.serverCasesRun} cases, ${report.requestsSent} requests; slowest request ${slow(report.slowestRequest)}; slowest first diagnostics ${slow(report.slowestDiagnostics)}; slowest settled diagnostics ${slow(report.slowestSettledDiagnostics)}`);
  lines.push(`server memory: peak RSS ${report.serverPeakRssMb?.toFixed(0) ?? 'n/a'} MB, after the last case ${report.serverFinalRssMb?.toFixed(0) ?? 'n/a'} MB; ${report.serverExit ?? 'not started'}`);
  lines.push(`failures: ${report.failures.length}; ${report.seconds.toFixed(1)} s`);
  for (const f of report.failures.slice(0, 50)) {
    lines.push('');
    lines.push(`FAIL [${f.phase}] case ${f.caseNumber}: ${f.description.slice(0, 200)}`);
    lines.push(`  ${f.problem.split('\n').slice(0, 30).join('\n  ')}`);
    if (f.replay) lines.push(`  replay: ${f.replay}`);
  }
  if (report.failures.length > 50) lines.push(`… and ${report.failures.length - 50} more failures`);
  return lines.join('\n');
}

export { SPECIAL_CASE_COUNT };

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
