/**
 * The schema a migration runs against, built statically: the migrations that run before it, replayed into the
 * catalog in framework order (see migrations/ordering.ts for the order). Pure: callers read the files.
 */
import { Catalog, hashString } from './catalog';
import { splitStatements } from './split/splitter';
import { parseStatementText } from './parse/parser';
import { migrationSections } from './migrations/sections';

export interface MigrationSource {
  /** Identifies the file in catalog origins (its path, for messages). */
  path: string;
  text: string;
}

/**
 * Replays the statements of `sources`, in the given order, into a copy of `base` (or an empty catalog).
 * Statements that do not parse are skipped: the schema they would have changed stays as it was.
 */
export function replayMigrations(sources: readonly MigrationSource[], base?: Catalog): Catalog {
  const catalog = base ? base.clone() : new Catalog();
  for (const source of sources) {
    let index = 0;
    // goose and dbmate keep up and down in one file: only the up section changes the schema going forward.
    const [upStart, upEnd] = migrationSections(source.text).up;
    for (const piece of splitStatements(source.text.slice(upStart, upEnd))) {
      if (piece.kind !== 'sql' || piece.templates.length > 0) {
        index++;
        continue;
      }
      const text = source.text.slice(upStart + piece.start, upStart + piece.end);
      const outcome = parseStatementText(text);
      if (!outcome.ok) {
        index++;
        continue;
      }
      for (const node of outcome.nodes) {
        catalog.apply(node.ast, { file: source.path, statement: index++, textHash: hashString(text.slice(node.start, node.end)) });
      }
    }
    catalog.endTransaction();
  }
  return catalog;
}
