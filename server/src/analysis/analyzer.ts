/**
 * The analysis pipeline:
 *   split → parse (cached per statement text) → plan the file's transactions (transactions/: which runner, which
 *   statements share a transaction) → walk the statements in order, keeping the schema and the transaction state
 *   up to date → run the rules (cached) → apply the project's severities and the file's ignore comments.
 *
 * Editing one statement re-parses only that statement and re-checks only the statements whose context changed:
 * a statement's cached result is keyed by its text, the options and the catalog facts about what it names, and is
 * reused only while every transaction or neighbour fact its rules asked for still has the same answer (see
 * file-context.ts).
 *
 * Nor does an edit replay the whole file. The analyzer keeps, from the previous analysis, each statement's result,
 * the state at each transaction start (`BoundaryState`) and every 64 statements or more a checkpoint (a copy-on-write
 * fork of the catalog and the session state). After an edit it
 *   - reuses the results of the unchanged statements before it, and resumes from the last checkpoint before it
 *     (replaying, without re-checking, the statements up to the edited transaction);
 *   - checks the edited statements and those after them, until, at the start of a transaction past the edit, the
 *     state is the one the previous analysis had there (same catalog — a hash over the contents, parse trees
 *     without locations, of the statements that changed it —, settings, plan for the rest of the file, previous
 *     statement): from there on every result is the previous one, moved. Typing inside an UPDATE, a comment, or
 *     whitespace, a comment or keyword case inside a DDL statement converges at the next transaction; an edit that
 *     changes the schema re-checks until the schema agrees again.
 * Typing a word into a DDL statement makes it a syntax error until the word is complete or deleted again: the
 * analysis before the error is kept (an `Anchor`), and the edit that brings the statement back is compared with it,
 * not with the previous analysis (whose schema lacks what the statement does, to the end of the file).
 * Splitting, too, re-scans only around the edit (split/splitter.ts `splitEdited`).
 * The result is exactly that of a fresh analysis (analyzer-incremental.test.ts compares them on random edits).
 */
import type { AnalysisOptions, AnalysisResult, Finding, ProvisionalAnalysisResult, Statement, TransactionSummary } from './types';
import { splitEdited, type SplitText, type StatementPiece } from './split/splitter';
import { parseStatementText, type ParseOutcome } from './parse/parser';
import { TextIndex } from './text/text-index';
import { StatementView } from './statement-view';
import {
  FileContext,
  laterQueryCheck,
  QUERY_REACH,
  type BoundaryState,
  type ChangedStatement,
  type ContextQuery,
  type FileCheckpoint,
  type PastStatement,
} from './file-context';
import { allRuleMetas, rulesForKind, ruleMeta } from './rules';
import type { RuleReport } from './rules/rule';
import { unusedIgnoreMeta, unusedIgnoreReport } from './rules/unused-ignore';
import { hashString, type Catalog } from './catalog';
import type { StatementEffect } from './lockmodel/model';
import { planTransactions, runnerPlan } from './transactions';
import type { PlanStatement, TransactionIssueKind, TransactionPlan } from './transactions/plan';
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
  /** How far the farthest-reaching of them looks (QUERY_REACH): reuse planning asks for every statement. */
  reach: 'context' | 'later' | 'anywhere';
}

/** A checked statement's result with its cache key (undefined for statements that are not analyzed). */
interface StatementResult {
  key: string;
  checked: CheckedStatement;
}

/** What the next analysis may reuse (see the top of this file). */
interface PreviousAnalysis {
  optionsKey: string;
  base: Catalog | undefined;
  slots: Slot[];
  plan: TransactionPlan;
  results: Array<StatementResult | undefined>;
  /** At each statement that starts a transaction (where known). */
  boundaries: Array<BoundaryState | undefined>;
  /** By index, ascending. */
  checkpoints: FileCheckpoint[];
  /** Some result asked a question about a statement by index: reuse nothing. */
  anywhere: boolean;
  /** Statements that did not parse. */
  syntaxErrors: number;
}

/**
 * An earlier analysis kept because the one after it had more syntax errors, with its parsed pieces: typing a word
 * into a DDL statement makes it a syntax error until the word is complete or deleted again, and the text it comes
 * back to is usually one analyzed before the error (see `chooseReuse`). Against the previous analysis (with the
 * error) the schema would differ up to the end of the file; against the anchor nothing, or only whitespace, has.
 */
interface Anchor {
  analysis: PreviousAnalysis;
  pieces: Map<string, ParsedPiece>;
}

/**
 * Anchors kept. Each holds an analysis's results, boundaries and checkpoints (~13 MB at 5,000 statements). One
 * covers a word typed and deleted again: bench/core-edits.ts `lsp` walks exactly as many statements per edit with
 * one as with two (5,000 statements, 120 edits: p50 72, p95 4,331, typing mean 313), so a second one only cost memory.
 */
const MAX_ANCHORS = 1;

/** How the previous analysis lines up with this one (statement indexes). */
interface Reuse {
  prev: PreviousAnalysis;
  /** Results before this index are reused as they are; processing resumes here. */
  start: number;
  checkpoint: FileCheckpoint | undefined;
  /** First statement that differs (text or plan) from the previous analysis. */
  firstChanged: number;
  /** Statements from here (new numbering) have the same text as the previous analysis's last ones. */
  suffixStart: number;
  oldSuffixStart: number;
  /** Convergence is possible at transaction starts from here on. */
  convergeFrom: number;
  delta: number;
  /**
   * Results before this index hold as they are (same statements, plan and state before them, not in the edited
   * transaction, and no later query the edit affects): the walk from the checkpoint up to there only replays them.
   */
  keepBefore: number;
}

/** Fewest statements between checkpoints: an edit replays up to this many before it (with cached results). */
const CHECKPOINT_SPACING = 64;

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
  private previous: PreviousAnalysis | undefined;
  private anchors: Anchor[] = [];
  private lastSplit: SplitText | undefined;
  lastWork: AnalysisWork = { parsed: 0, checked: 0 };
  /** The statements the last `analyze` walked (from a checkpoint up to where it converged); the rest was reused. */
  lastWalked = { from: 0, to: 0 };

  private anchoredPiece(pieceText: string): ParsedPiece | undefined {
    for (const anchor of this.anchors) {
      const parsed = anchor.pieces.get(pieceText);
      if (parsed) return parsed;
    }
    return undefined;
  }

  /**
   * @param base the schema produced by the migrations that run before this file (see migrations/), if known.
   */
  analyze(text: string, options: AnalysisOptions, base?: Catalog): AnalysisResult {
    const steps = this.steps(text, options, base);
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
    }
  }

  /**
   * `analyze` in slices of about `sliceMs` (default 20 ms), yielding to the event loop between them so a server
   * can answer requests and notice newer edits meanwhile. When `signal` aborts, stops at the next slice boundary
   * and returns `'cancelled'`; the analyzer then keeps the state of its last completed analysis (the new state is
   * committed only in the final, uninterrupted slice), so the next `analyze` gives what it would have given.
   *
   * `provisional` is called at most once, when an edit's re-check runs on well past the edited statements with many
   * statements still to go (see `provisionalDue`): with what is known by then (see ProvisionalAnalysisResult), so
   * an editor can show the edited statements' findings before the walk ends. Never after the result is returned.
   * With `provisionalAfterMs` it is also called once the slices have taken that long in all (time in slices, not
   * the time between them: requests served meanwhile do not count) without finishing, cold analyses included (see
   * budgetProvisional).
   */
  async analyzeAsync(
    text: string,
    options: AnalysisOptions,
    control: {
      signal?: AbortSignal;
      sliceMs?: number;
      base?: Catalog;
      provisional?: (result: ProvisionalAnalysisResult) => void;
      provisionalAfterMs?: number;
    } = {},
  ): Promise<AnalysisResult | 'cancelled'> {
    const sliceMs = control.sliceMs ?? 20;
    const signal = control.signal;
    if (signal?.aborted) return 'cancelled';
    const budget: ProvisionalBudget = { exhausted: false };
    const steps = this.steps(text, options, control.base, control.provisional, control.provisionalAfterMs === undefined ? undefined : budget);
    let spent = 0;
    for (;;) {
      const sliceStart = performance.now();
      if (control.provisionalAfterMs !== undefined && spent >= control.provisionalAfterMs) budget.exhausted = true;
      const sliceEnd = sliceStart + sliceMs;
      let count = 0;
      for (;;) {
        const next = steps.next();
        if (next.done) return next.value;
        // A step is one statement, far shorter than a slice: the clock need not be read after every one.
        if (++count % 16 === 0 && performance.now() >= sliceEnd) break;
      }
      spent += performance.now() - sliceStart;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) {
        // Nothing after the last yield has run: the retained state is untouched (only the caches of parsed
        // pieces and checked statements gained entries, which are keyed by everything they depend on).
        void steps.return(undefined as never);
        return 'cancelled';
      }
    }
  }

  /**
   * The analysis as resumable steps: yields between statements while parsing and checking; everything that
   * changes the analyzer's retained state (previous analysis, cache pruning, lastWork) happens after the last yield.
   */
  private *steps(
    text: string,
    options: AnalysisOptions,
    base: Catalog | undefined,
    provisional?: (result: ProvisionalAnalysisResult) => void,
    budget?: ProvisionalBudget,
  ): Generator<void, AnalysisResult, void> {
    const index = new TextIndex(text);
    const nextPieces = new Map<string, ParsedPiece>();
    const work: AnalysisWork = { parsed: 0, checked: 0 };
    // Only around the edit: the rest of the split is the last one's (see splitEdited).
    const pieces = splitEdited(text, this.lastSplit);

    // 1. Every statement of the file, parsed (or known not to be analyzable), before anything is checked: the
    //    transaction plan needs them all (is this BEGIN ever committed? how many statements does the query hold?).
    const slots: Slot[] = [];
    for (const piece of pieces) {
      yield;
      if (provisional && budget?.exhausted && this.previous === undefined) {
        // A cold analysis still parsing: nothing is known yet, but the editor hears at once that analysis runs.
        provisional(nothingYet());
        provisional = undefined;
      }
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
      // An anchor's pieces too: an anchor is reusable only where this analysis has its very views (`sameSlot`).
      let parsed = this.pieces.get(pieceText) ?? nextPieces.get(pieceText) ?? this.anchoredPiece(pieceText);
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
    // One record per statement serves the plan and the FileContext (no object spread: this runs on every edit).
    const planned = slots.map(({ statement }) => {
      const info: PlanStatement = { start: statement.start, kind: statement.kind, text: statement.text };
      if (statement.ast) info.ast = statement.ast;
      return info;
    });
    const plan = planTransactions(runnerPlan(text, options.migration), planned);

    // 3. Check each statement in order, in its context — resuming from the previous analysis where it can.
    const n = slots.length;
    const optionsKey = JSON.stringify(options);
    const reusable = (a: PreviousAnalysis | undefined) => (a?.optionsKey === optionsKey && a.base === base ? a : undefined);
    const prev = reusable(this.previous);
    const reuse = prev ? chooseReuse(prev, this.anchors.map((a) => reusable(a.analysis)), slots, plan) : undefined;
    const start = reuse?.start ?? 0;
    const results: Array<StatementResult | undefined> = new Array(n);
    const boundaries: Array<BoundaryState | undefined> = new Array(n);
    const checkpoints: FileCheckpoint[] = [];
    for (let i = 0; i < start; i++) {
      results[i] = reuse!.prev.results[i];
      boundaries[i] = reuse!.prev.boundaries[i];
    }
    let file: FileContext;
    if (reuse?.checkpoint) {
      const checkpoint = reuse.checkpoint;
      for (const c of reuse.prev.checkpoints) if (c.index <= checkpoint.index) checkpoints.push(c);
      boundaries[start] = reuse.prev.boundaries[start];
      file = new FileContext(options, checkpoint.catalog, plan, planned);
      file.resume(checkpoint, (i) => pastStatement(slots[i]!, results[i], plan.statements[i]!.id));
    } else {
      file = new FileContext(options, base, plan, planned);
      // Nothing changed but positions: the checkpoints all hold.
      if (reuse && start === n) checkpoints.push(...reuse.prev.checkpoints);
    }
    const minStartFrom = start < n ? transactionStartsFrom(plan) : [];
    // At most ~40 checkpoints: each costs a copy of the catalog maps the statements after it change.
    const spacing = Math.max(CHECKPOINT_SPACING, Math.ceil(n / 40));
    let lastCheckpoint = checkpoints.length > 0 ? checkpoints[checkpoints.length - 1]!.index : 0;
    const keyPrefix = `${options.pgVersion}\u0000${projectKey(options)}\u0000`;
    let converged = n;
    // A convergence check failed: the state after the edit differs, so the walk is likely to go on.
    let diverged = false;
    for (let i = start; i < n; i++) {
      yield;
      if (file.enter(i)) {
        const state = file.boundaryState();
        if (reuse && i >= reuse.convergeFrom && converges(reuse, i, state, results[i - 1])) {
          converged = i;
          break;
        }
        if (reuse && i >= reuse.convergeFrom) diverged = true;
        boundaries[i] = state;
        if (i - lastCheckpoint >= spacing && minStartFrom[i]! >= i) {
          checkpoints.push(file.checkpoint(i));
          lastCheckpoint = i;
        }
      }
      if (provisional && budget?.exhausted) {
        provisional(budgetProvisional({ text, index, options, slots, pieces, plan }, results, reuse, i));
        provisional = undefined;
      }
      if (provisional && reuse && provisionalDue(reuse, i, n, diverged)) {
        provisional(provisionalResult({ text, index, options, slots, pieces, plan }, results, reuse, i));
        provisional = undefined;
      }
      const slot = slots[i]!;
      const view = slot.view;
      if (!view) {
        file.skip(i, slot.statement.kind, slot.statement.text);
        continue;
      }
      const kept = reuse && i < reuse.keepBefore ? reuse.prev.results[i] : undefined;
      if (kept) {
        // No context key or query to check: nothing before the edit changed.
        results[i] = kept;
        file.apply(view, i, kept.checked.effect);
        continue;
      }
      const key = `${keyPrefix}${view.text}\u0000${file.contextKey(view)}`;
      const candidates = this.checks.get(key);
      let checked = candidates?.find((c) => file.queriesStillHold(c.queries));
      if (!checked) {
        // Recording starts before the effect: the lock model's schema look-ups are part of what the result rests on.
        file.recordQueries();
        const effect = file.effect(view);
        const relative = runRules(view, file, effect, options);
        const queries = file.stopRecording();
        checked = { effect, findings: relative, queries, reach: farthestReach(queries) };
        work.checked++;
        // A few per key: enough for undo and for a statement that alternates between contexts.
        if (!candidates) this.checks.set(key, [checked]);
        else if (candidates.push(checked) > 4) candidates.shift();
      }
      results[i] = { key, checked };
      file.apply(view, i, checked.effect);
    }
    if (converged < n) {
      // From here on the previous analysis saw the same state and the same statements: move its results over.
      const { prev: old, delta } = reuse!;
      const remap = statementRemap(reuse!);
      for (let i = converged; i < n; i++) {
        results[i] = old.results[i - delta];
        const b = old.boundaries[i - delta];
        boundaries[i] = b && remapBoundary(b, remap);
      }
      for (const c of old.checkpoints) {
        if (c.index < converged - delta) continue;
        const moved = remapCheckpoint(c, delta, remap);
        if (moved) checkpoints.push(moved);
      }
    }
    this.previous = {
      optionsKey,
      base,
      slots,
      plan,
      results,
      boundaries,
      checkpoints,
      anywhere: results.some((r) => r?.checked.reach === 'anywhere'),
      syntaxErrors: slots.reduce((count, s) => (s.statement.kind === 'SyntaxError' ? count + 1 : count), 0),
    };
    if (prev && this.previous.syntaxErrors > prev.syntaxErrors) {
      this.anchors = [...this.anchors.filter((a) => reusable(a.analysis)), { analysis: prev, pieces: this.pieces }].slice(-MAX_ANCHORS);
    } else if (!prev) {
      this.anchors = [];
    }
    // Keep the caches near the size of the document: drop what the current text no longer uses.
    if (this.checks.size > n + 64) {
      const kept = new Map<string, CheckedStatement[]>();
      for (const r of results) {
        if (!r) continue;
        const list = kept.get(r.key) ?? [];
        if (!list.includes(r.checked)) list.push(r.checked);
        kept.set(r.key, list);
      }
      this.checks = kept;
    }
    this.pieces = nextPieces;
    this.lastSplit = { text, pieces };
    this.lastWork = work;
    this.lastWalked = { from: start, to: Math.max(start, converged) };
    return assembleResult({ text, index, options, slots, pieces, plan }, results, false);
  }
}

/** What turns the statements' results into an AnalysisResult, besides the results themselves. */
interface ResultInput {
  text: string;
  index: TextIndex;
  options: AnalysisOptions;
  slots: Slot[];
  pieces: StatementPiece[];
  plan: TransactionPlan;
}

/** The findings of each statement at its place in the file, then the project's severities and the ignore comments. */
function assembleResult(input: ResultInput, results: ReadonlyArray<StatementResult | undefined>, copyStatements: boolean): AnalysisResult {
  const { text, index, options, slots, pieces, plan } = input;
  const findings: Finding[] = [];
  const statements: Statement[] = [];
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    // A provisional result gets its own statements: the final one sets effect and transaction on the slots' own.
    const statement = copyStatements ? { ...slot.statement } : slot.statement;
    statements.push(statement);
    const { inTransaction, id, source, section } = plan.statements[i]!;
    statement.transaction = { inTransaction, id, source, section };
    const result = results[i];
    if (!result) {
      if (slot.finding) findings.push(slot.finding);
      continue;
    }
    statement.effect = result.checked.effect;
    for (const f of result.checked.findings) {
      findings.push({
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        range: index.rangeOf(statement.start + f.start, statement.start + f.end),
        statement: i,
        ...(f.data ? { data: f.data } : {}),
      });
    }
  }

  // 4. The project's severities, then the file's ignore comments.
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

// ---- provisional results (analyzeAsync's `provisional`) ----

/**
 * Statements past the edited ones the walk checks before a provisional result: typing inside a statement that
 * leaves the schema alone converges at the next transaction start, and then the final result follows at once.
 */
const PROVISIONAL_AFTER = 16;
/** Fewest statements still to walk for a provisional result to be worth assembling (it costs a pass over all). */
const PROVISIONAL_MIN_REMAINING = 256;

/**
 * Whether, about to check statement `i`, the walk should hand out a provisional result: it is past the edited
 * statements, the state did not converge at a transaction start after them (or it went on for a while without
 * meeting one), and many statements are left.
 */
function provisionalDue(reuse: Reuse, i: number, n: number, diverged: boolean): boolean {
  if (i < reuse.suffixStart || n - i < PROVISIONAL_MIN_REMAINING) return false;
  return diverged || i - reuse.suffixStart >= PROVISIONAL_AFTER;
}

/**
 * Before statement `i` (at or past the edited statements): the results checked so far, exact; from `i` on the
 * previous analysis's results for the same statements (the common suffix), moved as convergence moves them.
 */
function provisionalResult(input: ResultInput, results: ReadonlyArray<StatementResult | undefined>, reuse: Reuse, i: number): ProvisionalAnalysisResult {
  const mixed = results.slice(0, i);
  for (let k = i; k < input.slots.length; k++) mixed.push(reuse.prev.results[k - reuse.delta]);
  return { ...assembleResult(input, mixed, true), provisional: true, exactThrough: i };
}

/** Set by analyzeAsync between slices once they have spent `provisionalAfterMs`; read by the walk. */
interface ProvisionalBudget {
  exhausted: boolean;
}

/**
 * The time budget ran out before statement `i`: the results checked so far, exact; for later statements the
 * previous analysis's results where it had the same statement (before the edit, or in the common suffix, moved),
 * none for the edited ones or when there is no previous analysis. "Unused ignore" findings past the exact part are
 * left out: the findings they would have matched may not be known yet.
 */
function budgetProvisional(
  input: ResultInput,
  results: ReadonlyArray<StatementResult | undefined>,
  reuse: Reuse | undefined,
  i: number,
): ProvisionalAnalysisResult {
  const mixed = results.slice(0, i);
  for (let k = i; k < input.slots.length; k++) {
    if (!reuse) mixed.push(undefined);
    else if (k < reuse.firstChanged) mixed.push(reuse.prev.results[k]);
    else if (k >= reuse.suffixStart) mixed.push(reuse.prev.results[k - reuse.delta]);
    else mixed.push(undefined);
  }
  const assembled = assembleResult(input, mixed, true);
  const findings = assembled.findings.filter((f) => f.rule !== unusedIgnoreMeta.id || f.statement < i);
  return { ...assembled, findings, provisional: true, exactThrough: i };
}

/** Before any statement is checked (a cold analysis still parsing): no statements, no findings. */
function nothingYet(): ProvisionalAnalysisResult {
  return { statements: [], findings: [], suppressed: [], transactions: [], provisional: true, exactThrough: 0 };
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

function parsePiece(documentSlice: string): ParsedPiece {
  // A parsed piece outlives the document text it was cut from (it is reused while the statement is unchanged, and
  // cache keys are built from its views' text). V8 keeps a slice as a pointer into its parent string, so each
  // piece pinned the whole document of the version that first parsed it: after N edits, up to N copies of the
  // document (26 MB after 60 edits at 5,000 statements). A copy of the piece's own text pins only itself.
  const pieceText = ownCopy(documentSlice);
  const outcome = parseStatementText(pieceText);
  if (!outcome.ok) return { outcome, views: [] };
  const views = outcome.nodes.map(
    (node) => new StatementView(pieceText.slice(node.start, node.end), node.kind, node.ast, outcome.offsets, node.start),
  );
  return { outcome, views };
}

/**
 * A string with the same text that does not point into `text`'s parent: flattening a concatenation copies it
 * (the slice after it points into that copy, which is as long as the piece).
 */
function ownCopy(text: string): string {
  return `${text} `.slice(0, -1);
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

// ---- reuse of the previous analysis (see the top of this file) ----

function farthestReach(queries: readonly ContextQuery[]): CheckedStatement['reach'] {
  let reach: CheckedStatement['reach'] = 'context';
  for (const q of queries) {
    const r = QUERY_REACH[q.query];
    if (r === 'anywhere') return r;
    if (r === 'later') reach = r;
  }
  return reach;
}

/** Same statement: the same parsed view (views are cached by text), or the same unanalyzable text. */
function sameSlot(a: Slot, b: Slot): boolean {
  if (a.view || b.view) return a.view === b.view;
  return a.statement.kind === b.statement.kind && a.statement.text === b.statement.text;
}

function issuesByStatement(plan: TransactionPlan): Map<number, TransactionIssueKind[]> {
  const out = new Map<number, TransactionIssueKind[]>();
  for (const issue of plan.issues) out.set(issue.statement, [...(out.get(issue.statement) ?? []), issue.kind]);
  return out;
}

/** Compares what two plans say about a statement (`oi` in the older, `ni` in the newer; indexes moved by `delta`). */
class PlanComparer {
  private readonly oldIssues: Map<number, TransactionIssueKind[]>;
  private readonly newIssues: Map<number, TransactionIssueKind[]>;
  /** By delta, then by the pair of transaction ids (as one number). */
  private readonly memo = new Map<number, Map<number, boolean>>();

  constructor(
    private readonly older: TransactionPlan,
    private readonly newer: TransactionPlan,
  ) {
    this.oldIssues = issuesByStatement(older);
    this.newIssues = issuesByStatement(newer);
  }

  same(oi: number, ni: number, delta: number): boolean {
    const a = this.older.statements[oi];
    const b = this.newer.statements[ni];
    if (!a || !b) return false;
    if (a.inTransaction !== b.inTransaction || a.source !== b.source || a.section !== b.section) return false;
    if (this.oldIssues.size > 0 || this.newIssues.size > 0) {
      const oldIssues = this.oldIssues.get(oi);
      const newIssues = this.newIssues.get(ni);
      if ((oldIssues !== undefined || newIssues !== undefined) && (oldIssues ?? []).join() !== (newIssues ?? []).join()) return false;
    }
    // Asked for nearly every statement of the file on every edit: no key string per statement.
    let memo = this.memo.get(delta);
    if (!memo) this.memo.set(delta, (memo = new Map()));
    const memoKey = a.id * 2 ** 26 + b.id;
    let same = memo.get(memoKey);
    if (same === undefined) {
      const ta = this.older.transactions[a.id];
      const tb = this.newer.transactions[b.id];
      same =
        ta === undefined || tb === undefined
          ? ta === tb
          : ta.end === tb.end &&
            ta.why === tb.why &&
            ta.source === tb.source &&
            ta.section === tb.section &&
            ta.statements.length === tb.statements.length &&
            ta.statements.every((x, k) => x + delta === tb.statements[k]);
      memo.set(memoKey, same);
    }
    return same;
  }
}

/**
 * The reuse plan against the previous analysis or, when its edited statements do something else than there but the
 * same as in an anchor (see Anchor), against that anchor: the walk then converges right after them.
 */
function chooseReuse(prev: PreviousAnalysis, anchors: ReadonlyArray<PreviousAnalysis | undefined>, slots: Slot[], plan: TransactionPlan): Reuse | undefined {
  let best = planReuse(prev, slots, plan);
  if (!best || best.start === slots.length) return best;
  let bestCost = changeCost(best, slots);
  for (let k = anchors.length - 1; k >= 0 && bestCost > 0; k--) {
    const anchor = anchors[k];
    const candidate = anchor && planReuse(anchor, slots, plan);
    if (!candidate) continue;
    const cost = candidate.start === slots.length ? -1 : changeCost(candidate, slots);
    if (cost < bestCost) {
      best = candidate;
      bestCost = cost;
    }
  }
  return best;
}

/** Edited statements that do something else than the statement at their place in `reuse.prev` (0: none does). */
function changeCost(reuse: Reuse, slots: Slot[]): number {
  const old = reuse.prev.slots;
  const oldLength = reuse.oldSuffixStart - reuse.firstChanged;
  const newLength = reuse.suffixStart - reuse.firstChanged;
  let cost = 0;
  for (let k = 0; k < Math.max(oldLength, newLength); k++) {
    const a = k < oldLength ? old[reuse.firstChanged + k] : undefined;
    const b = k < newLength ? slots[reuse.firstChanged + k] : undefined;
    if (!a || !b || !sameContent(a, b)) cost++;
  }
  return cost;
}

/** Same parse tree but for locations, or both not analyzed for the same reason (neither changes the schema). */
function sameContent(a: Slot, b: Slot): boolean {
  if (a.view && b.view) return a.view.kind === b.view.kind && a.view.contentHash() === b.view.contentHash();
  return !a.view && !b.view && a.statement.kind === b.statement.kind;
}

function planReuse(prev: PreviousAnalysis, slots: Slot[], plan: TransactionPlan): Reuse | undefined {
  if (prev.anywhere || prev.plan.runner.label !== plan.runner.label) return undefined;
  const old = prev.slots;
  const nOld = old.length;
  const nNew = slots.length;
  const m = Math.min(nOld, nNew);
  const plans = new PlanComparer(prev.plan, plan);
  let p = 0;
  while (p < m && sameSlot(old[p]!, slots[p]!) && plans.same(p, p, 0)) p++;
  let s = 0;
  while (s < m - p && sameSlot(old[nOld - 1 - s]!, slots[nNew - 1 - s]!)) s++;
  const delta = nNew - nOld;
  const suffixStart = nNew - s;
  const oldSuffixStart = nOld - s;
  // The plan must say the same about every statement from the convergence point on.
  let convergeFrom = suffixStart + 1;
  let suffixPlanSame = true;
  for (let j = nNew - 1; j >= suffixStart; j--) {
    if (!plans.same(j - delta, j, delta)) {
      convergeFrom = Math.max(convergeFrom, j + 1);
      suffixPlanSame = false;
      break;
    }
  }
  const identical = p === nOld && p === nNew;
  let limit = p;
  // Results that looked at later statements hold only if the edit cannot change what they saw.
  if (!identical) {
    const changedIn = (list: Slot[], from: number, to: number, inPlan: TransactionPlan): ChangedStatement[] =>
      list.slice(from, to).map((x, k) => ({ ast: x.statement.ast, text: x.statement.text, section: inPlan.statements[from + k]?.section }));
    const affected = laterQueryCheck(changedIn(old, p, oldSuffixStart, prev.plan), changedIn(slots, p, suffixStart, plan));
    for (let i = 0; i < limit; i++) {
      const checked = prev.results[i]?.checked;
      if (checked === undefined || checked.reach === 'context') continue;
      if (checked.queries.some((q) => QUERY_REACH[q.query] === 'later' && (!suffixPlanSame || affected(q)))) {
        limit = i;
        break;
      }
    }
  }
  if (identical) return { prev, start: nNew, checkpoint: undefined, firstChanged: p, suffixStart, oldSuffixStart, convergeFrom, delta, keepBefore: nNew };
  let checkpoint: FileCheckpoint | undefined;
  for (const c of prev.checkpoints) if (c.index <= limit) checkpoint = c;
  // A statement of the edited transaction asked about its later members (the edited ones among them).
  const keepBefore = Math.min(limit, transactionStart(plan, p), transactionStart(prev.plan, p));
  return { prev, start: checkpoint?.index ?? 0, checkpoint, firstChanged: p, suffixStart, oldSuffixStart, convergeFrom, delta, keepBefore };
}

/** The first statement of the transaction statement `i` runs in (`i` itself past the end of the plan). */
function transactionStart(plan: TransactionPlan, i: number): number {
  const statement = plan.statements[i];
  return statement ? Math.min(i, plan.transactions[statement.id]?.statements[0] ?? i) : i;
}

/** Maps a statement index of the previous analysis to this one's (-1: the statement is gone or was edited). */
function statementRemap(reuse: Reuse): (index: number) => number {
  return (x) => (x < reuse.firstChanged ? x : x >= reuse.oldSuffixStart ? x + reuse.delta : -1);
}

/** At statement `i` (a transaction start in the common suffix) the state is the one the previous analysis had. */
function converges(reuse: Reuse, i: number, state: BoundaryState, previousResult: StatementResult | undefined): boolean {
  const j = i - reuse.delta;
  const old = reuse.prev.boundaries[j];
  if (!old || old.chain !== state.chain || old.section !== state.section || old.flags !== state.flags) return false;
  const remap = statementRemap(reuse);
  for (let k = 0; k < state.settings.length; k++) {
    const a = old.settings[k];
    const b = state.settings[k];
    if (a === undefined || b === undefined) {
      if (a !== b) return false;
    } else if (a.text !== b.text || a.scope !== b.scope || remap(a.statement) !== b.statement) return false;
  }
  // The next statement's "previous statement" is the same, effect included.
  return reuse.prev.results[j - 1]?.checked.effect === previousResult?.checked.effect;
}

function remapBoundary(b: BoundaryState, remap: (index: number) => number): BoundaryState | undefined {
  if (b.settings.every((v) => v === undefined)) return b;
  const settings = b.settings.map((v) => (v ? { ...v, statement: remap(v.statement) } : undefined));
  return settings.some((v) => v !== undefined && v.statement < 0) ? undefined : { ...b, settings };
}

function remapCheckpoint(c: FileCheckpoint, delta: number, remap: (index: number) => number): FileCheckpoint | undefined {
  let lost = false;
  const tracker = c.tracker.clone((x) => {
    const y = remap(x);
    if (y < 0) lost = true;
    return y;
  });
  return lost ? undefined : { ...c, index: c.index + delta, tracker };
}

/** For each statement, the first statement of any transaction of it or a later one: a checkpoint at i needs ≥ i. */
function transactionStartsFrom(plan: TransactionPlan): number[] {
  const n = plan.statements.length;
  const out = new Array<number>(n);
  let min = Number.POSITIVE_INFINITY;
  for (let i = n - 1; i >= 0; i--) {
    const id = plan.statements[i]!.id;
    min = Math.min(min, plan.transactions[id]?.statements[0] ?? i);
    out[i] = min;
  }
  return out;
}

/** A statement before a checkpoint as the FileContext would have recorded it. */
function pastStatement(slot: Slot, result: StatementResult | undefined, transaction: number): PastStatement {
  const view = slot.view;
  if (!view || !result) return { kind: slot.statement.kind, text: slot.statement.text, transaction };
  return { kind: view.kind, text: view.text, ast: view.ast, effect: result.checked.effect, transaction };
}
