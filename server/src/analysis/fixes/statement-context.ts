/**
 * The context a recipe sees: the statement (as a StatementView, for token ranges and AST locations) and the
 * schema right before it — the earlier migrations (`base`) plus the statements before it in this document.
 */
import type { Node } from '@pgsql/types';
import type { AnalysisOptions, Statement } from '../types';
import type { Catalog } from '../catalog';
import { parseStatementText } from '../parse/parser';
import { StatementView } from '../statement-view';
import { FileContext } from '../file-context';
import { ByteOffsetMap } from '../text/encoding';

/** A view of one analyzed statement, parsed on its own text (locations are relative to `statement.text`). */
export function viewOf(statement: Statement): StatementView | undefined {
  if (!statement.ast) return undefined;
  const outcome = parseStatementText(statement.text);
  if (!outcome.ok || outcome.nodes.length !== 1) return undefined;
  const node = outcome.nodes[0]!;
  return new StatementView(statement.text.slice(node.start, node.end), node.kind, node.ast, outcome.offsets, node.start);
}

/**
 * File contexts right before each statement: `base` plus the parsed statements before it (only those in
 * [upStart, upEnd), so a goose/dbmate down section never counts). Asking in file order replays each statement
 * once — what fixAll and a code-action request over a range do — so a whole file costs one replay, not one per
 * statement. Recipes only read the context (they replay on clones), so handing out the live one is safe until
 * the next call.
 */
export class ContextWalker {
  private file: FileContext | undefined;
  private next = 0;

  constructor(
    private readonly statements: readonly Statement[],
    private readonly options: AnalysisOptions,
    private readonly base: Catalog | undefined,
    private readonly up: [number, number],
  ) {}

  before(index: number): FileContext {
    if (!this.file || index < this.next) {
      this.file = new FileContext(this.options, this.base);
      this.next = 0;
    }
    for (; this.next < index; this.next++) {
      const statement = this.statements[this.next]!;
      if (!statement.ast || statement.start < this.up[0] || statement.end > this.up[1]) continue;
      this.file.apply(astView(statement), statement.index);
    }
    return this.file;
  }
}

/**
 * Earlier statements are only replayed into the catalog (which reads the AST and the text), so they are not parsed
 * again; their AST locations are relative to the analyzer's piece, not to this view, and are never read.
 */
function astView(statement: Statement): StatementView {
  return new StatementView(statement.text, statement.kind, statement.ast as Node, new ByteOffsetMap(statement.text), 0);
}
