import type { Finding, Statement } from '../types';
import type { StatementView } from '../statement-view';
import type { FileContext } from '../file-context';
import type { Fix, FixInput, FixPolicy } from './types';
import type { Layout } from './layout';
import type { RecipePlan } from './plan';
import type { KeywordCase } from './sql-text';

/** What a recipe sees of one statement. */
export interface RecipeContext {
  input: FixInput;
  statement: Statement;
  view: StatementView;
  /** The schema and settings right before the statement. */
  file: FileContext;
  layout: Layout;
  policy: FixPolicy;
  /** Findings on this statement. */
  findings: readonly Finding[];
  keywordCase: KeywordCase;
  pgVersion: number;
}

/**
 * A recipe turns one kind of risky statement into safe phases. It decides WHAT must run and in which transaction
 * mode; plan.ts decides WHERE (in place, new files) from the runner's layout.
 */
export interface Recipe {
  id: string;
  /** Statement kinds (libpg-query node names) it looks at, or 'all'. */
  kinds: readonly string[] | 'all';
  plans(context: RecipeContext): RecipePlan[];
  /** Fixes that are plain edits around the statement (no phases), built by the recipe itself. */
  direct?(context: RecipeContext): Fix[];
  /**
   * Why the recipe offers nothing for a statement it would otherwise fix (a column an index or a view depends on,
   * an identity column…): each reason names the object and what the recipe cannot do with it. Empty when it does
   * offer its fix or the statement is not its business.
   */
  blockers?(context: RecipeContext): RecipeBlocker[];
}

export interface RecipeBlocker {
  /** What the fix would have done. */
  title: string;
  /** Rule ids the fix would have resolved. */
  resolves: string[];
  reasons: string[];
}
