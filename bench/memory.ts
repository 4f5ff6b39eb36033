/**
 * Where the language server's memory goes, for a generated document of N statements analyzed with one
 * DocumentAnalyzer and then edited (the edits of bench/core-edits.ts):
 *
 *   node --expose-gc scripts/run-ts.mjs bench/memory.ts [statements=5000] [edits=120] [--server-heap]
 *
 * After each step (after a full GC when --expose-gc is given, so the heap figures are what is live) it prints RSS,
 * split into anonymous memory and mapped files (node's binary and code pages), and its peak; the V8 heap in use
 * and committed, and the old and new spaces; `external`, which counts the WASM parser's whole linear memory (libpg-query
 * declares 128 MB initial) although the kernel backs only the pages it touched, and those resident pages. Then what
 * the analyzer retains, measured by dropping its parts one by one. `--server-heap` applies the language server's
 * V8 heap settings (server/src/lsp/heap-settings.ts). bench:lsp measures the server process itself; this script's
 * forced GCs lower its own peak.
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { DocumentAnalyzer, initParser } from '../server/src/analysis/analyzer';
import { applyServerHeapSettings } from '../server/src/lsp/heap-settings';
import { Prng } from '../test/fuzz/prng';
import { generateMigration } from './generate-migration';

const MB = 1024 * 1024;

function procStatus(field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * Resident MB of the WASM linear memory: V8 reserves a guard region of several GB (PROT_NONE) and maps the
 * accessible part, the module's memory, as a read-write anonymous mapping at its start.
 */
function wasmResidentMb(): number {
  const lines = readFileSync('/proc/self/smaps', 'utf8').split('\n');
  interface Area { start: number; end: number; perm: string; anonymous: boolean; rssKb: number }
  const areas: Area[] = [];
  for (const line of lines) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      areas.push({ start: parseInt(head[1]!, 16), end: parseInt(head[2]!, 16), perm: head[3]!, anonymous: head[4] === '', rssKb: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && areas.length > 0) areas[areas.length - 1]!.rssKb = Number(rss[1]);
  }
  let total = 0;
  for (let k = 0; k + 1 < areas.length; k++) {
    const a = areas[k]!;
    const guard = areas[k + 1]!;
    if (a.anonymous && a.perm.startsWith('rw') && guard.perm.startsWith('---') && guard.start === a.end && guard.end - guard.start > 4 * 1024 * MB) total += a.rssKb;
  }
  return total / 1024;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function report(label: string): number {
  gc();
  const m = process.memoryUsage();
  const spaces = getHeapSpaceStatistics();
  const space = (name: string): string => {
    const found = spaces.find((x) => x.space_name === name);
    return found ? `${(found.space_used_size / MB).toFixed(0)}/${(found.space_size / MB).toFixed(0)}` : '–';
  };
  console.log(
    `${label.padEnd(34)} rss ${(m.rss / MB).toFixed(0).padStart(4)} (anon ${procStatus('RssAnon').toFixed(0).padStart(4)}, files ${procStatus('RssFile').toFixed(0).padStart(3)}) peak ${procStatus('VmHWM').toFixed(0).padStart(4)}` +
      ` | heap used/committed ${(m.heapUsed / MB).toFixed(1).padStart(5)}/${(m.heapTotal / MB).toFixed(0).padStart(3)} (old ${space('old_space')}, new ${space('new_space')})` +
      ` | external ${(m.external / MB).toFixed(0)} (WASM resident ${wasmResidentMb().toFixed(1)})`,
  );
  return m.heapUsed;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--server-heap');
  const n = Number(args[0] ?? 5000);
  const editCount = Number(args[1] ?? 120);
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run with node --expose-gc for heap figures after a full GC)');
  if (process.argv.includes('--server-heap')) applyServerHeapSettings();
  report('process, modules loaded');
  await initParser();
  report('after initParser()');

  const doc = generateMigration(n);
  const cpu0 = process.cpuUsage();
  let analyzer: DocumentAnalyzer | undefined = new DocumentAnalyzer();
  let result: ReturnType<DocumentAnalyzer['analyze']> | undefined = analyzer.analyze(doc.text, { pgVersion: 17 });
  const cold = process.cpuUsage(cpu0);
  report(`after analyzing ${n} statements`);

  // The edits of bench/core-edits.ts: typing inside a statement, inserting one, inserting a comment line.
  const rng = new Prng(7);
  let text = doc.text;
  const cpu1 = process.cpuUsage();
  for (let e = 0; e < editCount; e++) {
    const roll = rng.int(10);
    const [s, end] = doc.statements[rng.int(doc.statements.length)]!;
    if (roll < 6) {
      const at = Math.min(text.length, s + Math.floor((end - s) / 2));
      text = `${text.slice(0, at)} ${text.slice(at)}`;
    } else if (roll < 8) text = `${text.slice(0, s)}UPDATE users SET note = 'x' WHERE id = ${e};\n${text.slice(s)}`;
    else text = `${text.slice(0, s)}-- c\n${text.slice(s)}`;
    result = analyzer.analyze(text, { pgVersion: 17 });
  }
  const edits = process.cpuUsage(cpu1);
  const withAll = report(`after ${editCount} edits`);
  console.log(`CPU: cold analysis ${((cold.user + cold.system) / 1000).toFixed(0)} ms, per edit ${((edits.user + edits.system) / 1000 / editCount).toFixed(1)} ms`);

  // What is live, by dropping the parts one at a time: first each field of the analyzer other than the previous
  // analysis and the parsed pieces (what it adds on top of them: other kept analyses, caches), then the fields of
  // the previous analysis, then the parsed pieces (statement-view.ts keeps the scanner tokens of only the most
  // recently used statements). Read through private
  // fields by name, so the breakdown follows the analyzer as it changes; what two parts share counts for the one
  // dropped last.
  const fields = analyzer as unknown as Record<string, unknown>;
  const step = (label: string, before: number, drop: () => void): number => {
    drop();
    gc();
    const after = process.memoryUsage().heapUsed;
    console.log(`  ${label.padEnd(64)} ${((before - after) / MB).toFixed(1).padStart(6)} MB`);
    return after;
  };
  const describe = (value: unknown): string =>
    Array.isArray(value) ? ` (${value.length})` : value instanceof Map ? ` (${value.size} entries)` : '';
  console.log(`Retained heap after the edits (${(withAll / MB).toFixed(1)} MB used):`);
  let used = withAll;
  used = step('the last AnalysisResult (the LSP keeps it)', used, () => (result = undefined));
  for (const key of Object.keys(fields)) {
    if (key === 'previous' || key === 'pieces') continue;
    used = step(`analyzer.${key}${describe(fields[key])}`, used, () => (fields[key] = undefined));
  }
  const previous = fields.previous;
  if (previous && typeof previous === 'object') {
    const record = previous as Record<string, unknown>;
    for (const key of Object.keys(record)) used = step(`previous analysis: ${key}${describe(record[key])}`, used, () => (record[key] = undefined));
  }
  used = step(`analyzer.pieces${describe(fields.pieces)}: parse trees, views`, used, () => (fields.pieces = undefined));
  used = step('the analyzer object', used, () => (analyzer = undefined));
  console.log(`  ${'left: code, module state, the document text'.padEnd(64)} ${(used / MB).toFixed(1).padStart(6)} MB`);
  report('after dropping everything');
  if (analyzer !== undefined || result !== undefined) throw new Error('unreachable');
  void text;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
