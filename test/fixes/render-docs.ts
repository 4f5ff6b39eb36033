/**
 * Rewrites the generated parts of docs/fixes.md — each recipe's before/after and the lock traces of both — from the
 * proof runs recorded in test/fixes/traces/*.json:
 *
 *   LOCKSTEP_WRITE_FIX_TRACES=1 npx vitest run test/fixes
 *   node scripts/run-ts.mjs test/fixes/render-docs.ts
 *
 * A generated part sits between `<!-- proof:<recipe> -->` and `<!-- /proof:<recipe> -->`; everything else in
 * the page is written by hand and left alone.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { blockedWorkloads, type LockMode } from '../../server/src/analysis/lockmodel/lock-modes';
import type { RecordedProof } from './traces';

const root = resolve(__dirname, '..', '..');
const tracesDir = join(root, 'test', 'fixes', 'traces');
const docPath = join(root, 'docs', 'fixes.md');

function fileName(path: string): string {
  const parts = path.split('/');
  const base = parts[parts.length - 1]!;
  const parent = parts[parts.length - 2];
  // diesel and Prisma name migrations by folder; sqitch has the same name under deploy/, revert/ and verify/.
  const byFolder = base === 'up.sql' || base === 'migration.sql' || base === 'down.sql' || base === 'metadata.toml';
  return byFolder || parent === 'deploy' || parent === 'revert' || parent === 'verify' ? parts.slice(-2).join('/') : base;
}

function code(text: string): string {
  return '`' + text.replace(/\s+/g, ' ').trim().replace(/`/g, "'") + '`';
}

function shorten(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > 70 ? `${one.slice(0, 67)}…` : one;
}

function traceTable(files: RecordedProof['originalTraces']): string {
  const rows = ['| file | statement | locks (strongest per relation) | scans | rewrites | blocks on existing tables |', '|---|---|---|---|---|---|'];
  for (const file of files) {
    const existing = new Set(file.existing);
    file.traces.forEach((t, i) => {
      const locks = t.locks.map((l) => `${l.relation} ${l.mode}`).join('<br>') || '—';
      const blocks = new Set<string>();
      for (const l of t.locks) {
        if (!existing.has(l.relation) || l.relkind !== 'table') continue;
        for (const w of blockedWorkloads(l.mode as LockMode)) if (w === 'reads' || w === 'writes') blocks.add(`${w} of ${l.relation}`);
      }
      rows.push(
        `| ${i === 0 ? fileName(file.path) + (file.transactional ? ' (one transaction)' : ' (no transaction)') : ''} | ${code(shorten(t.sql))} | ${locks} | ${t.scanned.join(', ') || '—'} | ${t.rewritten.join(', ') || '—'} | ${[...blocks].join(', ') || 'nothing'}${t.observedVia === 'monitor' ? ' (sampled)' : ''} |`,
      );
    });
  }
  return rows.join('\n');
}

function render(record: RecordedProof): string {
  const out: string[] = [];
  out.push(`Proven with ${record.runner} on PostgreSQL 17 (500 rows; \`test/fixes/\`). Fix: *${record.title}*.`, '');
  out.push('**Before**', '');
  for (const f of record.before) out.push(`\`${fileName(f.path)}\``, '', '```sql', f.text.trimEnd(), '```', '');
  out.push('Lock trace of the original:', '', traceTable(record.originalTraces), '');
  out.push('**After**', '');
  for (const f of record.after) {
    const lang = /\.sql$/.test(f.path) ? 'sql' : 'ini';
    out.push(`\`${fileName(f.path)}\``, '', '```' + lang, f.text.trimEnd(), '```', '');
  }
  out.push('Lock trace of the phased version:', '', traceTable(record.phasedTraces), '');
  const scans = record.phasedViolations.length === 0 ? 'no statement scans or rewrites a table while its transaction holds a lock that blocks reads or writes on it' : `${record.phasedViolations.length} statement(s) still do`;
  out.push(`In the phased version ${scans}; in the original, ${record.originalViolations.length} such lock(s) were held during a scan or rewrite.`);
  return out.join('\n');
}

let doc = readFileSync(docPath, 'utf8');
for (const name of readdirSync(tracesDir).filter((n) => n.endsWith('.json')).sort()) {
  const record = JSON.parse(readFileSync(join(tracesDir, name), 'utf8')) as RecordedProof;
  const open = `<!-- proof:${record.recipe} -->`;
  const close = `<!-- /proof:${record.recipe} -->`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  if (start < 0 || end < start) {
    console.error(`docs/fixes.md has no ${open} … ${close} section; add one where ${record.recipe} is described`);
    process.exitCode = 1;
    continue;
  }
  doc = doc.slice(0, start + open.length) + '\n' + render(record) + '\n' + doc.slice(end);
}
writeFileSync(docPath, doc);
console.log(`rewrote ${docPath}`);
