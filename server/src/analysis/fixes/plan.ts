/**
 * Turns a recipe's phases into a Fix: which phases can run where the statement is (in the document's own
 * transaction, or on their own when the runner executes the document statement by statement), which need new
 * migration files (named by layout.ts), and which later statements of the document must move behind them so the
 * order of effects stays what the author wrote.
 */
import type { Statement } from '../types';
import type { Fix, TextEdit } from './types';
import type { DocumentMode, Layout, PlannedFile } from './layout';

export interface Phase {
  /** Words for the file name. */
  slug: string;
  /** One sentence for the header: what the phase does. */
  summary: string;
  mode: 'transaction' | 'no-transaction';
  /** SQL statements without terminating semicolons, already in the user's keyword case. */
  statements: string[];
  /** May it run inside the document's transaction, right where the statement was? */
  joinsDocument: boolean;
  /** A deploy boundary: what must be live in production before this phase runs. */
  requires?: string;
  /** Further header lines (retry instructions…). */
  notes?: string[];
}

export interface RecipePlan {
  recipe: string;
  title: string;
  preferred: boolean;
  resolves: string[];
  /** Mechanical and always safe (source.fixAll.lockstep); honoured only when everything stays in the document. */
  fixAll?: boolean;
  phases: Phase[];
  /** Relations the phases touch (public.t): later statements naming them move behind the phases. */
  touches: string[];
  /** Comment lines put above the in-place statements (e.g. how to recover from a failed CONCURRENTLY). */
  inPlaceComment?: string[];
}

export interface PlacementInput {
  text: string;
  statements: readonly Statement[];
  statement: Statement;
  layout: Layout;
  /** The document's base name, for headers. */
  documentName: string;
  /** Relations a statement names, to find the later statements that depend on the fixed one. */
  relationsOf(statement: Statement): readonly string[];
  /**
   * SET / RESET statements before the fixed one: in effect where it was, so new files repeat them (lock_timeout,
   * statement_timeout, search_path…). `local`: SET LOCAL, which only means something inside a transaction.
   */
  settings: ReadonlyArray<{ text: string; local: boolean }>;
}

/** How many leading phases can run where the statement is, given how the runner executes the document. */
function inPlaceCount(phases: readonly Phase[], mode: DocumentMode): number {
  const [first] = phases;
  if (!first) return 0;
  switch (mode) {
    case 'transaction':
      return first.mode === 'transaction' && first.joinsDocument && !first.requires ? 1 : 0;
    case 'single-statement':
      // The file must stay a single statement, or the runner's one query becomes an implicit transaction block.
      return first.statements.length === 1 && !first.requires && (first.mode === 'no-transaction' || first.joinsDocument) ? 1 : 0;
    case 'statements': {
      // Each statement commits on its own here, so consecutive phases keep their separate transactions.
      let n = 0;
      while (n < phases.length) {
        const p = phases[n]!;
        if (p.requires || (p.mode === 'transaction' && p.statements.length > 1)) break;
        n++;
      }
      return n;
    }
  }
}

/** The last text asked about: every fix of a code-action request asks about the same document (up to 1 MB). */
let lastLineBreak: { text: string; nl: string } | undefined;

function lineBreakOf(text: string): string {
  if (lastLineBreak?.text !== text) lastLineBreak = { text, nl: text.includes('\r\n') ? '\r\n' : '\n' };
  return lastLineBreak.nl;
}

/** Offset just past the statement's semicolon and, when only blanks follow on its line, the line break. */
export function endOfStatementLine(text: string, end: number): number {
  let i = end;
  while (i < text.length && /[ \t]/.test(text[i]!)) i++;
  if (text[i] === ';') i++;
  let j = i;
  while (j < text.length && /[ \t]/.test(text[j]!)) j++;
  if (text.startsWith('\r\n', j)) return j + 2;
  if (text[j] === '\n' || text[j] === '\r') return j + 1;
  return i;
}

/** Offset just past the semicolon that ends the statement at `end` (blanks may sit between), if there is one. */
function semicolonAfter(text: string, end: number): number | undefined {
  let i = end;
  while (i < text.length && /[ \t\r\n]/.test(text[i]!)) i++;
  return text[i] === ';' ? i + 1 : undefined;
}

/** Start of the line `offset` is on when only blanks precede it there; else `offset`. */
export function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return /^[ \t]*$/.test(text.slice(i, offset)) ? i : offset;
}

export function place(plan: RecipePlan, input: PlacementInput): Fix {
  const { text, statement, layout } = input;
  const nl = lineBreakOf(text);
  const indent = /^[ \t]*/.exec(text.slice(lineStartOf(text, statement.start), statement.start))![0];
  const mode = layout.modes[statement.index] ?? 'transaction';
  const inPlace = plan.phases.slice(0, inPlaceCount(plan.phases, mode));
  const later = plan.phases.slice(inPlace.length);

  // Later statements of the document naming a touched relation — and all after the first such one — must still
  // run after the phases, so they move into a last file.
  const touched = new Set(plan.touches);
  // Only when there are later phases: a fix done in place moves nothing, and an editor asks for the fixes of
  // every statement in a range (a scan of all statements per fix made that quadratic).
  const after = later.length === 0 ? [] : input.statements.filter((s) => s.index > statement.index && s.start >= layout.up[0] && s.end <= layout.up[1]);
  const firstDependent = later.length === 0 ? -1 : after.findIndex((s) => input.relationsOf(s).some((r) => touched.has(r)));
  const moved = firstDependent < 0 ? [] : after.slice(firstDependent);

  // One file per later phase; a non-transactional phase of several statements gets one file per statement when
  // the runner sends a file as one query (recipes avoid this where a retry needs them together).
  const planned: Array<PlannedFile & { phase: number }> = [];
  later.forEach((phase, k) => {
    const split = phase.mode === 'no-transaction' && !layout.splitsStatements && phase.statements.length > 1;
    const pieces = split ? phase.statements.map((s) => [s]) : [phase.statements];
    pieces.forEach((statements, j) =>
      planned.push({
        phase: inPlace.length + k,
        slug: pieces.length > 1 ? `${phase.slug}_${j + 1}` : phase.slug,
        mode: phase.mode,
        header: [],
        statements,
        down: [],
        downNote: `Nothing to revert here: the down migration of ${input.documentName} reverts the original statement, whose work this phase completes.`,
      }),
    );
  });
  let movedRange: [number, number] | undefined;
  if (moved.length > 0) {
    const from = endOfStatementLine(text, statement.end);
    movedRange = [from, endOfStatementLine(text, moved[moved.length - 1]!.end)];
    // Each moved statement keeps the comments above it.
    const chunks = moved.map((s, i) => {
      const start = i === 0 ? from : endOfStatementLine(text, moved[i - 1]!.end);
      return text.slice(start, s.end).replace(/^\s*(\r?\n)/, '').replace(/^(\s*\r?\n)+/, '');
    });
    planned.push({
      phase: -1,
      slug: `${plan.phases[plan.phases.length - 1]?.slug ?? 'fix'}_rest`,
      mode: mode === 'statements' ? 'no-transaction' : 'transaction',
      header: [],
      statements: chunks,
      down: [],
      downNote: `Nothing to revert here: the down migration of ${input.documentName} still reverts these statements.`,
    });
  }

  const line = statement.range.start.line + 1;
  const headerOf = (i: number, upNames: string[]): string[] => {
    const file = planned[i]!;
    const lines = [`Lockstep fix for ${input.documentName} (line ${line}): ${plan.title}.`];
    const previous = i === 0 ? input.documentName : upNames[i - 1]!;
    if (file.phase < 0) {
      lines.push(`Statements moved here from ${input.documentName}, so they still run after the phases before this file.`);
      lines.push(`Runs after ${previous}.`);
      return lines;
    }
    const phase = plan.phases[file.phase]!;
    lines.push(`Phase ${file.phase + 1} of ${plan.phases.length}: ${phase.summary}`);
    lines.push(phase.mode === 'no-transaction' ? 'Runs outside a transaction block.' : 'Runs in its own transaction.');
    lines.push(phase.requires ? `Deploy separately, only after ${phase.requires}.` : `Runs after ${previous}.`);
    for (const note of phase.notes ?? []) lines.push(note);
    return lines;
  };
  // The session settings the document made before the statement apply to its phases too. A file the runner sends
  // as one query must stay a single statement when it runs outside a transaction, so it cannot carry them.
  for (const file of planned) {
    const carried =
      file.mode === 'transaction'
        ? input.settings
        : layout.splitsStatements
          ? input.settings.filter((x) => !x.local)
          : [];
    if (carried.length > 0) file.statements = [...carried.map((x) => x.text), ...file.statements];
  }
  const created = layout.createFiles(planned, headerOf);
  const notes: string[] = [];
  if ('problem' in created) notes.push(created.problem);

  const upNames = 'files' in created ? created.files.filter((f) => f.purpose === 'up').map((f) => displayName(f.path)) : [];

  // The document: the statement becomes the in-place phases, or a comment saying where its work went.
  const replaceStart = inPlace.length > 0 ? statement.start : lineStartOf(text, statement.start);
  // In place, the statement's own semicolon is replaced too: each new statement brings its own, and goose needs
  // a statement holding semicolons (a DO block) wrapped in StatementBegin/End, semicolon inside.
  const semicolon = semicolonAfter(text, statement.end);
  const replaceEnd = inPlace.length > 0 ? (semicolon ?? statement.end) : endOfStatementLine(text, statement.end);
  const comment = plan.inPlaceComment?.length ? plan.inPlaceComment.map((l) => `-- ${l}`).join(`${nl}${indent}`) + `${nl}${indent}` : '';
  const phaseTargets = upNames.slice(0, planned.filter((p) => p.phase >= 0).length);
  const replacement =
    inPlace.length > 0
      ? comment +
        inPlace
          .flatMap((p) => p.statements)
          .map((sql) => (layout.runner === 'goose' && sql.includes(';') ? `-- +goose StatementBegin${nl}${sql};${nl}-- +goose StatementEnd` : `${sql};`))
          .join(`${nl}${nl}${indent}`)
      : `${indent}-- Lockstep fix: ${lowerFirst(plan.title)}, in ${phaseTargets.join(', ')}.${nl}`;
  const edits: TextEdit[] = [{ start: replaceStart, end: replaceEnd, newText: replacement }];
  if (movedRange) edits.push({ start: movedRange[0], end: movedRange[1], newText: '' });

  // Without files (a client that cannot create them, or no name for them): the phases as commented text, where
  // the statement was; statements after it stay, and the comment says which must move.
  let fallbackEdits: TextEdit[] = edits;
  if (planned.length > 0) {
    const block = fallbackBlock(planned, headerOf, notes, moved.length, nl, indent, layout);
    const at = endOfStatementLine(text, statement.end);
    fallbackEdits =
      inPlace.length > 0
        ? [{ start: replaceStart, end: replaceEnd, newText: replacement }, { start: at, end: at, newText: block }]
        : [{ start: replaceStart, end: replaceEnd, newText: block }];
  }

  return {
    recipe: plan.recipe,
    title: plan.title,
    resolves: plan.resolves,
    statement: statement.index,
    preferred: plan.preferred,
    fixAll: plan.fixAll === true && planned.length === 0,
    edits: 'problem' in created ? fallbackEdits : edits,
    files: 'files' in created ? created.files : [],
    ...('files' in created && created.fileEdits?.length ? { fileEdits: created.fileEdits } : {}),
    fallbackEdits,
    notes,
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function displayName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const base = path.slice(i + 1);
  if (base !== 'up.sql' && base !== 'migration.sql') return base;
  const dir = path.slice(0, i);
  return `${dir.slice(Math.max(dir.lastIndexOf('/'), dir.lastIndexOf('\\')) + 1)}/${base}`;
}

function fallbackBlock(
  planned: ReadonlyArray<PlannedFile & { phase: number }>,
  headerOf: (i: number, names: string[]) => string[],
  notes: readonly string[],
  movedCount: number,
  nl: string,
  indent: string,
  layout: Layout,
): string {
  const names = planned.map((p, i) => `migration ${i + 1} (${p.slug})`);
  const lines: string[] = ['Lockstep fix: this work must run as separate migrations, in this order, after this file.', ...notes];
  planned.forEach((p, i) => {
    lines.push('');
    if (p.phase < 0) {
      lines.push(`Then move the ${movedCount} statement(s) after this one that use the same tables into a last migration.`);
      return;
    }
    const alone = p.mode === 'no-transaction' && !layout.splitsStatements ? ' It must be the only statement of its file.' : '';
    lines.push(`=== ${names[i]}${alone}`);
    for (const h of headerOf(i, names).slice(1)) lines.push(h);
    for (const s of p.statements) for (const l of `${s};`.split(/\r?\n/)) lines.push(`  ${l}`);
  });
  return lines.map((l) => `${indent}${l === '' ? '--' : `-- ${l}`}`).join(nl) + nl;
}
