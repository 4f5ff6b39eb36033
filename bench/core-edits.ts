/**
 * The analysis core alone, on the edit sequence of bench:lsp: a generated document of N statements analyzed once,
 * then small edits (typing inside a statement, inserting and deleting a statement), each re-analyzed with the same
 * DocumentAnalyzer. Prints p50/p95/max per edit and heap use; quicker to iterate on than the language server.
 * `node scripts/run-ts.mjs bench/core-edits.ts [statements] [edits] [dml]` — `dml`: only edits that leave the schema
 * alone (typing inside an UPDATE or INSERT, inserting a comment line). Offsets come from the original document and
 * are not moved by earlier edits, so edits land approximately where described. `lsp`: bench:lsp's edit sequence
 * instead (a word typed before a semicolon one character per edit and deleted again, a CREATE INDEX pasted between
 * two statements, a one-line ALTER/CREATE INDEX/UPDATE/INSERT deleted), on the text as edited.
 */
import { DocumentAnalyzer, initParser } from '../server/src/analysis/analyzer';
import { Prng } from '../test/fuzz/prng';
import { generateMigration } from './generate-migration';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const editCount = Number(process.argv[3] ?? 240);
  const dmlOnly = process.argv[4] === 'dml';
  const lspEdits = process.argv[4] === 'lsp';
  await initParser();
  const doc = generateMigration(n);
  const analyzer = new DocumentAnalyzer();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  analyzer.analyze(doc.text, { pgVersion: 17 });
  const coldMs = performance.now() - t0;
  const coldCpu = cpuMs(process.cpuUsage(c0));
  const rng = new Prng(7);
  let text = doc.text;
  const times: number[] = [];
  const cpu: number[] = [];
  const walked: number[] = [];
  // Statements walked per edit, by kind of edit: what the convergence criterion decides.
  const walkedByKind = new Map<string, number[]>();
  const statements = doc.statements;
  const measure = (kind: string, next: string): void => {
    text = next;
    const t = performance.now();
    const c = process.cpuUsage();
    analyzer.analyze(text, { pgVersion: 17 });
    cpu.push(cpuMs(process.cpuUsage(c)));
    times.push(performance.now() - t);
    const w = analyzer.lastWalked.to - analyzer.lastWalked.from;
    walked.push(w);
    walkedByKind.set(kind, [...(walkedByKind.get(kind) ?? []), w]);
  };
  // bench/lsp.ts's loop, on the core: same kinds of edits in the same proportions.
  while (lspEdits && times.length < editCount) {
    const roll = rng.int(10);
    if (roll < 6) {
      const at = rng.pick([...text.matchAll(/;\n/g)]).index!;
      const word = ` ${rng.pick(['WHERE', 'NOT', 'NULL', 'x', 'DEFAULT'])}`;
      for (let k = 0; k < word.length && times.length < editCount; k++) measure('typing', text.slice(0, at + k) + word[k]! + text.slice(at + k));
      for (let k = word.length - 1; k >= 0 && times.length < editCount; k--) measure('typing', text.slice(0, at + k) + text.slice(at + k + 1));
    } else if (roll < 8) {
      const at = rng.pick([...text.matchAll(/;\n\n/g)]).index! + 3;
      measure('insert', `${text.slice(0, at)}CREATE INDEX pasted_${times.length} ON users (email);\n\n${text.slice(at)}`);
    } else {
      const lines = text.split('\n');
      const candidates = lines.map((l, i) => (/^(ALTER|CREATE INDEX|UPDATE|INSERT)[^\n]*;$/.test(l) ? i : -1)).filter((i) => i >= 0);
      const line = rng.pick(candidates);
      measure('delete', [...lines.slice(0, line), ...lines.slice(line + 1)].join('\n'));
    }
  }
  for (let e = 0; e < (lspEdits ? 0 : editCount); e++) {
    const roll = dmlOnly ? (rng.chance(0.5) ? 0 : 9) : rng.int(10);
    let [s, end] = statements[rng.int(statements.length)]!;
    // dml: only edits that leave the schema alone — typing inside an UPDATE/INSERT, a comment line.
    while (dmlOnly && roll === 0 && !/^(UPDATE|INSERT)/.test(text.slice(s, s + 6))) [s, end] = statements[rng.int(statements.length)]!;
    const kind = roll < 6 ? (/^(UPDATE|INSERT)/.test(text.slice(s, s + 6)) ? 'type-dml' : 'type-other') : roll < 8 ? 'insert-update' : 'comment';
    if (roll < 6) {
      // type a space inside the statement
      const at = Math.min(text.length, s + Math.floor((end - s) / 2));
      measure(kind, `${text.slice(0, at)} ${text.slice(at)}`);
    } else if (roll < 8) {
      measure(kind, `${text.slice(0, s)}UPDATE users SET note = 'x' WHERE id = ${e};\n${text.slice(s)}`);
    } else {
      measure(kind, `${text.slice(0, s)}-- c\n${text.slice(s)}`);
    }
  }
  const cpuMean = cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length);
  cpu.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  walked.sort((a, b) => a - b);
  console.log(`statements walked per edit: p50 ${walked[Math.floor(walked.length / 2)]} p95 ${walked[Math.ceil(0.95 * walked.length) - 1]} max ${walked[walked.length - 1]}`);
  for (const [kind, list] of [...walkedByKind].sort()) {
    list.sort((a, b) => a - b);
    const mean = list.reduce((a, b) => a + b, 0) / list.length;
    console.log(`  ${kind}: ${list.length} edits, walked p50 ${list[Math.floor(list.length / 2)]} mean ${mean.toFixed(0)} max ${list[list.length - 1]}`);
  }
  const q = (list: number[], f: number) => list[Math.min(list.length - 1, Math.ceil(f * list.length) - 1)]!.toFixed(1);
  console.log(`CPU (process.cpuUsage, all threads): cold ${coldCpu.toFixed(0)} ms; per edit mean ${cpuMean.toFixed(1)} p50 ${q(cpu, 0.5)} p95 ${q(cpu, 0.95)} max ${q(cpu, 1)} ms`);
  const p = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!.toFixed(1);
  if (global.gc) global.gc();
  const mem = process.memoryUsage();
  console.log(`${n} statements: cold ${coldMs.toFixed(0)} ms; edits p50 ${p(0.5)} p95 ${p(0.95)} max ${p(1)} ms; work ${JSON.stringify(analyzer.lastWork)}; heap ${(mem.heapUsed / 1e6).toFixed(0)} MB rss ${(mem.rss / 1e6).toFixed(0)} MB`);
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
