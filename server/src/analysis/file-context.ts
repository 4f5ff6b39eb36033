/**
 * What the schema and the earlier statements tell us about the statement being analyzed: the static catalog
 * (earlier migrations, then earlier statements of this file), the session settings the file sets, and the lock
 * model's answer for the statement. Rules read it; the analyzer feeds it statement by statement and keys its
 * cache by `contextKey`.
 */
import type { Node, RangeVar } from '@pgsql/types';
import type { AnalysisOptions } from './types';
import type { StatementView } from './statement-view';
import { Catalog, hashString } from './catalog';
import { catalogFunctionVolatility, catalogSchemaLookup } from './catalog/schema-lookup';
import type { SchemaLookup, SessionSettings } from './lockmodel/schema';
import type { FunctionVolatilityLookup } from './pgfacts/volatility';
import { statementEffect, type StatementEffect } from './lockmodel/model';
import { asNode } from './node-kinds';

/** Identifies this file's own statements in the catalog's origins. */
const THIS_FILE = '\u0000current-file';

export class FileContext {
  readonly catalog: Catalog;
  readonly schema: SchemaLookup;
  readonly functionVolatility: FunctionVolatilityLookup;
  readonly settings: SessionSettings = {};

  /** @param base the schema the migrations before this file produce; it is cloned, never changed. */
  constructor(
    readonly options: AnalysisOptions,
    base?: Catalog,
  ) {
    this.catalog = base ? base.clone() : new Catalog();
    this.schema = catalogSchemaLookup(this.catalog, { file: THIS_FILE, transactionStart: 0 });
    this.functionVolatility = catalogFunctionVolatility(this.catalog);
  }

  /** True when the relation was created by an earlier statement of this file (so it is new and empty). */
  createdInFile(relation: RangeVar | string | undefined): boolean {
    if (!relation) return false;
    return this.catalog.createdBy(this.nameOf(relation))?.file === THIS_FILE;
  }

  /**
   * True when a validated constraint proves `column` has no NULLs — CHECK (column IS NOT NULL) added without NOT
   * VALID or validated since, or (PostgreSQL 18) a NOT NULL constraint — so SET NOT NULL skips its scan (PG ≥ 12).
   */
  hasValidatedNotNullCheck(relation: RangeVar | string, column: string): boolean {
    return this.schema.hasValidatedNotNullCheck(this.nameOf(relation), column);
  }

  /** What the lock model says this statement does, in the current context. */
  effect(view: StatementView): StatementEffect {
    return statementEffect(view.ast, { schema: this.schema, settings: this.settings, pgVersion: this.options.pgVersion });
  }

  /**
   * A string that changes iff the context facts about what this statement names change (catalog revisions of
   * those relations and types, the session settings), so unrelated edits keep cached results valid.
   */
  contextKey(view: StatementView): string {
    const names = this.catalog.referencedRelations(view.ast);
    return `${this.catalog.digestOf(names)}|tz=${this.settings.timeZone ?? ''}`;
  }

  apply(view: StatementView, statementIndex: number): void {
    this.catalog.apply(view.ast, { file: THIS_FILE, statement: statementIndex, textHash: hashString(view.text) });
    this.trackSettings(view.ast);
  }

  private nameOf(relation: RangeVar | string): string {
    return typeof relation === 'string' ? relation : this.schema.resolve(relation);
  }

  /** SET [LOCAL|SESSION] TimeZone changes what timestamp → timestamptz does (see the lock model). */
  private trackSettings(ast: Node): void {
    const set = asNode(ast, 'VariableSetStmt');
    if (!set || set.name?.toLowerCase() !== 'timezone') return;
    if (set.kind === 'VAR_SET_VALUE') {
      const arg = asNode(set.args?.[0], 'A_Const');
      const value = arg?.sval?.sval;
      if (value !== undefined) this.settings.timeZone = value;
    } else if (set.kind === 'VAR_SET_DEFAULT' || set.kind === 'VAR_RESET') {
      delete this.settings.timeZone;
    }
  }
}
