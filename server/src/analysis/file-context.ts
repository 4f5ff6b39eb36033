/**
 * What earlier statements of the same file (and, later, earlier migrations) tell us about the statement being
 * checked. Rules read it; the analyzer feeds it statement by statement and keys its cache by `contextKey`.
 */
import type { AnalysisOptions } from './types';
import type { StatementView } from './statement-view';
import { referencedRelationNames, createdRelationNames, qualifiedName } from './relations';
import type { RangeVar } from '@pgsql/types';

export class FileContext {
  /** Relations created earlier in this file → index of the creating statement. */
  private readonly created = new Map<string, number>();

  constructor(readonly options: AnalysisOptions) {}

  /** True when the relation was created by an earlier statement of this file (so it is new and empty). */
  createdInFile(relation: RangeVar | string | undefined): boolean {
    if (!relation) return false;
    const name = typeof relation === 'string' ? relation : qualifiedName(relation);
    return this.created.has(name);
  }

  /** A string that changes iff the context facts about the relations this statement names change. */
  contextKey(view: StatementView): string {
    return referencedRelationNames(view.ast)
      .map((name) => `${name}:${this.created.get(name) ?? '-'}`)
      .join(',');
  }

  apply(view: StatementView, statementIndex: number): void {
    for (const name of createdRelationNames(view.ast)) this.created.set(name, statementIndex);
  }
}
