/**
 * `node scripts/run-ts.mjs test/lockmodel/statement-facts-table.ts`: prints the Markdown table of the lock facts
 * for every statement kind outside the ALTER TABLE family (docs/lock-model-statements.md embeds it), straight from
 * the fact data, so the document cannot drift from what the proof suite proves.
 */
import { lockFacts, untracedFacts } from '../../server/src/analysis/lockmodel/facts';
import type { LockFact } from '../../server/src/analysis/lockmodel/fact';

const ALTER_FAMILY = new Set(['AlterTableStmt', 'RenameStmt', 'AlterObjectSchemaStmt']);

const modeName = (mode: string): string =>
  mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function locks(fact: LockFact): string {
  if (fact.locks.length === 0) return 'none';
  // Group roles by mode, strongest mode first as written in the fact.
  const byMode = new Map<string, string[]>();
  for (const { role, mode } of fact.locks) byMode.set(mode, [...(byMode.get(mode) ?? []), role]);
  return [...byMode].map(([mode, roles]) => `${modeName(mode)}: ${roles.map((r) => `\`${r}\``).join(', ')}`).join('; ');
}

/** Facts that only give a lower bound say so in the PG column's cell, before the version range. */
function unknownNote(fact: LockFact): string {
  if (typeof fact.unknown === 'string') return '**unknown** beyond this; ';
  if (typeof fact.unknown === 'function') return 'unknown if it calls unanalyzed functions; ';
  return '';
}

function versions(fact: LockFact): string {
  const { min, max } = fact.pg ?? {};
  if (min === undefined && max === undefined) return 'all';
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  return min !== undefined ? `≥ ${min}` : `≤ ${max}`;
}

const rows = [...lockFacts, ...untracedFacts].filter((f) => !ALTER_FAMILY.has(f.statement));
const out: string[] = [];
out.push('| fact id | statement shape | locks (role: mode) | rewrites | scans | transaction block | completeness; PG | examples |');
out.push('|---|---|---|---|---|---|---|---:|');
for (const fact of rows) {
  out.push(
    `| \`${fact.id}\` | ${cell(fact.summary)} | ${cell(locks(fact))} | ${(fact.rewrites ?? []).map((r) => `\`${r}\``).join(', ') || '—'} | ${
      (fact.scans ?? []).map((r) => `\`${r}\``).join(', ') || '—'
    } | ${fact.transaction === 'forbidden' ? '**refused**' : 'allowed'} | ${unknownNote(fact)}${versions(fact)} | ${fact.examples.length} |`,
  );
}
console.log(out.join('\n'));
console.log(`\n${rows.length} facts, ${rows.reduce((n, f) => n + f.examples.length, 0)} examples.`);
