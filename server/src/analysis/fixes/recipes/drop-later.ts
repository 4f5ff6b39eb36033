/**
 * DROP COLUMN / DROP TABLE → a later release: the drop moves to a migration deployed only after the application
 * release that no longer uses the column or table.
 *
 * Why: the drop itself is quick (AccessExclusiveLock, no rewrite: PostgreSQL only marks a column dropped), but
 * application servers still running the previous release keep naming it — and ORMs that select every mapped
 * column fail on every query of the table as soon as it is gone. So: release 1 stops using it (the header names
 * the usual ORM switch), release 2 drops it, under lock_timeout.
 */
import type { AlterTableStmt, DropStmt } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { alterTableClauseRanges } from '../../rules/alter-table-clauses';
import type { Recipe, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { applyEdits, ident, inCase, relationText, slug } from '../sql-text';
import { lockTimeoutFirst } from './set-not-null';

const ORM_HINTS =
  'Typical switches: Rails `self.ignored_columns += ["<column>"]`; Django: remove the field in a state-only migration ' +
  '(SeparateDatabaseAndState); Hibernate/JPA: remove the mapping; Prisma: remove the field from schema.prisma; ' +
  'SQLAlchemy: remove the Column (or use deferred loading).';

export const dropInLaterRelease: Recipe = {
  id: 'drop-in-later-release',
  kinds: ['AlterTableStmt', 'DropStmt'],
  plans(ctx) {
    const alter = asNode(ctx.statement.ast, 'AlterTableStmt');
    if (alter) return dropColumns(ctx, alter);
    const drop = asNode(ctx.statement.ast, 'DropStmt');
    return drop ? dropTables(ctx, drop) : [];
  },
};

function dropColumns(ctx: RecipeContext, stmt: AlterTableStmt): RecipePlan[] {
  if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE' || ctx.file.createdInFile(stmt.relation)) return [];
  const clauses = alterTableClauseRanges(ctx.view, stmt);
  if (!clauses) return [];
  const cmds = (stmt.cmds ?? []).map((c) => asNode(c, 'AlterTableCmd'));
  const drops = cmds.map((c, i) => ({ c, i })).filter(({ c }) => c?.subtype === 'AT_DropColumn' && c.name);
  if (drops.length === 0) return [];
  const table = ctx.file.schema.resolve(stmt.relation);
  const rel = relationText(stmt.relation);
  const columns = drops.map(({ c }) => c!.name!);
  const list = columns.map(ident).join(', ');
  const kept = cmds.length > drops.length;
  // The drop clauses leave the statement; its other subcommands stay where they were.
  const rest = kept ? applyEdits(ctx.view.text, removals(clauses, drops.map((d) => d.i))) : undefined;
  const phases: Phase[] = [];
  if (rest) {
    phases.push({ slug: slug('alter', stmt.relation.relname!), summary: "the statement's other changes.", mode: 'transaction', statements: [rest], joinsDocument: true });
  }
  phases.push({
    slug: slug('drop', stmt.relation.relname!, ...columns),
    summary: `drop ${list} from ${table}, under lock_timeout (AccessExclusiveLock, no rewrite).`,
    mode: 'transaction',
    statements: [
      lockTimeoutFirst(ctx),
      ...drops.map(({ i }) =>
        afterRelease('drop-column', list, inCase(`ALTER TABLE ${rel} `, ctx.keywordCase) + ctx.view.text.slice(clauses[i]!.start, clauses[i]!.end)),
      ),
    ],
    joinsDocument: false,
    requires: `the application release that no longer reads or writes ${list} of ${table} is deployed everywhere`,
    notes: [ORM_HINTS.replace('<column>', columns[0]!)],
  });
  return [
    {
      recipe: 'drop-in-later-release',
      title: `Drop ${list} in a later release, after the code stops using ${columns.length > 1 ? 'them' : 'it'}`,
      preferred: false,
      resolves: ['drop-column'],
      touches: [table],
      phases,
    },
  ];
}

function dropTables(ctx: RecipeContext, stmt: DropStmt): RecipePlan[] {
  if (stmt.removeType !== 'OBJECT_TABLE') return [];
  const names = (stmt.objects ?? []).map((o) => (asNode(o, 'List')?.items ?? []).map((i) => asNode(i, 'String')?.sval ?? ''));
  const tables = names.map((parts) => ctx.file.catalog.relation(parts.map(ident).join('.'))?.key ?? parts.join('.'));
  if (tables.some((t) => ctx.file.createdInFile(t))) return [];
  const list = names.map((parts) => parts.map(ident).join('.')).join(', ');
  return [
    {
      recipe: 'drop-in-later-release',
      title: `Drop ${list} in a later release, after the code stops using ${names.length > 1 ? 'them' : 'it'}`,
      preferred: false,
      resolves: ['drop-table'],
      touches: tables,
      phases: [
        {
          slug: slug('drop', ...names.map((p) => p[p.length - 1]!)),
          summary: `drop ${list}, under lock_timeout.`,
          mode: 'transaction',
          statements: [lockTimeoutFirst(ctx), afterRelease('drop-table', list, ctx.view.text)],
          joinsDocument: false,
          requires: `the application release that no longer uses ${list} is deployed everywhere`,
          notes: ['Until then the table stays; nothing reads or writes it once that release is out.'],
        },
      ],
    },
  ];
}

/**
 * The drop in its later migration, with an ignore comment that says why it is safe there: the phase's header
 * requires the release that no longer uses the column or table, which lint cannot know is out. Without it every
 * applied fix would leave a finding behind in the file the fix itself wrote.
 */
function afterRelease(rule: 'drop-column' | 'drop-table', what: string, sql: string): string {
  return `-- lockstep-ignore ${rule}: runs after the release that no longer uses ${what} is deployed (see the header)\n${sql}`;
}

/** Edits removing the clauses at `indexes` with their separating commas, keeping the others. */
function removals(clauses: Array<{ start: number; end: number }>, indexes: number[]) {
  const keep = clauses.map((_, i) => !indexes.includes(i));
  const edits: Array<{ start: number; end: number; text: string }> = [];
  clauses.forEach((clause, i) => {
    if (keep[i]) return;
    const prevKept = [...keep.slice(0, i)].lastIndexOf(true);
    const nextKept = keep.findIndex((k, j) => j > i && k);
    // Cut from the end of the previous clause (its comma goes too), or up to the start of the next one.
    edits.push(prevKept >= 0 && i > 0 ? { start: clauses[i - 1]!.end, end: clause.end, text: '' } : { start: clause.start, end: nextKept >= 0 ? clauses[i + 1]!.start : clause.end, text: '' });
  });
  return edits;
}
