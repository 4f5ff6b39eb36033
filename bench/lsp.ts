/**
 * `npm run bench:lsp`: how quickly the language server answers edits in a big migration.
 *
 * Drives `node dist/cli.js lsp --stdio` (diagnosticsDelayMs 0, so every change is analyzed at once, and
 * maxDocumentBytes lifted, so the whole document is) with a generated document of 1,000 and 5,000 statements:
 * cold open (didOpen → publishDiagnostics), then a sequence of small edits — typing characters inside one
 * statement, inserting a whole statement, deleting one — each timed from didChange to the diagnostics of the same
 * version, twice: to the FIRST publish (provisional diagnostics, which the server sends while a long re-check still
 * walks the statements after the edit, or the final ones when there are none) and to the SETTLED (final)
 * diagnostics. Prints p50/p95/max of both per size and edit kind, and the server's RSS.
 *
 *   npm run bench:lsp                         sizes 1000 and 5000, 240 edits each
 *   npm run bench:lsp -- --sizes 5000 --edits 400 --json
 *   npm run bench:lsp -- --sizes 5000 --cpu-prof-dir /tmp/prof   (then bench/profile-summary.ts on the file)
 *
 * Targets (5,000 statements): p95 ≤ 10 ms per edit to the SETTLED diagnostics (the full diagnostics, not the
 * provisional ones), RSS ≤ 200 MB. Exits 1 when a target is missed, unless --no-fail is given. Needs `npm run build`
 * first.
 */
import { parseArgs } from 'node:util';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol/node';
import { findRepoRoot, LspDriver } from '../test/fuzz/lsp-driver';
import { Prng } from '../test/fuzz/prng';
import { generateMigration } from './generate-migration';

const TARGET_P95_MS = 10;
const TARGET_RSS_MB = 200;
const TARGET_SIZE = 5000;

interface SizeResult {
  statements: number;
  bytes: number;
  diagnostics: number;
  coldOpenMs: number;
  /** Server CPU time: for the cold open, and per edit on average (clock-tick resolution, 10 ms). */
  coldOpenCpuMs: number | undefined;
  cpuPerEditMs: number | undefined;
  /** didChange → final (settled) diagnostics of that version, ms. */
  edits: Record<EditKind, number[]>;
  /** didChange → first diagnostics of that version (provisional or final), ms. */
  firstEdits: Record<EditKind, number[]>;
  /** Edits whose first diagnostics were provisional. */
  provisional: number;
  rssMb: number | undefined;
  peakRssMb: number | undefined;
}

type EditKind = 'typing' | 'insert' | 'delete' | 'all';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function benchSize(repoRoot: string, statements: number, editCount: number, seed: number, serverNodeArgs: string[]): Promise<SizeResult> {
  const generated = generateMigration(statements, seed);
  // The size limit is lifted: this measures analysis of the whole document, not the degraded mode.
  const driver = await LspDriver.start(repoRoot, { diagnosticsDelayMs: 0, maxDocumentBytes: 100_000_000 }, serverNodeArgs);
  try {
    const uri = `file:///bench/migration-${statements}.sql`;
    // Warm-up document: the first analysis in a fresh process pays for JIT and WASM warm-up, which is not
    // what a user opening their second file sees; report the cold open of the real document after it.
    await driver.open('file:///bench/warmup.sql', generateMigration(200, seed + 1).text, 1, 30_000);
    await driver.close('file:///bench/warmup.sql', 30_000);

    const cpuBeforeOpen = driver.cpuMs();
    const open = await driver.open(uri, generated.text, 1, 60_000);
    const cpuAfterOpen = driver.cpuMs();
    const result: SizeResult = {
      statements,
      bytes: Buffer.byteLength(generated.text),
      diagnostics: open.params.diagnostics.length,
      coldOpenMs: open.ms,
      coldOpenCpuMs: cpuAfterOpen !== undefined && cpuBeforeOpen !== undefined ? cpuAfterOpen - cpuBeforeOpen : undefined,
      cpuPerEditMs: undefined,
      edits: { typing: [], insert: [], delete: [], all: [] },
      firstEdits: { typing: [], insert: [], delete: [], all: [] },
      provisional: 0,
      rssMb: undefined,
      peakRssMb: undefined,
    };
    const rng = new Prng(seed);
    let version = 1;
    const send = async (kind: 'typing' | 'insert' | 'delete', change: TextDocumentContentChangeEvent): Promise<void> => {
      version++;
      const { ms, firstMs } = await driver.change(uri, [change], version, 30_000);
      result.edits[kind].push(ms);
      result.edits.all.push(ms);
      result.firstEdits[kind].push(firstMs);
      result.firstEdits.all.push(firstMs);
      if (firstMs < ms) result.provisional++;
    };
    const positionOf = (offset: number) => {
      const text = driver.text(uri)!;
      const before = text.slice(0, offset);
      const line = before.split('\n').length - 1;
      return { line, character: offset - (before.lastIndexOf('\n') + 1) };
    };

    while (result.edits.all.length < editCount) {
      const text = driver.text(uri)!;
      const roll = rng.int(10);
      if (roll < 6) {
        // Typing a word inside one statement, one character per change (as an editor sends keystrokes):
        // before its semicolon, e.g. `… (email)` → `… (email) WHERE x`.
        const semicolons = [...text.matchAll(/;\n/g)];
        const at = rng.pick(semicolons).index!;
        const word = ` ${rng.pick(['WHERE', 'NOT', 'NULL', 'x', 'DEFAULT'])}`;
        for (let k = 0; k < word.length && result.edits.all.length < editCount; k++) {
          const p = positionOf(at + k);
          await send('typing', { range: { start: p, end: p }, text: word[k]! });
        }
        // …and deleting it again, one backspace per change.
        for (let k = word.length - 1; k >= 0 && result.edits.all.length < editCount; k--) {
          const start = positionOf(at + k);
          const end = positionOf(at + k + 1);
          await send('typing', { range: { start, end }, text: '' });
        }
      } else if (roll < 8) {
        // Paste a whole new statement between two others.
        const starts = [...text.matchAll(/;\n\n/g)];
        const at = rng.pick(starts).index! + 3;
        const p = positionOf(at);
        await send('insert', { range: { start: p, end: p }, text: `CREATE INDEX pasted_${version} ON users (email);\n\n` });
      } else {
        // Delete one whole statement (a line-wise cut of a one-line statement).
        const lines = text.split('\n');
        const candidates = lines.map((l, i) => (/^(ALTER|CREATE INDEX|UPDATE|INSERT)[^\n]*;$/.test(l) ? i : -1)).filter((i) => i >= 0);
        if (candidates.length === 0) continue;
        const line = rng.pick(candidates);
        await send('delete', { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' });
      }
    }
    const cpuAfterEdits = driver.cpuMs();
    if (cpuAfterEdits !== undefined && cpuAfterOpen !== undefined) result.cpuPerEditMs = (cpuAfterEdits - cpuAfterOpen) / result.edits.all.length;
    const memory = driver.memory();
    result.rssMb = memory.rssMb;
    result.peakRssMb = memory.peakRssMb;
    if (driver.errorLogs.length > 0) throw new Error(`server logged errors during the benchmark:\n${driver.errorLogs.join('\n')}`);
    return result;
  } finally {
    await driver.stop();
  }
}

function stats(values: number[]): string {
  const f = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(1));
  return values.length === 0 ? '–' : `${f(percentile(values, 50))} / ${f(percentile(values, 95))} / ${f(Math.max(...values))}`;
}

function row(r: SizeResult): string {
  const cpu = (v: number | undefined, digits: number) => (v === undefined ? '–' : v.toFixed(digits));
  return `| ${r.statements} | ${(r.bytes / 1e3).toFixed(0)} KB | ${r.diagnostics} | ${r.coldOpenMs.toFixed(0)} / ${cpu(r.coldOpenCpuMs, 0)} ms | ${r.edits.all.length} | ${stats(r.edits.all)} | ${cpu(r.cpuPerEditMs, 1)} | ${stats(r.edits.typing)} | ${stats(r.edits.insert)} | ${stats(r.edits.delete)} | ${r.rssMb?.toFixed(0) ?? '–'} / ${r.peakRssMb?.toFixed(0) ?? '–'} MB |`;
}

/** Per edit kind: first publish (provisional or final) and settled (final) latency side by side. */
function latencyRow(r: SizeResult): string {
  const kinds: EditKind[] = ['all', 'typing', 'insert', 'delete'];
  return `| ${r.statements} | ${r.provisional} of ${r.edits.all.length} | ${kinds.map((k) => `${stats(r.firstEdits[k])} | ${stats(r.edits[k])}`).join(' | ')} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      edits: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      'no-fail': { type: 'boolean' },
      // Writes a V8 CPU profile of each server run into this folder (see bench/profile-summary.ts).
      'cpu-prof-dir': { type: 'string' },
    },
  });
  const sizes = (values.sizes ?? '1000,5000').split(',').map(Number);
  const edits = Number(values.edits ?? 240);
  const seed = Number(values.seed ?? 1);
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0) || !Number.isInteger(edits) || edits < 1) {
    throw new Error('--sizes takes statement counts like 1000,5000; --edits a whole number ≥ 1');
  }
  const repoRoot = findRepoRoot();
  const results: SizeResult[] = [];
  const serverNodeArgs = values['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof-dir']}`] : [];
  for (const size of sizes) results.push(await benchSize(repoRoot, size, edits, seed, serverNodeArgs));

  console.log('Edit → SETTLED (final) publishDiagnostics latency, ms as p50 / p95 / max; server CPU (wall / CPU for the open, mean per edit); RSS now / peak:');
  console.log('');
  console.log('| statements | size | diagnostics | cold open (wall / CPU) | edits | all edits, settled | server CPU per edit | typing, settled | insert statement, settled | delete statement, settled | server RSS |');
  console.log('|---:|---:|---:|---:|---:|---|---:|---|---|---|---|');
  for (const r of results) console.log(row(r));
  console.log('');
  console.log('Edit → FIRST publish of the version (provisional while a long re-check runs, else the final one) vs SETTLED (final), ms as p50 / p95 / max:');
  console.log('');
  console.log('| statements | provisional first | all: first | all: settled | typing: first | typing: settled | insert: first | insert: settled | delete: first | delete: settled |');
  console.log('|---:|---:|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(latencyRow(r));
  if (values.json) console.log(JSON.stringify(results));

  const target = results.find((r) => r.statements === TARGET_SIZE);
  if (target) {
    const p95 = percentile(target.edits.all, 95);
    const rss = target.peakRssMb ?? target.rssMb ?? NaN;
    const misses: string[] = [];
    if (!(p95 <= TARGET_P95_MS)) misses.push(`settled p95 ${p95.toFixed(1)} ms > ${TARGET_P95_MS} ms`);
    if (!(rss <= TARGET_RSS_MB)) misses.push(`peak RSS ${rss.toFixed(0)} MB > ${TARGET_RSS_MB} MB`);
    console.log('');
    console.log(misses.length === 0
      ? `targets met at ${TARGET_SIZE} statements: settled p95 ${p95.toFixed(1)} ms ≤ ${TARGET_P95_MS} ms, peak RSS ${rss.toFixed(0)} MB ≤ ${TARGET_RSS_MB} MB`
      : `targets missed at ${TARGET_SIZE} statements: ${misses.join('; ')}`);
    if (misses.length > 0 && !values['no-fail']) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`bench:lsp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
