// `lockstep explain` text: one line per statement, `file:line:col  Kind  effect`, 1-based line and column (UTF-16
// units, like editors) so terminals turn it into a link, e.g.
//   m/002.sql:1:1  AlterTableStmt  AccessExclusiveLock public.parent · blocks reads, writes · rewrite public.parent
import { readsWritesBlocked, unknownReason } from '../../analysis/presentation/effect-text';
import type { StatementSummary } from '../../analysis/presentation/statement-summary';
import type { ExplainedFile } from './explain-json';

export function formatExplainText(files: readonly ExplainedFile[]): string {
  let out = '';
  for (const file of files) {
    for (const summary of file.statements) {
      const { statement } = summary;
      const where = `${file.displayPath}:${statement.range.start.line + 1}:${statement.range.start.character + 1}`;
      out += `${where}  ${statement.kind}  ${effectText(summary)}\n`;
    }
  }
  return out;
}

function effectText(summary: StatementSummary): string {
  const { statement, impact } = summary;
  const effect = statement.effect;
  const reason = unknownReason(statement);
  // A multi-line reason (PostgreSQL's syntax errors) would break the one-line-per-statement contract.
  const unknown = reason !== undefined ? `unknown: ${reason.replace(/\s*\r?\n\s*/g, ' ')}` : undefined;
  if (!effect || !impact) return unknown ?? 'unknown';

  const fresh = new Set(summary.newRelations);
  const mark = (r: string) => (fresh.has(r) ? `${r} (new)` : r);
  const parts: string[] = [];
  if (effect.locks.length > 0) parts.push(effect.locks.map((l) => `${l.mode} ${mark(l.relation)}`).join(', '));
  else if (!effect.unknown) parts.push('no table lock');
  if (effect.locks.length > 0) {
    const blocked = readsWritesBlocked(impact.blocks);
    const allNew = effect.locks.every((l) => fresh.has(l.relation));
    parts.push(blocked ? `blocks ${blocked}` : allNew ? 'nothing existing waits' : 'reads and writes continue');
  }
  if (effect.rewrites.length > 0) parts.push(`rewrite ${effect.rewrites.map(mark).join(', ')}`);
  if (effect.scans.length > 0) parts.push(`scan ${effect.scans.map(mark).join(', ')}`);
  if (effect.transaction === 'forbidden') {
    parts.push(summary.inTransaction ? 'must run outside a transaction, but runs inside one here' : 'must run outside a transaction');
  }
  if (unknown) parts.push(unknown);
  return parts.join(' · ');
}
