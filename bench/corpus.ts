/**
 * `npm run bench:corpus`: Lockstep's CLI against squawk's on every forward migration of ../shared/corpus.
 *
 * Both tools get the same files (direction=up in MANIFEST.tsv, paths relative to the corpus folder), split into
 * the same chunks so no command line exceeds --chunk-bytes (default 100,000 bytes: under every platform's
 * ARG_MAX, which is 2 MB on Linux but 256 KB on older macOS and 32 KB on Windows), one process per chunk run
 * one after another, each writing its JSON report to a pipe that this script drains. A round runs both tools,
 * alternating which goes first; wall time of a round is the sum over chunks, peak RSS the largest process seen.
 *
 *   npm run bench:corpus                               5 rounds (+1 warm-up round, not counted)
 *   npm run bench:corpus -- --rounds 2 --no-fail       quicker; exit 0 even when the target is missed
 *   npm run bench:corpus -- --rounds 9 --chunk-bytes 1000000
 *   npm run bench:corpus -- --squawk-native            also time squawk's native binary without its node wrapper
 *   npm run bench:corpus -- --stages                   also the lint's stages in this process (context, analysis, JSON)
 *   npm run bench:corpus -- --cpu-prof /tmp/prof       one profiled Lockstep run: where its time goes
 *
 * Lockstep runs as `node bin/lockstep.js lint --format json <files…>`; squawk as
 * `node_modules/.bin/squawk --reporter json <files…>` (the npm package's launcher, which is node too, starting
 * the native binary). Target: Lockstep/squawk ≤ 1.0 on median wall time. Absent corpus: prints a note, exits 0.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeText, initParser } from '../server/src/analysis/analyzer';
import { analysisOptionsFor, ProjectConfigs } from '../server/src/cli/config-loader';
import { toJsonReport } from '../server/src/cli/formatters/json';
import { decodeUtf8, MigrationContexts } from '../server/src/cli/migration-context';
import { findRepoRoot } from '../test/fuzz/lsp-driver';
import { summarizeProfile, type CpuProfile } from './profile';

interface Tool {
  name: string;
  /** argv (program first) for one chunk of files. */
  command(files: string[]): string[];
  /** Counts what the tool reported, to show both did the work: [files, findings]. */
  count(stdout: string): { files: number; findings: number };
}

interface RunResult {
  wallMs: number;
  /** user + system CPU of the whole process tree (GNU time), summed over chunks; undefined without it. */
  cpuMs: number | undefined;
  peakRssMb: number | undefined;
  files: number;
  findings: number;
  exitCodes: number[];
  stderr: string;
}

const TIME = '/usr/bin/time';

function readUpMigrations(corpusDir: string): string[] {
  const lines = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = lines.shift()!.split('\t');
  const path = header.indexOf('corpus_path');
  const direction = header.indexOf('direction');
  const files = new Set<string>();
  for (const line of lines) {
    const cells = line.split('\t');
    if (cells[direction] === 'up') files.add(cells[path]!);
  }
  return [...files].sort();
}

/** Splits `files` so that no chunk's arguments (plus a NUL each) exceed `budget` bytes. */
export function chunkArguments(files: string[], budget: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const file of files) {
    const bytes = Buffer.byteLength(file) + 1;
    if (current.length > 0 && size + bytes > budget) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(file);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Runs one process; wall time from spawn to exit, peak RSS from GNU time (-f %M) or by polling /proc. */
function runOnce(argv: string[], cwd: string): Promise<{ wallMs: number; cpuMs: number | undefined; peakRssKb: number | undefined; stdout: string; stderr: string; code: number }> {
  const useTime = existsSync(TIME);
  const full = useTime ? [TIME, '-f', '@@maxrss=%M cpu=%U+%S', ...argv] : argv;
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(full[0]!, full.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    let polledKb = 0;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const poll = useTime ? undefined : setInterval(() => (polledKb = Math.max(polledKb, treePeakKb(child.pid!))), 20);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (poll) clearInterval(poll);
      let peakRssKb: number | undefined = polledKb || undefined;
      let cpuMs: number | undefined;
      const marker = /@@maxrss=(\d+) cpu=([\d.]+)\+([\d.]+)\s*$/.exec(stderr);
      if (marker) {
        peakRssKb = Number(marker[1]);
        cpuMs = (Number(marker[2]) + Number(marker[3])) * 1000;
        stderr = stderr.slice(0, marker.index);
      }
      // GNU time adds "Command exited with non-zero status N" for a tool's findings exit code; that is not news.
      stderr = stderr.replace(/^Command exited with non-zero status \d+\n?/m, '');
      resolvePromise({ wallMs, cpuMs, peakRssKb, stdout: Buffer.concat(out).toString('utf8'), stderr, code: code ?? -1 });
    });
  });
}

/** Largest VmHWM (peak RSS) among `pid` and its descendants, in KB; 0 when /proc is unavailable. */
function treePeakKb(pid: number): number {
  let peak = 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    peak = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) peak = Math.max(peak, treePeakKb(Number(child)));
    }
  } catch {
    // The process ended between listing and reading.
  }
  return peak;
}

async function runTool(tool: Tool, chunks: string[][], cwd: string): Promise<RunResult> {
  const result: RunResult = { wallMs: 0, cpuMs: 0, peakRssMb: undefined, files: 0, findings: 0, exitCodes: [], stderr: '' };
  for (const chunk of chunks) {
    const run = await runOnce(tool.command(chunk), cwd);
    result.wallMs += run.wallMs;
    result.cpuMs = run.cpuMs === undefined || result.cpuMs === undefined ? undefined : result.cpuMs + run.cpuMs;
    if (run.peakRssKb !== undefined) result.peakRssMb = Math.max(result.peakRssMb ?? 0, run.peakRssKb / 1024);
    result.exitCodes.push(run.code);
    result.stderr += run.stderr;
    try {
      const counted = tool.count(run.stdout);
      result.files += counted.files;
      result.findings += counted.findings;
    } catch (error) {
      throw new Error(`${tool.name} did not print a JSON report (exit ${run.code}): ${error instanceof Error ? error.message : String(error)}\nstderr:\n${run.stderr.slice(0, 2000)}`);
    }
  }
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function medianStartup(argv: string[], cwd: string, times = 5): Promise<number> {
  const walls: number[] = [];
  for (let i = 0; i < times; i++) walls.push((await runOnce(argv, cwd)).wallMs);
  return median(walls);
}

const HELP = `Usage: npm run bench:corpus -- [options]

Times \`lockstep lint --format json\` against squawk on every forward migration of ../shared/corpus
(LOCKSTEP_CORPUS=dir for another), in chunks of files, alternating which tool runs first. Needs \`npm run build\`.

Options:
  --rounds N          measured rounds after one warm-up round (default 5)
  --chunk-bytes N     most bytes of file arguments per process (default 100000)
  --squawk-native     also time squawk's native binary without its node launcher
  --stages            also time the lint's stages in this process: schema context, analysis, JSON (CPU time)
  --cpu-prof DIR      one more Lockstep run with --cpu-prof into DIR, summarized by stage
  --no-fail           exit 0 even when Lockstep/squawk exceeds 1.0
  -h, --help          show this help
`;

/** The load average, to print beside every figure: on a shared machine wall times depend on it. */
function load(): string {
  return loadavg().map((l) => l.toFixed(2)).join(', ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      'chunk-bytes': { type: 'string' },
      'squawk-native': { type: 'boolean' },
      stages: { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      'no-fail': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const root = findRepoRoot();
  const corpusDir = resolve(process.env.LOCKSTEP_CORPUS ?? join(root, '..', 'shared', 'corpus'));
  if (!existsSync(join(corpusDir, 'MANIFEST.tsv'))) {
    console.log(`bench:corpus: ${corpusDir} not found; nothing to measure (runs where ../shared/corpus exists).`);
    return;
  }
  const rounds = Number(values.rounds ?? 5);
  const chunkBytes = Number(values['chunk-bytes'] ?? 100_000);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(chunkBytes) || chunkBytes < 1000) {
    throw new Error('--rounds takes a whole number ≥ 1, --chunk-bytes a whole number ≥ 1000');
  }
  const cli = join(root, 'bin', 'lockstep.js');
  const squawk = join(root, 'node_modules', '.bin', 'squawk');
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing; run `npm run build` first');
  if (!existsSync(squawk)) throw new Error(`${squawk} is missing; run \`npm install\` (squawk-cli is a dev dependency)`);

  const files = readUpMigrations(corpusDir);
  const chunks = chunkArguments(files, chunkBytes);
  const bytes = files.reduce((sum, f) => sum + readFileSync(join(corpusDir, f)).length, 0);

  const lockstep: Tool = {
    name: 'Lockstep',
    command: (chunk) => [process.execPath, cli, 'lint', '--format', 'json', ...chunk],
    count: (stdout) => {
      const report = JSON.parse(stdout) as { files: Array<{ findings: unknown[] }> };
      return { files: report.files.filter((f) => f.findings.length > 0).length, findings: report.files.reduce((n, f) => n + f.findings.length, 0) };
    },
  };
  const squawkTool = (name: string, program: string[]): Tool => ({
    name,
    command: (chunk) => [...program, '--reporter', 'json', ...chunk],
    count: (stdout) => {
      const violations = JSON.parse(stdout) as Array<{ file: string }>;
      return { files: new Set(violations.map((v) => v.file)).size, findings: violations.length };
    },
  });
  const tools = [lockstep, squawkTool('squawk', [squawk])];
  if (values['squawk-native']) {
    const native = createRequire(join(root, 'node_modules', 'squawk-cli', 'package.json'))('./js/index.js') as { getBinaryPath(): string };
    tools.push(squawkTool('squawk (native binary, no node launcher)', [native.getBinaryPath()]));
  }

  console.log(`bench:corpus: ${files.length} forward migrations (${(bytes / 1e6).toFixed(2)} MB) of ${corpusDir}`);
  console.log(`  ${chunks.length} chunks of ≤ ${chunkBytes} bytes of arguments (${chunks.map((c) => c.length).join(' + ')} files), the same for every tool`);
  console.log(`  peak RSS from ${existsSync(TIME) ? `${TIME} (largest process of the tree)` : '/proc VmHWM polling'}; 1 warm-up round, then ${rounds} rounds`);
  console.log(`  load average at start: ${load()} (${availableParallelism()} cores)`);

  const results = new Map<string, RunResult[]>(tools.map((t) => [t.name, []]));
  for (let round = 0; round <= rounds; round++) {
    // Alternate the order, so neither tool always runs on the cache the other warmed.
    const order = round % 2 === 0 ? tools : [...tools].reverse();
    const line: string[] = [];
    for (const tool of order) {
      const run = await runTool(tool, chunks, corpusDir);
      if (round > 0) results.get(tool.name)!.push(run);
      line.push(`${tool.name} ${(run.wallMs / 1000).toFixed(2)} s`);
    }
    console.log(`  ${round === 0 ? 'warm-up' : `round ${round}`}: ${line.join(', ')}`);
  }

  console.log('');
  console.log('| tool | median wall | min wall | median CPU (user+sys) | peak RSS | files with findings | findings | exit codes |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const tool of tools) {
    const runs = results.get(tool.name)!;
    const walls = runs.map((r) => r.wallMs / 1000);
    const peak = Math.max(...runs.map((r) => r.peakRssMb ?? NaN));
    const last = runs[runs.length - 1]!;
    const cpus = runs.map((r) => r.cpuMs).filter((c): c is number => c !== undefined);
    const cpu = cpus.length > 0 ? `${(median(cpus) / 1000).toFixed(2)} s` : '–';
    console.log(`| ${tool.name} | ${median(walls).toFixed(2)} s | ${Math.min(...walls).toFixed(2)} s | ${cpu} | ${peak.toFixed(0)} MB | ${last.files} | ${last.findings} | ${[...new Set(last.exitCodes)].join(', ')} |`);
  }
  const lockstepRuns = results.get('Lockstep')!;
  const squawkRuns = results.get('squawk')!;
  const ratio = median(lockstepRuns.map((r) => r.wallMs)) / median(squawkRuns.map((r) => r.wallMs));
  const minRatio = Math.min(...lockstepRuns.map((r) => r.wallMs)) / Math.min(...squawkRuns.map((r) => r.wallMs));
  console.log('');
  console.log(`Lockstep/squawk wall time: ${ratio.toFixed(2)} (median), ${minRatio.toFixed(2)} (min); target ≤ 1.00: ${ratio <= 1 ? 'met' : 'missed'}`);
  const cpuOf = (runs: RunResult[]) => median(runs.map((r) => r.cpuMs ?? NaN));
  const cpuRatio = cpuOf(lockstepRuns) / cpuOf(squawkRuns);
  if (!Number.isNaN(cpuRatio)) console.log(`Lockstep/squawk CPU time (user+sys, median): ${cpuRatio.toFixed(2)} — steadier than wall time on a busy machine`);
  console.log(`Load average after the rounds: ${load()}`);
  const lockstepErrors = lockstepRuns[0]!.stderr.trim();
  if (lockstepErrors) console.log(`Lockstep stderr (first round):\n${lockstepErrors.split('\n').slice(0, 10).join('\n')}`);

  // Where Lockstep's time goes: process start-up (node + bundle), WASM parser load, then the lint itself.
  const startupMs = await medianStartup([process.execPath, cli, '--version'], corpusDir);
  const oneFileMs = await medianStartup([process.execPath, cli, 'lint', '--format', 'json', files[0]!], corpusDir);
  console.log('');
  console.log(`Lockstep fixed costs per process (median of 5): start-up to \`--version\` ${startupMs.toFixed(0)} ms; lint of one small file ${oneFileMs.toFixed(0)} ms (so parser load + first analysis ≈ ${(oneFileMs - startupMs).toFixed(0)} ms); × ${chunks.length} chunks`);

  if (values.stages) {
    // The same work in this process, stage by stage, without process start-up: what the lint itself costs.
    const cold = inProcessStages(files, corpusDir, await prepareStages());
    const warm = inProcessStages(files, corpusDir, await prepareStages());
    const line = (s: Stages) =>
      `read + decode ${s.readMs.toFixed(0)} ms, schema context ${s.contextMs.toFixed(0)} ms, analyzeText ${s.analyzeMs.toFixed(0)} ms, JSON report ${s.formatMs.toFixed(0)} ms`;
    console.log(`Lockstep in one process, same files, CPU time (load ${load()}):`);
    console.log(`  first pass (cold JIT, as one CLI process): ${line(cold)}`);
    console.log(`  second pass (warm):                        ${line(warm)}`);
  }

  if (values['cpu-prof']) {
    const dir = resolve(values['cpu-prof']);
    mkdirSync(dir, { recursive: true });
    const before = new Set(readdirSync(dir));
    await runTool({ ...lockstep, command: (chunk) => [process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, cli, 'lint', '--format', 'json', ...chunk] }, chunks, corpusDir);
    const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    const stages = ['runCli', 'collectSqlFiles', 'initParser', 'lintShare', 'contextFor', 'replayMigrations', 'analyzeText', 'splitStatements', 'parseStatementText', 'parseSync', 'runRules', 'contextKey', 'apply', 'formatJson', 'sortFindings'];
    const totals = new Map<string, number>();
    let wall = 0;
    let gc = 0;
    for (const file of profiles) {
      const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, stages);
      wall += summary.totalMs;
      gc += summary.byFile.find((f) => f.name === '(garbage collector)')?.ms ?? 0;
      for (const s of summary.inclusive) totals.set(s.name, (totals.get(s.name) ?? 0) + s.ms);
    }
    console.log('');
    console.log(`CPU profile of one Lockstep run (${profiles.length} processes, ${wall.toFixed(0)} ms profiled; files in ${dir}):`);
    console.log('inclusive time per stage (nested stages are included in their parents):');
    for (const stage of stages) console.log(`  ${(totals.get(stage) ?? 0).toFixed(0).padStart(7)} ms  ${stage}`);
    console.log(`  ${gc.toFixed(0).padStart(7)} ms  (garbage collector)`);
  }
  if (ratio > 1 && !values['no-fail']) process.exitCode = 1;
}

interface Stages {
  readMs: number;
  contextMs: number;
  analyzeMs: number;
  formatMs: number;
}

/** Fresh caches for one pass, as one `lockstep lint` process has: schema contexts and lockstep.json lookups. */
async function prepareStages(): Promise<{ contexts: MigrationContexts; configs: ProjectConfigs }> {
  await initParser();
  return { contexts: new MigrationContexts({ memoizeFileSystem: true }), configs: new ProjectConfigs({ memoize: true }) };
}

/**
 * CPU time of the stages of `lockstep lint` on `files` in this process, one thread, as cli/analyze-files.ts runs
 * them: read, schema context of the earlier migrations, analysis with the file's options, JSON report.
 */
function inProcessStages(files: string[], corpusDir: string, caches: { contexts: MigrationContexts; configs: ProjectConfigs }): Stages {
  const cpu = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  const stages: Stages = { readMs: 0, contextMs: 0, analyzeMs: 0, formatMs: 0 };
  const linted: Array<{ displayPath: string; findings: ReturnType<typeof analyzeText>['findings'] }> = [];
  for (const file of files) {
    const path = join(corpusDir, file);
    let t = process.cpuUsage();
    const text = decodeUtf8(readFileSync(path));
    stages.readMs += cpu(t);
    t = process.cpuUsage();
    const context = caches.contexts.contextFor(path);
    stages.contextMs += cpu(t);
    t = process.cpuUsage();
    const options = analysisOptionsFor(path, caches.configs.configFor(path), undefined);
    linted.push({ displayPath: file, findings: analyzeText(text, options, context.base).findings });
    stages.analyzeMs += cpu(t);
  }
  const t = process.cpuUsage();
  JSON.stringify(toJsonReport(linted), null, 2);
  stages.formatMs = cpu(t);
  return stages;
}

main().catch((error: unknown) => {
  console.error(`bench:corpus: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
