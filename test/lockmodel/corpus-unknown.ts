/**
 * `node scripts/run-ts.mjs test/lockmodel/corpus-unknown.ts [--top N]`: how much of the real-migration corpus
 * (../shared/corpus) the lock model answers. Every parsed statement of every file is analyzed (each file on its own,
 * as `npm run corpus` does) and counted as known or unknown; unknown ones are grouped by the model's own
 * unknownParts, with the statement shape (node kind plus the object kind for DROP/COMMENT/GRANT/…) and a first
 * example, so the next fact to write is the top line.
 * Absent corpus: prints a note and exits 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DocumentAnalyzer, initParser } from '../../server/src/analysis/analyzer';
import { nodeKind } from '../../server/src/analysis/node-kinds';
import type { Node } from '@pgsql/types';

const root = resolve(__dirname, '..', '..');
const corpusDir = resolve(process.env.LOCKSTEP_CORPUS ?? join(root, '..', 'shared', 'corpus'));

/** The node kind, refined by the field that says which object kind a generic statement acts on. */
export function statementShape(ast: Node): string {
  const kind = nodeKind(ast);
  const payload = (ast as unknown as Record<string, Record<string, unknown>>)[kind] ?? {};
  const detail = payload.removeType ?? payload.objtype ?? payload.objectType ?? payload.renameType ?? payload.kind;
  return typeof detail === 'string' ? `${kind}/${detail}` : kind;
}

async function main(): Promise<void> {
  if (!existsSync(join(corpusDir, 'MANIFEST.tsv'))) {
    console.log(`corpus: ${corpusDir} not found; nothing to do.`);
    return;
  }
  const topArg = process.argv.indexOf('--top');
  const top = topArg >= 0 ? Number(process.argv[topArg + 1]) : 40;
  await initParser();
  const lines = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = lines.shift()!.split('\t');
  const pathColumn = header.indexOf('corpus_path');

  let parsed = 0;
  let unknown = 0;
  /** The other statements: everything but the ALTER TABLE family (ALTER TABLE/INDEX, RENAME, SET SCHEMA). */
  const ALTER_FAMILY = new Set(['AlterTableStmt', 'RenameStmt', 'AlterObjectSchemaStmt']);
  const rest = { parsed: 0, unknown: 0, doBlocks: 0 };
  const byShape = new Map<string, { total: number; unknown: number }>();
  const byPart = new Map<string, { count: number; example: string }>();
  for (const line of lines) {
    const corpusPath = line.split('\t')[pathColumn]!;
    const text = readFileSync(join(corpusDir, corpusPath), 'utf8');
    const result = new DocumentAnalyzer().analyze(text, { pgVersion: 17 });
    for (const statement of result.statements) {
      if (!statement.ast || !statement.effect) continue;
      parsed++;
      const shape = statementShape(statement.ast);
      const family = ALTER_FAMILY.has(nodeKind(statement.ast));
      if (!family) {
        rest.parsed++;
        if (statement.effect.unknown) rest.unknown++;
        if (statement.effect.unknown && nodeKind(statement.ast) === 'DoStmt') rest.doBlocks++;
      }
      const entry = byShape.get(shape) ?? { total: 0, unknown: 0 };
      entry.total++;
      byShape.set(shape, entry);
      if (!statement.effect.unknown) continue;
      unknown++;
      entry.unknown++;
      for (const part of statement.effect.unknownParts) {
        const key = part === nodeKind(statement.ast) ? shape : part;
        const p = byPart.get(key) ?? { count: 0, example: `${corpusPath}:${statement.range.start.line + 1}` };
        p.count++;
        byPart.set(key, p);
      }
    }
  }
  const pct = (n: number, d: number): string => `${((100 * n) / Math.max(d, 1)).toFixed(1)}%`;
  console.log(`Parsed statements: ${parsed}; the lock model answers ${parsed - unknown} (${pct(parsed - unknown, parsed)}), unknown ${unknown} (${pct(unknown, parsed)}).`);
  console.log(
    `Outside the ALTER TABLE family: ${rest.parsed} statements, unknown ${rest.unknown} (${pct(rest.unknown, rest.parsed)}); ` +
      `of those, DO blocks ${rest.doBlocks} — without them ${rest.unknown - rest.doBlocks} (${pct(rest.unknown - rest.doBlocks, rest.parsed - rest.doBlocks)}).`,
  );
  console.log('\nUnknown parts (most frequent first):\n');
  console.log('| count | unknown part | first example |\n|---:|---|---|');
  for (const [part, p] of [...byPart].sort((a, b) => b[1].count - a[1].count).slice(0, top)) console.log(`| ${p.count} | ${part} | ${p.example} |`);
  console.log('\nStatement shapes:\n');
  console.log('| statements | unknown | shape |\n|---:|---:|---|');
  for (const [shape, s] of [...byShape].sort((a, b) => b[1].total - a[1].total).slice(0, top)) console.log(`| ${s.total} | ${s.unknown} | ${shape} |`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
