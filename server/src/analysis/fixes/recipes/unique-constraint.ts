/**
 * ADD CONSTRAINT … UNIQUE / PRIMARY KEY → build the unique index concurrently, then attach it with
 * `ADD CONSTRAINT … USING INDEX`.
 *
 * Why: adding a UNIQUE or PRIMARY KEY constraint builds its index while holding a lock that blocks writes (and
 * the ALTER TABLE's own AccessExclusiveLock blocks reads). `CREATE UNIQUE INDEX CONCURRENTLY` builds the same index
 * under ShareUpdateExclusiveLock; `ADD CONSTRAINT name UNIQUE|PRIMARY KEY USING INDEX idx` then only records it
 * (docs: ALTER TABLE, "ADD table_constraint_using_index"). The index is given the constraint's name, which is also
 * what the original would have named it. A PRIMARY KEY also makes its columns NOT NULL: on nullable columns
 * USING INDEX would scan for NULLs under AccessExclusiveLock, so the NOT NULL sequence (set-not-null.ts) comes
 * first.
 */
import type { AlterTableStmt, Constraint } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { qualify } from '../../names';
import { parseQualifiedName } from '../../catalog/names';
import { alterTableClauseRanges } from '../../rules/alter-table-clauses';
import type { Recipe, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { applyEdits, ident, inCase, relationText, slug } from '../sql-text';
import { concurrentIndexPhase } from './create-index';
import { lockTimeoutFirst, notNullSequence } from './set-not-null';

export const uniqueViaIndex: Recipe = {
  id: 'unique-via-concurrent-index',
  kinds: ['AlterTableStmt'],
  plans(ctx) {
    const stmt = asNode(ctx.statement.ast, 'AlterTableStmt');
    if (!stmt?.relation || stmt.objtype !== 'OBJECT_TABLE') return [];
    if (ctx.file.createdInFile(stmt.relation)) return [];
    const table = ctx.file.schema.resolve(stmt.relation);
    if (ctx.file.schema.relationKind(table) === 'partitioned table') return [];
    const clauses = alterTableClauseRanges(ctx.view, stmt);
    if (!clauses) return [];
    const cmds = (stmt.cmds ?? []).map((c) => asNode(c, 'AlterTableCmd'));
    const index = cmds.findIndex((cmd) => {
      const c = cmd?.subtype === 'AT_AddConstraint' ? asNode(cmd.def, 'Constraint') : undefined;
      return (c?.contype === 'CONSTR_UNIQUE' || c?.contype === 'CONSTR_PRIMARY') && !c.indexname;
    });
    if (index < 0) return [];
    const constraint = asNode(cmds[index]!.def, 'Constraint')!;
    // Options USING INDEX cannot carry over are left to the author.
    if (constraint.deferrable || constraint.options?.length || constraint.indexspace) return [];
    const plan = planFor(ctx, stmt, table, constraint, index, clauses);
    return plan ? [plan] : [];
  },
};

function planFor(
  ctx: RecipeContext,
  stmt: AlterTableStmt,
  table: string,
  constraint: Constraint,
  index: number,
  clauses: Array<{ start: number; end: number }>,
): RecipePlan | undefined {
  const primary = constraint.contype === 'CONSTR_PRIMARY';
  const keys = (constraint.keys ?? []).map((k) => asNode(k, 'String')?.sval ?? '');
  const include = (constraint.including ?? []).map((k) => asNode(k, 'String')?.sval ?? '');
  if (keys.length === 0 || keys.some((k) => !k)) return undefined;
  const name = constraint.conname ?? generatedName(ctx, stmt);
  if (!name) return undefined;
  const rel = relationText(stmt.relation!);
  const relation = ctx.file.catalog.relation(stmt.relation!);
  // NOT NULL first for primary-key columns the catalog knows to be nullable (unknown columns: assume nullable).
  const nullable = primary ? keys.filter((k) => !relation?.columns.find((c) => c.name === k)?.notNull) : [];
  const sequence = nullable.length > 0 ? notNullSequence(ctx, stmt.relation!, table, nullable) : undefined;

  // The statement without this subcommand (its other subcommands stay where they were).
  const others = (stmt.cmds ?? []).length > 1;
  const rest = others ? withoutClause(ctx.view.text, clauses, index) : undefined;
  const first = [...(rest ? [rest] : []), ...(sequence?.checks ?? [])];

  const qualified = stmt.relation!.schemaname ? `${ident(stmt.relation!.schemaname)}.${ident(name)}` : ident(name);
  const create = inCase(
    `CREATE UNIQUE INDEX CONCURRENTLY ${ident(name)} ON ${rel} (${keys.map(ident).join(', ')})` +
      (include.length ? ` INCLUDE (${include.map(ident).join(', ')})` : '') +
      (constraint.nulls_not_distinct ? ' NULLS NOT DISTINCT' : ''),
    ctx.keywordCase,
  );
  const knownAbsent = relation !== undefined && !relation.partial && ctx.input.base !== undefined && !ctx.file.catalog.index(qualified);
  const build = concurrentIndexPhase(ctx, { qualified, name, table, create, knownAbsent });
  const kind = primary ? 'PRIMARY KEY' : 'UNIQUE';
  const phases: Phase[] = [];
  if (first.length > 0) {
    phases.push({
      slug: slug(others ? 'alter' : 'check', stmt.relation!.relname!, ...(others ? [] : nullable), others ? '' : 'not_null'),
      summary: others
        ? `the statement's other changes${sequence ? `, and CHECK (… IS NOT NULL) NOT VALID on ${nullable.map(ident).join(', ')}` : ''}.`
        : `CHECK (${nullable.map(ident).join(', ')} IS NOT NULL) NOT VALID: new rows are checked, existing rows are not scanned.`,
      mode: 'transaction',
      statements: first,
      joinsDocument: true,
    });
  }
  if (sequence) phases.push(sequence.validate, sequence.setNotNull);
  phases.push(build.phase, {
    slug: slug('add', name, 'using_index'),
    summary: `attach ${qualified} as the ${kind} constraint ${ident(name)}: no scan, a brief lock bounded by lock_timeout.`,
    mode: 'transaction',
    statements: [
      lockTimeoutFirst(ctx),
      inCase(`ALTER TABLE ${rel} ADD CONSTRAINT ${ident(name)} ${kind} USING INDEX ${ident(name)}`, ctx.keywordCase),
    ],
    joinsDocument: false,
    notes: ['If it times out waiting for its lock, run it again.'],
  });
  return {
    recipe: 'unique-via-concurrent-index',
    title: `Build the ${kind} index of ${ident(name)} concurrently, then ADD CONSTRAINT … USING INDEX`,
    preferred: true,
    resolves: [primary ? 'primary-key-without-index' : 'unique-constraint-without-index'],
    touches: [table, qualify(parseQualifiedName(table)?.[0] ?? 'public', name)],
    phases,
  };
}

/** The constraint name PostgreSQL would choose, from replaying the statement on a copy of the catalog. */
function generatedName(ctx: RecipeContext, stmt: AlterTableStmt): string | undefined {
  const before = new Set(ctx.file.catalog.constraintsOf(stmt.relation!).map((c) => c.name));
  const copy = ctx.file.catalog.clone();
  copy.apply(ctx.statement.ast!, { statement: -1, textHash: '' });
  return copy.constraintsOf(stmt.relation!).find((c) => !before.has(c.name) && (c.kind === 'unique' || c.kind === 'primary-key'))?.name;
}

/** The statement text with subcommand `index` and one separating comma removed. */
function withoutClause(text: string, clauses: Array<{ start: number; end: number }>, index: number): string {
  const clause = clauses[index]!;
  const cut = index > 0 ? { start: clauses[index - 1]!.end, end: clause.end } : { start: clause.start, end: clauses[index + 1]!.start };
  return applyEdits(text, [{ start: cut.start, end: cut.end, text: '' }]);
}
