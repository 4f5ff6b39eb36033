/**
 * The analysis core alone, on the edit sequence of bench:lsp: a generated document of N statements analyzed once,
 * then small edits (typing inside a statement, inserting and deleting a statement), each re-analyzed with the same
 * DocumentAnalyzer. Prints p50/p95/max per edit and heap use; quicker to iterate on than the language server.
 * `node scripts/run-ts.mjs bench/core-edits.ts [statements] [edits] [dml]` — `dml`: only edits that leave the schema
 * alone (typing inside an UPDATE or INSERT, inserting a comment line). Offsets come from the original document and
 * are not moved by earlier edits, so edits land approximately where described.
 */
import { DocumentAnalyzer, initParser } from '../server/src/analysis/analyzer';
import { Prng } from '../test/fuzz/prng';
import { generateMigration } from './generate-migration';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const editCount = Number(process.argv[3] ?? 240);
  const dmlOnly = process.argv[4] === 'dml';
  await initParser();
  const doc = generateMigration(n);
  const analyzer = new DocumentAnalyzer();
  const t0 = performance.now();
  analyzer.analyze(doc.text, { pgVersion: 17 });
  const coldMs = performance.now() - t0;
  const rng = new Prng(7);
  let text = doc.text;
  const times: number[] = [];
  const walked: number[] = [];
  const statements = doc.statements;
  for (let e = 0; e < editCount; e++) {
    const roll = dmlOnly ? (rng.chance(0.5) ? 0 : 9) : rng.int(10);
    let [s, end] = statements[rng.int(statements.length)]!;
    // dml: only edits that leave the schema alone — typing inside an UPDATE/INSERT, a comment line.
    while (dmlOnly && roll === 0 && !/^(UPDATE|INSERT)/.test(text.slice(s, s + 6))) [s, end] = statements[rng.int(statements.length)]!;
    if (roll < 6) {
      // type a few characters inside the statement, then delete them
      const at = Math.min(text.length, s + Math.floor((end - s) / 2));
      text = `${text.slice(0, at)} ${text.slice(at)}`;
    } else if (roll < 8) {
      text = `${text.slice(0, s)}UPDATE users SET note = 'x' WHERE id = ${e};\n${text.slice(s)}`;
    } else {
      text = `${text.slice(0, s)}-- c\n${text.slice(s)}`;
    }
    const t = performance.now();
    analyzer.analyze(text, { pgVersion: 17 });
    times.push(performance.now() - t);
    walked.push(analyzer.lastWalked.to - analyzer.lastWalked.from);
  }
  times.sort((a, b) => a - b);
  walked.sort((a, b) => a - b);
  console.log(`statements walked per edit: p50 ${walked[Math.floor(walked.length / 2)]} p95 ${walked[Math.ceil(0.95 * walked.length) - 1]} max ${walked[walked.length - 1]}`);
  const p = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!.toFixed(1);
  if (global.gc) global.gc();
  const mem = process.memoryUsage();
  console.log(`${n} statements: cold ${coldMs.toFixed(0)} ms; edits p50 ${p(0.5)} p95 ${p(0.95)} max ${p(1)} ms; work ${JSON.stringify(analyzer.lastWork)}; heap ${(mem.heapUsed / 1e6).toFixed(0)} MB rss ${(mem.rss / 1e6).toFixed(0)} MB`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
