/**
 * The words every surface uses for a statement's effect: the inlay-hint label, the hover markdown, the pieces of
 * `lockstep explain`'s text line, and links to the PostgreSQL documentation. Pure strings, no LSP types.
 */
import { blockedWorkloads, type LockMode, type Workload } from '../lockmodel/lock-modes';
import type { RelationLock, StatementEffect } from '../lockmodel/model';
import { MAX_PG_VERSION } from '../types';
import type { StatementSummary } from './statement-summary';

/** How each kind of concurrent work is named in hovers and CLI output, in the order they are listed. */
export const WORKLOAD_WORDS: Record<Workload, string> = {
  reads: 'reads',
  writes: 'writes',
  selectForUpdate: 'SELECT … FOR UPDATE',
  ddl: 'DDL',
  maintenance: 'VACUUM/ANALYZE',
};
const WORKLOAD_ORDER: readonly Workload[] = ['reads', 'writes', 'selectForUpdate', 'ddl', 'maintenance'];

/** 'AccessExclusiveLock' → 'AccessExclusive': the suffix is noise in a label a few characters wide. */
export function shortLockMode(mode: LockMode): string {
  return mode.replace(/Lock$/, '');
}

/**
 * The documentation of the PostgreSQL major the migration runs on; `current` for the newest major, whose
 * versioned URL may not exist yet while it is in beta. `docs` is a fact's page#anchor.
 */
export function postgresDocsUrl(docs: string, pgVersion: number): string {
  const major = pgVersion >= MAX_PG_VERSION ? 'current' : String(pgVersion);
  return `https://www.postgresql.org/docs/${major}/${docs}`;
}

/** "reads, writes" / "writes": the user-facing part of what waits; undefined when both go on. */
export function readsWritesBlocked(blocks: Record<Workload, string[]>): string | undefined {
  const words = (['reads', 'writes'] as const).filter((w) => blocks[w].length > 0);
  return words.length > 0 ? words.join(', ') : undefined;
}

/**
 * Inlay-hint label for a risky statement, undefined for the others: `AccessExclusive · rewrite`,
 * `AccessExclusive · scan`, `AccessExclusive · blocks reads, writes`, `Share · blocks writes`,
 * `ShareUpdateExclusive · scan`. A rewrite or scan under a lock that blocks reads says how long the wait lasts,
 * which matters more than repeating that everything waits; a lock that lets reads through says what it blocks.
 */
export function inlayLabel(summary: StatementSummary): string | undefined {
  const impact = summary.impact;
  if (!impact?.risky) return undefined;
  const parts: string[] = [];
  if (impact.strongest) parts.push(shortLockMode(impact.strongest.mode));
  const duration = impact.rewrites.length > 0 ? 'rewrite' : impact.scans.length > 0 ? 'scan' : undefined;
  if (impact.blocks.reads.length > 0) parts.push(duration ?? 'blocks reads, writes');
  else if (impact.blocks.writes.length > 0) parts.push('blocks writes');
  else if (duration) parts.push(duration);
  return parts.join(' · ');
}

/** One-line reason a statement has no (complete) effect, or undefined when the model covers it. */
export function unknownReason(statement: StatementSummary['statement']): string | undefined {
  if (!statement.effect) {
    return statement.problem?.message ?? `${statement.kind} is not analyzed`;
  }
  if (!statement.effect.unknown) return undefined;
  return `no verified fact for ${statement.effect.unknownParts.join(', ')}`;
}

export interface HoverOptions {
  pgVersion: number;
}

/** One short markdown block: per relation the lock and what waits, rewrite/scan, transaction rules, unknowns, docs. */
export function hoverMarkdown(summary: StatementSummary, options: HoverOptions): string {
  const { statement } = summary;
  const effect = statement.effect;
  if (!effect) {
    return `**Lockstep** did not analyze this statement: ${escapeMarkdown(oneLine(unknownReason(statement) ?? ''))}`;
  }
  const fresh = new Set(summary.newRelations);
  const paragraphs: string[] = [];

  if (effect.locks.length > 0) {
    paragraphs.push(effect.locks.map((lock) => `- ${lockLine(lock, fresh, effect)}`).join('\n'));
  } else if (!effect.unknown) {
    paragraphs.push('Takes no table-level lock that other sessions wait on.');
  }

  // Only relations that existed before this file: rewriting or scanning a new, empty one costs nothing. A rewrite
  // reads every row anyway, so a rewritten relation is not listed again as scanned.
  const rewrites = effect.rewrites.filter((r) => !fresh.has(r));
  const scans = effect.scans.filter((r) => !fresh.has(r) && !rewrites.includes(r));
  const work: string[] = [];
  if (rewrites.length > 0) work.push(`Rewrites ${rewrites.map(code).join(', ')}: every row is copied while the lock is held.`);
  if (scans.length > 0) work.push(`Scans ${scans.map(code).join(', ')} in full while the lock is held.`);
  if (work.length > 0) paragraphs.push(work.join(' '));

  if (effect.transaction === 'forbidden') {
    paragraphs.push(
      summary.inTransaction
        ? '**Must run outside a transaction block**, but this file runs it inside one: PostgreSQL will refuse it.'
        : '**Must run outside a transaction block.**',
    );
  }

  if (effect.unknown) {
    const known = effect.locks.length > 0 ? ' What is shown above may be incomplete.' : ' Its locks are unknown.';
    paragraphs.push(`Lockstep has no verified fact for ${effect.unknownParts.map(code).join(', ')}.${known}`);
  }

  const facts = uniqueBy(effect.facts, (f) => f.docs);
  if (facts.length > 0) {
    const lines = facts.map((f) => {
      const link = `[${escapeMarkdown(f.summary)}](${postgresDocsUrl(f.docs, options.pgVersion)})`;
      return f.why ? `${link} — ${escapeMarkdown(firstSentence(f.why))}` : link;
    });
    paragraphs.push(`PostgreSQL ${options.pgVersion}: ${lines.join('  \n')}`);
  }
  return paragraphs.join('\n\n');
}

function lockLine(lock: RelationLock, fresh: ReadonlySet<string>, effect: StatementEffect): string {
  const kind = lock.kind === 'table' ? '' : ` (${lock.kind})`;
  const head = `${code(lock.relation)}${kind}: **${lock.mode}**`;
  if (fresh.has(lock.relation)) return `${head} — created in this file, so no existing work waits`;
  // Index locks block work on their table (the model maps them in `blocks`); name the work, not the table.
  const isIndex = lock.kind === 'index' || lock.kind === 'partitioned index';
  const waiting = WORKLOAD_ORDER.filter(
    (w) => blockedWorkloads(lock.mode).includes(w) && (isIndex || effect.blocks[w].includes(lock.relation)),
  );
  if (waiting.length === 0) return `${head} — reads and writes continue`;
  return `${head} — ${waiting.map((w) => WORKLOAD_WORDS[w]).join(', ')} wait`;
}

/** A fact's `why` can run to a paragraph; a hover keeps its first sentence and the docs link has the rest. */
function firstSentence(text: string): string {
  const end = /[.!?](?=\s+[A-Z(])/.exec(text);
  return end ? text.slice(0, end.index + 1) : text;
}

/** Inline code that survives backticks inside quoted identifiers. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(key(item)) ? false : (seen.add(key(item)), true)));
}
