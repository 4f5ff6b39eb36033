/**
 * The fix engine: for a statement (or a finding), the fixes Lockstep offers — recipes that split a risky change
 * into safe phases, "ignore" comments — and the merged mechanical fixes of `source.fixAll.lockstep`. Pure: text,
 * analysis and paths in; text edits and new files out (see types.ts). Callers read and write files.
 */
import type { Finding, Statement } from '../types';
import { asNode } from '../node-kinds';
import { ContextWalker, viewOf } from './statement-context';
import { layoutOf, type Layout, type LayoutInput } from './layout';
import { place } from './plan';
import type { Recipe, RecipeContext } from './recipe';
import { keywordCaseOf } from './sql-text';
import { DEFAULT_FIX_POLICY, type BlockedFix, type Fix, type FixInput, type FixPolicy, type TextEdit } from './types';
import { ignoreFixes } from './ignore';
import { recipes } from './recipes';

export type { BlockedFix, Fix, FileEdit, FixInput, FixPolicy, NewFile, TextEdit } from './types';
export { DEFAULT_FIX_POLICY } from './types';

const layouts = new WeakMap<FixInput, Layout>();
const walkers = new WeakMap<FixInput, ContextWalker>();
/**
 * Per input, built once: the findings by statement and the up part's SET / RESET statements. An editor asks for
 * the fixes of every statement in a selected range, and fixAll for all of them: scanning every finding and every
 * statement per fix made that quadratic (20,000 statements: seconds of blocked server).
 */
const findingIndexes = new WeakMap<FixInput, Map<number, Finding[]>>();
/** SET / RESET statements within the up part, by index ascending, as settingsBefore reports them. */
const settingIndexes = new WeakMap<FixInput, Array<{ index: number; text: string; local: boolean }>>();

/** The findings of each statement, in the analysis's order. */
function findingsByStatement(input: FixInput): Map<number, Finding[]> {
  let findings = findingIndexes.get(input);
  if (!findings) {
    findings = new Map();
    for (const f of input.analysis.findings) {
      const list = findings.get(f.statement);
      if (list) list.push(f);
      else findings.set(f.statement, [f]);
    }
    findingIndexes.set(input, findings);
  }
  return findings;
}

function settingStatements(input: FixInput, layout: Layout): Array<{ index: number; text: string; local: boolean }> {
  let settings = settingIndexes.get(input);
  if (!settings) {
    settings = [];
    for (const s of input.analysis.statements) {
      if (s.start < layout.up[0] || s.end > layout.up[1]) continue;
      const set = asNode(s.ast, 'VariableSetStmt');
      // SET TRANSACTION … belongs to the transaction it was written in.
      if (!set || set.kind === 'VAR_SET_MULTI') continue;
      settings.push({ index: s.index, text: s.text, local: set.is_local === true });
    }
    settings.sort((a, b) => a.index - b.index);
    settingIndexes.set(input, settings);
  }
  return settings;
}

function layoutFor(input: FixInput): Layout {
  let layout = layouts.get(input);
  if (!layout) {
    layout = layoutOf({ text: input.text, ...pathFields(input), statements: input.analysis.statements });
    layouts.set(input, layout);
  }
  return layout;
}

function pathFields(input: FixInput): Pick<LayoutInput, 'path' | 'siblings' | 'run' | 'placeAfter' | 'sqitchPlan' | 'now'> {
  const path = input.path ?? input.options.migration?.path;
  return {
    ...(input.sqitchPlan ? { sqitchPlan: input.sqitchPlan } : {}),
    ...(input.now ? { now: input.now } : {}),
    ...(input.options.migration ? { run: input.options.migration } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(input.siblings ? { siblings: input.siblings } : {}),
    ...(input.placeAfter !== undefined ? { placeAfter: input.placeAfter } : {}),
  };
}

function documentName(input: FixInput): string {
  const path = input.path ?? input.options.migration?.path;
  if (path === undefined) return 'this file';
  const parts = path.split(/[\\/]/);
  const base = parts[parts.length - 1]!;
  // diesel and Prisma: the version folder names the migration.
  return base === 'up.sql' || base === 'migration.sql' ? `${parts[parts.length - 2]}/${base}` : base;
}

/** The recipe fixes for one statement, preferred first. */
export function fixesForStatement(input: FixInput, statementIndex: number): Fix[] {
  const statement = input.analysis.statements[statementIndex];
  if (!statement?.ast) return [];
  const hasFindings = findingsByStatement(input).has(statementIndex);
  // Recipes for every kind (timeouts) act on findings only: a statement without any needs no context built.
  const applicable = recipes.filter((r) => (r.kinds === 'all' ? hasFindings : r.kinds.includes(statement.kind)));
  if (applicable.length === 0) return [];
  const context = recipeContext(input, statement);
  if (!context) return [];
  const fixes: Fix[] = [];
  for (const recipe of applicable) {
    fixes.push(...(recipe.direct?.(context) ?? []));
    for (const plan of recipe.plans(context)) {
      fixes.push(
        place(plan, {
          text: input.text,
          statements: input.analysis.statements,
          statement,
          layout: context.layout,
          documentName: documentName(input),
          relationsOf: (s) => (s.ast ? context.file.catalog.referencedRelations(s.ast) : []),
          settings: settingsBefore(input, statement, context.layout),
        }),
      );
    }
  }
  return fixes.sort((a, b) => Number(b.preferred) - Number(a.preferred));
}

/** The fixes recipes refuse to offer for a statement, with their reasons (see BlockedFix). */
export function blockedFixesForStatement(input: FixInput, statementIndex: number): BlockedFix[] {
  const statement = input.analysis.statements[statementIndex];
  if (!statement?.ast) return [];
  const applicable = recipes.filter((r) => r.blockers && r.kinds !== 'all' && r.kinds.includes(statement.kind));
  if (applicable.length === 0) return [];
  const context = recipeContext(input, statement);
  if (!context) return [];
  return applicable.flatMap((r) => r.blockers!(context).map((b) => ({ recipe: r.id, statement: statementIndex, ...b })));
}

/** Blocked fixes for one finding: those that would have resolved its rule. */
export function blockedFixesForFinding(input: FixInput, finding: Finding): BlockedFix[] {
  return blockedFixesForStatement(input, finding.statement).filter((b) => b.resolves.includes(finding.rule));
}

/** Fixes for one finding: the recipes that resolve its rule, then "ignore" comments. */
export function fixesForFinding(input: FixInput, finding: Finding): Fix[] {
  const recipeFixes = fixesForStatement(input, finding.statement).filter((f) => f.resolves.includes(finding.rule));
  return [...recipeFixes, ...ignoreFixes(input, finding)];
}

/**
 * `source.fixAll.lockstep`: every mechanical, always-safe fix of the document that stays within it, merged; of
 * fixes whose edits would overlap, the first wins.
 */
export function fixAllEdits(input: FixInput): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const statement of input.analysis.statements) {
    const safe = fixesForStatement(input, statement.index).filter((f) => f.fixAll && f.files.length === 0);
    // A fix that changes the statement itself (CONCURRENTLY) comes first; a timeout SET in front of it would
    // turn a one-statement file into an implicit transaction block, and its finding goes away with the lock.
    const changing = safe.filter((f) => f.recipe !== 'set-timeout');
    for (const fix of changing.length > 0 ? changing : safe) {
      if (fix.edits.some((e) => edits.some((o) => e.start < o.end && o.start < e.end))) continue;
      edits.push(...fix.edits);
    }
  }
  return edits.sort((a, b) => a.start - b.start);
}

/** SET / RESET statements of the up part before `statement`, in order. */
function settingsBefore(input: FixInput, statement: Statement, layout: Layout): Array<{ text: string; local: boolean }> {
  const out: Array<{ text: string; local: boolean }> = [];
  for (const s of settingStatements(input, layout)) {
    if (s.index >= statement.index) break;
    out.push({ text: s.text, local: s.local });
  }
  return out;
}

function walkerFor(input: FixInput, layout: Layout): ContextWalker {
  let walker = walkers.get(input);
  if (!walker) {
    walker = new ContextWalker(input.analysis.statements, input.options, input.base, layout.up);
    walkers.set(input, walker);
  }
  return walker;
}

function recipeContext(input: FixInput, statement: Statement): RecipeContext | undefined {
  const view = viewOf(statement);
  if (!view) return undefined;
  const layout = layoutFor(input);
  return {
    input,
    statement,
    view,
    file: walkerFor(input, layout).before(statement.index),
    layout,
    policy: policyOf(input),
    findings: [...(findingsByStatement(input).get(statement.index) ?? [])],
    keywordCase: keywordCaseOf(view),
    pgVersion: input.options.pgVersion,
  };
}

/** The fix policy: explicit values, else lockstep.json's lock_timeout limit, else the defaults. */
function policyOf(input: FixInput): FixPolicy {
  const limit = input.options.project?.lockTimeoutMs;
  const fromProject: Partial<FixPolicy> = limit !== undefined ? { lockTimeout: limit % 1000 === 0 ? `${limit / 1000}s` : `${limit}ms` } : {};
  return { ...DEFAULT_FIX_POLICY, ...fromProject, ...input.policy };
}

/** Applies edits to a text (for the CLI and tests; the editor applies them itself). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

export type { Recipe };
