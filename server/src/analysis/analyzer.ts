/**
 * The analysis pipeline: split → parse (cached per statement text) → walk the file in order, keeping the schema
 * context up to date → run the rules (cached per statement text + the context facts it depends on).
 *
 * Editing one statement re-parses only that statement and re-checks only the statements whose context facts
 * changed (those touching the same relations), so analysis cost follows the size of the edit, not of the file.
 */
import type { AnalysisOptions, AnalysisResult, Finding, Statement } from './types';
import { splitStatements, type StatementPiece } from './split/splitter';
import { parseStatementText, type ParseOutcome } from './parse/parser';
import { TextIndex } from './text/text-index';
import { StatementView } from './statement-view';
import { FileContext } from './file-context';
import { rulesForKind, ruleMeta } from './rules';
import type { RuleReport } from './rules/rule';
import type { Catalog } from './catalog';
import type { StatementEffect } from './lockmodel/model';

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

/** Everything computed for one statement in its context; cached by statement text + context key. */
interface CheckedStatement {
  effect: StatementEffect;
  findings: RelativeFinding[];
}

export class DocumentAnalyzer {
  private pieces = new Map<string, ParsedPiece>();
  private checks = new Map<string, CheckedStatement>();
  lastWork: AnalysisWork = { parsed: 0, checked: 0 };

  /**
   * @param base the schema produced by the migrations that run before this file (see migrations/), if known.
   */
  analyze(text: string, options: AnalysisOptions, base?: Catalog): AnalysisResult {
    const index = new TextIndex(text);
    const statements: Statement[] = [];
    const findings: Finding[] = [];
    const nextPieces = new Map<string, ParsedPiece>();
    const nextChecks = new Map<string, CheckedStatement>();
    const file = new FileContext(options, base);
    const work: AnalysisWork = { parsed: 0, checked: 0 };

    for (const piece of splitStatements(text)) {
      if (piece.kind === 'psql-meta') {
        this.addUnanalyzable(piece, text, index, statements, findings, 'PsqlMetaCommand', 'psql-meta-command',
          'psql meta-command, not analyzed: Lockstep analyzes SQL statements only.');
        continue;
      }
      if (piece.templates.length > 0) {
        const [tStart, tEnd] = piece.templates[0]!;
        const placeholder = text.slice(tStart, Math.min(tEnd, tStart + 40));
        this.addUnanalyzable(piece, text, index, statements, findings, 'TemplatePlaceholder', 'template-placeholder',
          `Template placeholder ${placeholder}: this statement is generated when the migration runs, so it is not analyzed. Lint the rendered SQL instead.`,
          [tStart, tEnd]);
        continue;
      }
      const pieceText = text.slice(piece.start, piece.end);
      let parsed = this.pieces.get(pieceText) ?? nextPieces.get(pieceText);
      if (!parsed) {
        parsed = parsePiece(pieceText);
        work.parsed++;
      }
      nextPieces.set(pieceText, parsed);

      if (!parsed.outcome.ok && piece.psqlVariables.length > 0) {
        const [vStart, vEnd] = piece.psqlVariables[0]!;
        this.addUnanalyzable(piece, text, index, statements, findings, 'PsqlVariable', 'psql-meta-command',
          `Uses the psql variable ${text.slice(vStart, vEnd)}, which psql substitutes when the script runs, so this statement is not analyzed.`,
          [vStart, vEnd]);
        continue;
      }
      if (!parsed.outcome.ok) {
        const errorOffset = piece.start + parsed.outcome.offset;
        const statementIndex = statements.length;
        statements.push({
          index: statementIndex,
          text: pieceText,
          start: piece.start,
          end: piece.end,
          range: index.rangeOf(piece.start, piece.end),
          kind: 'SyntaxError',
          problem: { message: parsed.outcome.message, offset: errorOffset },
        });
        findings.push({
          rule: 'syntax-error',
          severity: ruleMeta('syntax-error')?.defaultSeverity ?? 'error',
          message: `Syntax error: ${parsed.outcome.message}. This statement is not analyzed; the others are.`,
          range: index.rangeOf(errorOffset, errorTokenEnd(text, errorOffset, piece.end)),
          statement: statementIndex,
          data: { postgresMessage: parsed.outcome.message },
        });
        continue;
      }

      parsed.outcome.nodes.forEach((node, k) => {
        const view = parsed!.views[k]!;
        const start = piece.start + node.start;
        const end = piece.start + node.end;
        const statementIndex = statements.length;
        statements.push({
          index: statementIndex,
          text: view.text,
          start,
          end,
          range: index.rangeOf(start, end),
          kind: node.kind,
          ast: node.ast,
        });
        const key = `${options.pgVersion}\u0000${view.text}\u0000${file.contextKey(view)}`;
        let checked = this.checks.get(key) ?? nextChecks.get(key);
        if (!checked) {
          const effect = file.effect(view);
          checked = { effect, findings: runRules(view, file, effect, options) };
          work.checked++;
        }
        nextChecks.set(key, checked);
        statements[statementIndex]!.effect = checked.effect;
        for (const f of checked.findings) {
          findings.push({
            rule: f.rule,
            severity: f.severity,
            message: f.message,
            range: index.rangeOf(start + f.start, start + f.end),
            statement: statementIndex,
            ...(f.data ? { data: f.data } : {}),
          });
        }
        file.apply(view, statementIndex);
      });
    }

    // Keep only what the current text uses, so the caches never outgrow the document.
    this.pieces = nextPieces;
    this.checks = nextChecks;
    this.lastWork = work;
    return { statements, findings };
  }

  private addUnanalyzable(
    piece: StatementPiece,
    text: string,
    index: TextIndex,
    statements: Statement[],
    findings: Finding[],
    kind: Statement['kind'],
    rule: string,
    message: string,
    at: [number, number] = [piece.start, piece.end],
  ): void {
    const statementIndex = statements.length;
    statements.push({
      index: statementIndex,
      text: text.slice(piece.start, piece.end),
      start: piece.start,
      end: piece.end,
      range: index.rangeOf(piece.start, piece.end),
      kind,
      problem: { message, offset: at[0] },
    });
    findings.push({
      rule,
      severity: ruleMeta(rule)?.defaultSeverity ?? 'info',
      message,
      range: index.rangeOf(at[0], at[1]),
      statement: statementIndex,
    });
  }
}

/** One-shot analysis of a whole text (the CLI's entry point). */
export function analyzeText(text: string, options: AnalysisOptions, base?: Catalog): AnalysisResult {
  return new DocumentAnalyzer().analyze(text, options, base);
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
