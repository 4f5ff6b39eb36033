/**
 * Missing lock_timeout / statement_timeout → `SET [LOCAL] <setting> = '<policy value>'` right before the statement
 * the finding is about, where it takes effect for it and what follows:
 * - inside a transaction block (the runner's, an explicit BEGIN, or a multi-statement query) SET LOCAL, which ends
 *   with that transaction instead of leaking into the rest of the session (a runner's pooled connection);
 * - a statement the runner sends alone (a one-statement golang-migrate file) becomes part of a two-statement
 *   query, which PostgreSQL runs as one implicit transaction block: SET LOCAL too — unless the statement refuses
 *   a transaction block, which then gets no fix;
 * - statement by statement (psql, goose NO TRANSACTION): SET, for the rest of the session.
 * The value is lockstep.json's lockTimeout / statementTimeout when set, else 2s for lock_timeout and 5min for
 * statement_timeout (what the rules suggest). Mechanical and always safe: part of source.fixAll.lockstep.
 */
import type { Recipe, RecipeContext } from '../recipe';
import type { Fix } from '../types';
import { inCase, literal } from '../sql-text';
import { lineStartOf } from '../plan';

const RECIPE_ID = 'set-timeout';

const RULES: Record<string, 'lock_timeout' | 'statement_timeout'> = {
  'missing-lock-timeout': 'lock_timeout',
  'missing-statement-timeout': 'statement_timeout',
};

export const setTimeouts: Recipe = {
  id: RECIPE_ID,
  kinds: 'all',
  plans: () => [],
  direct(ctx) {
    const fixes: Fix[] = [];
    for (const finding of ctx.findings) {
      const setting = RULES[finding.rule];
      if (!setting) continue;
      const fix = setBefore(ctx, setting, finding.rule);
      if (fix) fixes.push(fix);
    }
    return fixes;
  },
};

function valueFor(ctx: RecipeContext, setting: 'lock_timeout' | 'statement_timeout'): string {
  if (setting === 'lock_timeout') return ctx.policy.lockTimeout;
  const ms = ctx.input.options.project?.statementTimeoutMs;
  return ms === undefined ? '5min' : ms % 60_000 === 0 ? `${ms / 60_000}min` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function setBefore(ctx: RecipeContext, setting: 'lock_timeout' | 'statement_timeout', rule: string): Fix | undefined {
  const mode = ctx.layout.modes[ctx.statement.index] ?? 'transaction';
  if (mode === 'single-statement' && ctx.statement.effect?.transaction === 'forbidden') return undefined;
  const local = mode !== 'statements';
  const text = ctx.input.text;
  const lineStart = lineStartOf(text, ctx.statement.start);
  const indent = text.slice(lineStart, ctx.statement.start);
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const set = inCase(`SET ${local ? 'LOCAL ' : ''}${setting} = ${literal(valueFor(ctx, setting))};`, ctx.keywordCase);
  // Before the statement itself; at a line start when it has one, so its comments stay attached to it.
  const at = lineStart === ctx.statement.start || /^[ \t]*$/.test(indent) ? lineStart : ctx.statement.start;
  const edit = { start: at, end: at, newText: at === lineStart ? `${indent}${set}${nl}` : `${set} ` };
  return {
    recipe: RECIPE_ID,
    title: `Set ${setting} to ${valueFor(ctx, setting)} before this statement${local ? ' (SET LOCAL: for this transaction)' : ''}`,
    resolves: [rule],
    statement: ctx.statement.index,
    preferred: true,
    fixAll: true,
    edits: [edit],
    files: [],
    fallbackEdits: [edit],
    notes: [],
  };
}
