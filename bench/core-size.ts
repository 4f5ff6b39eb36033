/**
 * How long the analysis core takes on one big document (1, 5, 10 MB by default): the figure behind the
 * language server's maxDocumentBytes default. `node scripts/run-ts.mjs bench/core-size.ts [MB…]`
 */
import { analyzeText, DocumentAnalyzer, initParser } from '../server/src/analysis/analyzer';
import { generateMigration } from './generate-migration';

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  await initParser();
  // CPU time beside wall time: on a shared machine wall time includes waiting for a core, CPU time does not.
  console.log('| size | statements | cold analyzeText (wall / CPU) | re-analyze after an edit (wall / CPU) | heap used |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const mb of sizes.length > 0 ? sizes : [1, 5, 10]) {
    // ~190 bytes per generated statement on average; grow until the target size is reached.
    let count = Math.round((mb * 1e6) / 190);
    let doc = generateMigration(count);
    while (Buffer.byteLength(doc.text) < mb * 1e6) doc = generateMigration((count = Math.round(count * 1.05)));
    const bytes = Buffer.byteLength(doc.text);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const cold = analyzeText(doc.text, { pgVersion: 17 });
    const coldMs = performance.now() - t0;
    const coldCpuMs = cpuMs(process.cpuUsage(c0));
    const analyzer = new DocumentAnalyzer();
    analyzer.analyze(doc.text, { pgVersion: 17 });
    const [s] = doc.statements[Math.floor(doc.statements.length / 2)]!;
    const edited = `${doc.text.slice(0, s)}-- x\n${doc.text.slice(s)}`;
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    analyzer.analyze(edited, { pgVersion: 17 });
    const warmMs = performance.now() - t1;
    const warmCpuMs = cpuMs(process.cpuUsage(c1));
    const heap = process.memoryUsage().heapUsed / 1e6;
    console.log(`| ${(bytes / 1e6).toFixed(1)} MB | ${cold.statements.length} | ${coldMs.toFixed(0)} / ${coldCpuMs.toFixed(0)} ms | ${warmMs.toFixed(0)} / ${warmCpuMs.toFixed(0)} ms | ${heap.toFixed(0)} MB |`);
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
