import type { AlterTableCmd, AlterTableStmt } from '@pgsql/types';
import { asNode } from '../node-kinds';
import type { StatementView } from '../statement-view';
import type { RuleContext } from './rule';

export interface ClauseRange {
  start: number;
  end: number;
}

/**
 * The text range of each subcommand of an ALTER TABLE (`ADD COLUMN …`, `ALTER COLUMN … SET NOT NULL`), in the
 * order of `stmt.cmds`, so a finding can underline the risky clause instead of the whole statement.
 *
 * AlterTableCmd nodes carry no location. The grammar (alter_table_cmds in gram.y) separates subcommands with
 * commas that sit outside any parentheses or brackets, so the k-th such piece after the table name is cmds[k].
 * Returns undefined when the pieces do not line up with the commands (the caller then uses the statement).
 */
export function alterTableClauseRanges(view: StatementView, stmt: AlterTableStmt): ClauseRange[] | undefined {
  // A dozen rules ask for the same ALTER TABLE's clauses; the answer depends only on the text and the AST, so
  // it is worked out once per AST (each walk filters every token of the statement).
  let cached = byStatement.get(stmt);
  if (!cached) byStatement.set(stmt, (cached = { ranges: computeClauseRanges(view, stmt) }));
  return cached.ranges;
}

/** One subcommand of an ALTER TABLE (`cmds[index]`) and the text it was written as. */
export interface AlterTableClause {
  cmd: AlterTableCmd;
  index: number;
  /**
   * The clause's range in the statement, undefined when the pieces do not line up with the commands. Worked out on
   * first read: the token walk costs a scanner run over the statement, and most subcommands a rule looks at are
   * not reported, so only a rule that reports pays for it (once per statement, shared by all rules).
   */
  readonly range: ClauseRange | undefined;
}

/** The subcommands of an ALTER TABLE in order, each with its clause range (see AlterTableClause.range). */
export function* alterTableClauses(view: StatementView, stmt: AlterTableStmt): Generator<AlterTableClause> {
  const cmds = stmt.cmds ?? [];
  for (let index = 0; index < cmds.length; index++) {
    const cmd = asNode(cmds[index], 'AlterTableCmd');
    if (!cmd) continue;
    yield {
      cmd,
      index,
      get range() {
        return alterTableClauseRanges(view, stmt)?.[index];
      },
    };
  }
}

const byStatement = new WeakMap<AlterTableStmt, { ranges: ClauseRange[] | undefined }>();

function computeClauseRanges(view: StatementView, stmt: AlterTableStmt): ClauseRange[] | undefined {
  const tokens = view.tokens().filter((t) => t.name !== 'SQL_COMMENT' && t.name !== 'C_COMMENT');
  const relationStart = view.offsetOfLocation(stmt.relation?.location);
  if (relationStart === undefined) return undefined;
  let i = tokens.findIndex((t) => t.start >= relationStart);
  if (i < 0) return undefined;
  // Skip the (possibly schema-qualified) table name: name [. name].
  i++;
  while (tokens[i]?.text === '.' && i + 1 < tokens.length) i += 2;

  const clauses: ClauseRange[] = [];
  let depth = 0;
  let first = i;
  for (; i <= tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined || (depth === 0 && token.text === ',')) {
      if (first < i) clauses.push({ start: tokens[first]!.start, end: tokens[i - 1]!.end });
      first = i + 1;
      continue;
    }
    if (token.text === '(' || token.text === '[') depth++;
    else if (token.text === ')' || token.text === ']') depth = Math.max(0, depth - 1);
  }
  return clauses.length === (stmt.cmds?.length ?? 0) ? clauses : undefined;
}

/**
 * The table an ALTER TABLE changes, resolved as the lock model resolves it (search_path), when it existed before
 * this file; undefined for ALTER INDEX/VIEW/… and for a table this file created (new and empty: its changes
 * block nobody), which the rules about existing tables leave alone.
 */
export function existingAlteredTable(context: Pick<RuleContext, 'file'>, stmt: AlterTableStmt): string | undefined {
  if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return undefined;
  if (context.file.createdInFile(stmt.relation)) return undefined;
  return context.file.schema.resolve(stmt.relation);
}
