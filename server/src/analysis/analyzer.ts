/**
 * The analysis pipeline:
 *   split → parse (cached per statement text) → plan the file's transactions (transactions/: which runner, which
 *   statements share a transaction) → walk the statements in order, keeping the schema and the transaction state
 *   up to date → run the rules (cached) → apply the project's severities and the file's ignore comments.
 *
 * Editing one statement re-parses only that statement and re-checks only the statements whose context changed:
 * a statement's cached result is keyed by its text, the options and the catalog facts about what it names, and is
 * reused only while every transaction or neighbour fact its rules asked for still has the same answer (see
 * file-context.ts), so analysis cost follows the size of the edit, not of the file.
 */
import type { AnalysisOptions, AnalysisResult, Finding, Statement, TransactionSummary } from './types';
import { splitStatements, type StatementPiece } from './split/splitter';
import { parseStatementText, type ParseOutcome } from './parse/parser';
import { TextIndex } from './text/text-index';
import { StatementView } from './statement-view';
import { FileContext, type ContextQuery } from './file-context';
import { allRuleMetas, rulesForKind, ruleMeta } from './rules';
import type { RuleReport } from './rules/rule';
import { unusedIgnoreMeta, unusedIgnoreReport } from './rules/unused-ignore';
import { hashString, type Catalog } from './catalog';
import type { StatementEffect } from './lockmodel/model';
import { planTransactions, runnerPlan } from './transactions';
import { applySuppressions, findDirectives, type TriviaSpan } from './suppressions';
import { closestMatch } from './config/config';

export { initParser } from './parse/parser';

/** A parsed piece of the file: one or more statements (more only when the splitter could not separate them). */
interface ParsedPiece {
  outcome: ParseOutcome;
  views: StatementView[];
}

/** A finding relative to its statement, so it can be cached independently of where the statement sits. */
interface RelativeFinding {
  rule: string;
  severity: Finding['severity'];
  message: string;
  start: number;
  end: number;
  data?: Finding['data'];
}

/** How much work the last `analyze` call did; lets tests and benchmarks see that caching works. */
export interface AnalysisWork {
  parsed: number;
  checked: number;
}

/** Everything computed for one statement in its context; cached by statement text + context key + queries. */
interface CheckedStatement {
  effect: StatementEffect;
  findings: RelativeFinding[];
  /** The context questions the rules asked, with the answers they got: the result holds while these do. */
  queries: ContextQuery[];
}

/** One statement slot of the file, before any check: parsed (with a view) or not analyzable (with its finding). */
interface Slot {
  statement: Statement;
  piece: StatementPiece;
  firstOfPiece: boolean;
  view?: StatementView;
  finding?: Finding;
}

export class DocumentAnalyzer {
  private pieces = new Map<string, ParsedPiece>();
  private checks = new Map<string, CheckedStatement[]>();
  lastWork: AnalysisWork = { parsed: 0, checked: 0 };

  /**
   * @param base the schema produced by the migrations that run before this file (see migrations/), if known.
   */
  analyze(text: string, options: AnalysisOptions, base?: Catalog): AnalysisResult {
    const index = new TextIndex(text);
    const nextPieces = new Map<string, ParsedPiece>();
    const nextChecks = new Map<string, CheckedStatement[]>();
    const work: AnalysisWork = { parsed: 0, checked: 0 };
    const pieces = splitStatements(text);

    // 1. Every statement of the file, parsed (or known not to be analyzable), before anything is checked: the
    //    transaction plan needs them all (is this BEGIN ever committed? how many statements does the query hold?).
    const slots: Slot[] = [];
    for (const piece of pieces) {
      const pieceText = text.slice(piece.start, piece.end);
      if (piece.kind === 'psql-meta') {
        slots.push(unanalyzable(slots.length, piece, pieceText, index, 'PsqlMetaCommand', 'psql-meta-command',
          'psql meta-command, not analyzed: Lockstep analyzes SQL statements only.'));
        continue;
      }
      if (piece.templates.length > 0) {
        const [tStart, tEnd] = piece.templates[0]!;
        const placeholder = text.slice(tStart, Math.min(tEnd, tStart + 40));
        slots.push(unanalyzable(slots.length, piece, pieceText, index, 'TemplatePlaceholder', 'template-placeholder',
          `Template placeholder ${placeholder}: this statement is generated when the migration runs, so it is not analyzed. Lint the rendered SQL instead.`,
          [tStart, tEnd]));
        continue;
      }
      let parsed = this.pieces.get(pieceText) ?? nextPieces.get(pieceText);
      if (!parsed) {
        parsed = parsePiece(pieceText);
        work.parsed++;
      }
      nextPieces.set(pieceText, parsed);

      if (!parsed.outcome.ok && piece.psqlVariables.length > 0) {
        const [vStart, vEnd] = piece.psqlVariables[0]!;
        slots.push(unanalyzable(slots.length, piece, pieceText, index, 'PsqlVariable', 'psql-meta-command',
          `Uses the psql variable ${text.slice(vStart, vEnd)}, which psql substitutes when the script runs, so this statement is not analyzed.`,
          [vStart, vEnd]));
        continue;
      }
      if (!parsed.outcome.ok) {
        const errorOffset = piece.start + parsed.outcome.offset;
        const statementIndex = slots.length;
        slots.push({
          piece,
          firstOfPiece: true,
          statement: {
            index: statementIndex,
            text: pieceText,
            start: piece.start,
            end: piece.end,
            range: index.rangeOf(piece.start, piece.end),
            kind: 'SyntaxError',
            problem: { message: parsed.outcome.message, offset: errorOffset },
          },
          finding: {
            rule: 'syntax-error',
            severity: ruleMeta('syntax-error')?.defaultSeverity ?? 'error',
            message: `Syntax error: ${parsed.outcome.message}. This statement is not analyzed; the others are.`,
            range: index.rangeOf(errorOffset, errorTokenEnd(text, errorOffset, piece.end)),
            statement: statementIndex,
            data: { postgresMessage: parsed.outcome.message },
          },
        });
        continue;
      }
      parsed.outcome.nodes.forEach((node, k) => {
        const view = parsed!.views[k]!;
        const start = piece.start + node.start;
        const end = piece.start + node.end;
        slots.push({
          piece,
          firstOfPiece: k === 0,
          view,
          statement: { index: slots.length, text: view.text, start, end, range: index.rangeOf(start, end), kind: node.kind, ast: node.ast },
        });
      });
    }

    // 2. Which transaction each statement runs in.
    const plan = planTransactions(
      runnerPlan(text, options.migration),
      slots.map((s) => ({ start: s.statement.start, kind: s.statement.kind, ...(s.statement.ast ? { ast: s.statement.ast } : {}), text: s.statement.text })),
    );
    const file = new FileContext(
      options,
      base,
      plan,
      slots.map((s) => ({ kind: s.statement.kind, text: s.statement.text, ...(s.statement.ast ? { ast: s.statement.ast } : {}) })),
    );

    // 3. Check each statement in order, in its context.
    const findings: Finding[] = [];
    const keyPrefix = `${options.pgVersion}\u0000${projectKey(options)}\u0000`;
    for (const [i, slot] of slots.entries()) {
      file.enter(i);
      const { inTransaction, id, source, section } = plan.statements[i]!;
      const statement = slot.statement;
      statement.transaction = { inTransaction, id, source, section };
      const view = slot.view;
      if (!view) {
        if (slot.finding) findings.push(slot.finding);
        file.skip(i, statement.kind, statement.text);
        continue;
      }
      const key = `${keyPrefix}${view.text}\u0000${file.contextKey(view)}`;
      const candidates = [...(this.checks.get(key) ?? []), ...(nextChecks.get(key) ?? [])];
      let checked = candidates.find((c) => file.queriesStillHold(c.queries));
      if (!checked) {
        // Recording starts before the effect: the lock model's schema look-ups are part of what the result rests on.
        file.recordQueries();
        const effect = file.effect(view);
        const relative = runRules(view, file, effect, options);
        checked = { effect, findings: relative, queries: file.stopRecording() };
        work.checked++;
      }
      const kept = nextChecks.get(key) ?? [];
      if (!kept.includes(checked)) kept.push(checked);
      nextChecks.set(key, kept);
      statement.effect = checked.effect;
      for (const f of checked.findings) {
        findings.push({
          rule: f.rule,
          severity: f.severity,
          message: f.message,
          range: index.rangeOf(statement.start + f.start, statement.start + f.end),
          statement: i,
          ...(f.data ? { data: f.data } : {}),
        });
      }
      file.apply(view, i, checked.effect);
    }

    // Keep only what the current text uses, so the caches never outgrow the document.
    this.pieces = nextPieces;
    this.checks = nextChecks;
    this.lastWork = work;

    // 4. The project's severities, then the file's ignore comments.
    const statements = slots.map((s) => s.statement);
    const configured = withConfiguredSeverities(findings, options);
    const trivia: TriviaSpan[] = slots.filter((s) => s.firstOfPiece).map((s) => ({ start: s.piece.triviaStart, end: s.piece.start, statement: s.statement.index }));
    const lastPiece = pieces[pieces.length - 1];
    trivia.push({ start: lastPiece ? lastPiece.end : 0, end: text.length, statement: undefined });
    const rules = options.project?.rules;
    const outcome = applySuppressions(configured, findDirectives(text, trivia), {
      isKnownRule: (id) => ruleMeta(id) !== undefined,
      isOff: (id) => rules?.[id] === 'off',
    });
    const unusedSeverity = rules?.[unusedIgnoreMeta.id] ?? unusedIgnoreMeta.defaultSeverity;
    // A finding needs a statement to belong to: a file of only comments has none, and nothing to ignore either.
    if (unusedSeverity !== 'off' && statements.length > 0) {
      for (const unused of outcome.unused) {
        const at = unused.rule ?? unused.directive;
        const suggestion = unused.why === 'unknown-rule' ? closestMatch(unused.rule!.id, allRuleMetas.map((m) => m.id)) : undefined;
        const { message, data } = unusedIgnoreReport(unused, suggestion);
        outcome.kept.push({
          rule: unusedIgnoreMeta.id,
          severity: unusedSeverity,
          message,
          range: index.rangeOf(at.start, at.end),
          statement: unused.directive.statement ?? statements.length - 1,
          data,
        });
      }
    }

    const transactions: TransactionSummary[] = plan.transactions.map((t) => ({
      id: t.id,
      source: t.source,
      statements: t.statements,
      end: t.end,
      why: t.why,
    }));
    return { statements, findings: outcome.kept, suppressed: outcome.suppressed, transactions, runner: plan.runner.label };
  }
}

/** One-shot analysis of a whole text (the CLI's entry point). */
export function analyzeText(text: string, options: AnalysisOptions, base?: Catalog): AnalysisResult {
  return new DocumentAnalyzer().analyze(text, options, base);
}

function unanalyzable(
  statementIndex: number,
  piece: StatementPiece,
  pieceText: string,
  index: TextIndex,
  kind: Statement['kind'],
  rule: string,
  message: string,
  at: [number, number] = [piece.start, piece.end],
): Slot {
  return {
    piece,
    firstOfPiece: true,
    statement: {
      index: statementIndex,
      text: pieceText,
      start: piece.start,
      end: piece.end,
      range: index.rangeOf(piece.start, piece.end),
      kind,
      problem: { message, offset: at[0] },
    },
    finding: {
      rule,
      severity: ruleMeta(rule)?.defaultSeverity ?? 'info',
      message,
      range: index.rangeOf(at[0], at[1]),
      statement: statementIndex,
    },
  };
}

/** The part of the options rules may read besides the catalog: changes to it re-check everything. */
function projectKey(options: AnalysisOptions): string {
  const p = options.project;
  if (!p || (p.tables === undefined && p.lockTimeoutMs === undefined && p.statementTimeoutMs === undefined)) return '';
  return hashString(JSON.stringify([p.tables ?? null, p.lockTimeoutMs ?? null, p.statementTimeoutMs ?? null]));
}

/** lockstep.json `rules`: a severity replaces the default, 'off' drops the findings. */
function withConfiguredSeverities(findings: Finding[], options: AnalysisOptions): Finding[] {
  const rules = options.project?.rules;
  if (!rules) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    const setting = rules[f.rule];
    if (setting === 'off') continue;
    out.push(setting === undefined || setting === f.severity ? f : { ...f, severity: setting });
  }
  return out;
}

function parsePiece(pieceText: string): ParsedPiece {
  const outcome = parseStatementText(pieceText);
  if (!outcome.ok) return { outcome, views: [] };
  const views = outcome.nodes.map(
    (node) => new StatementView(pieceText.slice(node.start, node.end), node.kind, node.ast, outcome.offsets, node.start),
  );
  return { outcome, views };
}

function runRules(view: StatementView, file: FileContext, effect: StatementEffect, options: AnalysisOptions): RelativeFinding[] {
  const out: RelativeFinding[] = [];
  for (const rule of rulesForKind(view.kind)) {
    const report = (r: RuleReport): void => {
      const start = clamp(r.range?.start ?? 0, view.text.length);
      const end = clamp(r.range?.end ?? view.text.length, view.text.length);
      out.push({
        rule: rule.meta.id,
        severity: r.severity ?? rule.meta.defaultSeverity,
        message: r.message,
        start,
        end: Math.max(start, end),
        ...(r.data ? { data: r.data } : {}),
      });
    };
    const payload = (view.ast as Record<string, unknown>)[view.kind];
    rule.check({ statement: view, file, effect, pgVersion: options.pgVersion, report }, payload as never);
  }
  return out;
}

function clamp(value: number, max: number): number {
  return Math.max(0, Math.min(value, max));
}

/** A syntax error underlines the token PostgreSQL complained about (up to the next space), at least one char. */
function errorTokenEnd(text: string, offset: number, limit: number): number {
  let end = offset;
  while (end < limit && !/[\s;,()]/.test(text[end]!)) end++;
  return end > offset ? end : Math.min(offset + 1, Math.max(limit, offset + 1));
}
