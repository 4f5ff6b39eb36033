/**
 * Expand/contract over several releases, for changes that old and new application code cannot both live with:
 *
 * - ALTER TABLE … RENAME TO new → rename, and leave a view under the old name (a simple view is updatable, so
 *   code still using the old name keeps reading and writing); drop the view once no release uses the old name.
 * - RENAME COLUMN old TO new → add `new`, keep both in sync with a trigger (a write to either shows in the other),
 *   backfill in batches, make it NOT NULL like `old` without a scan; once the code uses `new` everywhere, drop the
 *   trigger and `old`.
 * - ALTER COLUMN c TYPE t that rewrites the table → add `c_lockstep_new` of type t, a trigger that computes it from
 *   c on every write, backfill in batches, NOT NULL without a scan, then swap the names in one short transaction
 *   under lock_timeout (c becomes the new column); drop the old column in a later release.
 *
 * The column variants are offered only for a column no index, constraint (other than NOT NULL), view or default
 * uses: recreating those on the new column is work this recipe does not do yet, and doing half of it would be
 * worse than offering nothing. The new column is added at the end of the table, so the final column ORDER differs
 * from what the original statement leaves; everything else is the same (the proof compares columns by name).
 */
import type { AlterTableCmd, AlterTableStmt, RangeVar, RenameStmt } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { formatColumnType } from '../../catalog';
import { alterTableClauseRanges } from '../../rules/alter-table-clauses';
import type { Recipe, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { codeTokens, ident, inCase, relationText, slug } from '../sql-text';
import { batchedBackfill, primaryKeyColumn } from './backfill';
import { lockTimeoutFirst, notNullSequence } from './set-not-null';

export const expandContract: Recipe = {
  id: 'expand-contract',
  kinds: ['RenameStmt', 'AlterTableStmt'],
  plans(ctx) {
    const rename = asNode(ctx.statement.ast, 'RenameStmt');
    if (rename?.renameType === 'OBJECT_TABLE') return renameTable(ctx, rename);
    if (rename?.renameType === 'OBJECT_COLUMN' && rename.relationType === 'OBJECT_TABLE') return renameColumn(ctx, rename);
    const alter = asNode(ctx.statement.ast, 'AlterTableStmt');
    return alter ? alterType(ctx, alter) : [];
  },
};

function renameTable(ctx: RecipeContext, stmt: RenameStmt): RecipePlan[] {
  if (!stmt.relation || !stmt.newname || ctx.file.createdInFile(stmt.relation)) return [];
  const table = ctx.file.schema.resolve(stmt.relation);
  if (ctx.file.schema.relationKind(table) !== 'table') return [];
  const old = relationText(stmt.relation);
  const renamed = stmt.relation.schemaname ? `${ident(stmt.relation.schemaname)}.${ident(stmt.newname)}` : ident(stmt.newname);
  return [
    {
      recipe: 'expand-contract',
      title: `Rename to ${ident(stmt.newname)} and keep a view under the old name until the code uses the new one`,
      preferred: false,
      resolves: ['rename-table'],
      touches: [table],
      phases: [
        {
          slug: slug('rename', stmt.relation.relname!, 'to', stmt.newname),
          summary: `rename ${old} to ${ident(stmt.newname)} and create the view ${old} over it: code still using the old name reads and writes through the view (a simple view is updatable).`,
          mode: 'transaction',
          statements: [ctx.view.text, inCase(`CREATE VIEW ${old} AS SELECT * FROM ${renamed}`, ctx.keywordCase)],
          joinsDocument: true,
        },
        {
          slug: slug('drop', 'view', stmt.relation.relname!),
          summary: `drop the compatibility view ${old}.`,
          mode: 'transaction',
          statements: [lockTimeoutFirst(ctx), inCase(`DROP VIEW ${old}`, ctx.keywordCase)],
          joinsDocument: false,
          requires: `the application release that uses ${ident(stmt.newname)} instead of ${old} is deployed everywhere`,
        },
      ],
    },
  ];
}

interface ColumnFacts {
  type: string;
  notNull: boolean;
}

/** The column when nothing but NOT NULL depends on it (see the module comment), else undefined. */
function plainColumn(ctx: RecipeContext, relation: RangeVar, column: string): ColumnFacts | undefined {
  const rel = ctx.file.catalog.relation(relation);
  if (!rel || rel.partial || rel.kind !== 'table') return undefined;
  const col = rel.columns.find((c) => c.name === column);
  if (!col || col.default || col.identity || col.generated || col.serial || col.inherited) return undefined;
  if (rel.indexes.some((i) => i.columns.some((c) => c.column === column || c.expression) || i.include.includes(column) || i.predicate)) return undefined;
  if (rel.constraints.some((c) => c.kind !== 'not-null' && c.columns.includes(column))) return undefined;
  if (ctx.file.catalog.referencingForeignKeys(relation).some((r) => r.constraint.references?.columns.includes(column))) return undefined;
  if (ctx.file.catalog.dependentViews(relation).length > 0) return undefined;
  return { type: formatColumnType(col.type), notNull: col.notNull };
}

function renameColumn(ctx: RecipeContext, stmt: RenameStmt): RecipePlan[] {
  if (!stmt.relation || !stmt.subname || !stmt.newname || ctx.file.createdInFile(stmt.relation)) return [];
  const facts = plainColumn(ctx, stmt.relation, stmt.subname);
  const key = primaryKeyColumn(ctx, stmt.relation);
  if (!facts || !key || key === stmt.subname) return [];
  const table = ctx.file.schema.resolve(stmt.relation);
  const rel = relationText(stmt.relation);
  const [o, n] = [ident(stmt.subname), ident(stmt.newname)];
  const fn = ident(`${stmt.relation.relname}_sync_${stmt.subname}_${stmt.newname}`.slice(0, 63));
  const qualifiedFn = stmt.relation.schemaname ? `${ident(stmt.relation.schemaname)}.${fn}` : fn;
  const trigger = inCase(
    [
      `CREATE FUNCTION ${qualifiedFn}() RETURNS trigger LANGUAGE plpgsql AS $lockstep$`,
      'BEGIN',
      // Whichever column the writing code set wins; on INSERT the one it gave.
      "  IF TG_OP = 'INSERT' THEN",
      `    IF NEW.${n} IS NULL THEN NEW.${n} := NEW.${o}; ELSIF NEW.${o} IS NULL THEN NEW.${o} := NEW.${n}; END IF;`,
      `  ELSIF NEW.${n} IS DISTINCT FROM OLD.${n} THEN`,
      `    NEW.${o} := NEW.${n};`,
      '  ELSE',
      `    NEW.${n} := NEW.${o};`,
      '  END IF;',
      '  RETURN NEW;',
      'END',
      '$lockstep$',
    ].join('\n'),
    ctx.keywordCase,
  );
  const sequence = facts.notNull ? notNullSequence(ctx, stmt.relation, table, [stmt.newname]) : undefined;
  const phases: Phase[] = [
    {
      slug: slug('add', stmt.relation.relname!, stmt.newname),
      summary: `add ${n} next to ${o} and a trigger that keeps them equal on every write${sequence ? `, with CHECK (${n} IS NOT NULL) NOT VALID` : ''}.`,
      mode: 'transaction',
      statements: [
        inCase(`ALTER TABLE ${rel} ADD COLUMN ${n} ${facts.type}`, ctx.keywordCase),
        trigger,
        inCase(`CREATE TRIGGER ${fn} BEFORE INSERT OR UPDATE ON ${rel} FOR EACH ROW EXECUTE FUNCTION ${qualifiedFn}()`, ctx.keywordCase),
        ...(sequence?.checks ?? []),
      ],
      joinsDocument: true,
    },
    {
      ...backfillOf(ctx, stmt.relation, table, key, `${n} = ${o}`, `${n} IS DISTINCT FROM ${o}`, stmt.newname),
    },
    ...(sequence ? [sequence.validate, sequence.setNotNull] : []),
    {
      slug: slug('drop', stmt.relation.relname!, stmt.subname),
      summary: `drop the trigger and ${o}: the rename is complete.`,
      mode: 'transaction',
      statements: [
        lockTimeoutFirst(ctx),
        inCase(`DROP TRIGGER ${fn} ON ${rel}`, ctx.keywordCase),
        inCase(`DROP FUNCTION ${qualifiedFn}()`, ctx.keywordCase),
        inCase(`ALTER TABLE ${rel} DROP COLUMN ${o}`, ctx.keywordCase),
      ],
      joinsDocument: false,
      requires: `the application release that reads and writes ${n} instead of ${o} is deployed everywhere`,
    },
  ];
  return [
    {
      recipe: 'expand-contract',
      title: `Rename ${o} to ${n} by expand/contract: new column kept in sync, old one dropped once the code moved`,
      preferred: false,
      resolves: ['rename-column'],
      touches: [table],
      phases,
    },
  ];
}

function backfillOf(ctx: RecipeContext, relation: RangeVar, table: string, key: string, set: string, where: string, what: string): Phase {
  return {
    slug: slug('backfill', relation.relname!, what),
    summary: `fill ${set.split(' = ')[0]} for the existing rows of ${table} in batches of ${ctx.policy.batchSize}, committing after each.`,
    mode: 'no-transaction',
    statements: [batchedBackfill(ctx, { relation, table, set, where, what, rerun: '' }, key)],
    joinsDocument: false,
    notes: ['Resumable: if it stops, run it again; rows already in sync are skipped.'],
  };
}

function alterType(ctx: RecipeContext, stmt: AlterTableStmt): RecipePlan[] {
  if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE' || ctx.file.createdInFile(stmt.relation)) return [];
  const cmds = (stmt.cmds ?? []).map((c) => asNode(c, 'AlterTableCmd'));
  // One subcommand only: a type change mixed with other changes is left to the author.
  if (cmds.length !== 1 || cmds[0]?.subtype !== 'AT_AlterColumnType' || !cmds[0].name) return [];
  const table = ctx.file.schema.resolve(stmt.relation);
  if (!ctx.statement.effect?.rewrites.includes(table)) return [];
  const cmd = cmds[0];
  const facts = plainColumn(ctx, stmt.relation, cmd.name!);
  const key = primaryKeyColumn(ctx, stmt.relation);
  if (!facts || !key || key === cmd.name) return [];
  const parts = typeAndUsing(ctx, stmt, cmd);
  if (!parts) return [];
  const rel = relationText(stmt.relation);
  const column = cmd.name!;
  const c = ident(column);
  const tmpName = `${column}_lockstep_new`.slice(0, 63);
  const tmp = ident(tmpName);
  const oldName = `${column}_lockstep_old`.slice(0, 63);
  const value = parts.using ?? `${c}::${parts.type}`;
  const fn = ident(`${stmt.relation.relname}_${column}_to_new_type`.slice(0, 63));
  const qualifiedFn = stmt.relation.schemaname ? `${ident(stmt.relation.schemaname)}.${fn}` : fn;
  const alias = ident(stmt.relation.relname!);
  const trigger = inCase(
    [
      `CREATE FUNCTION ${qualifiedFn}() RETURNS trigger LANGUAGE plpgsql AS $lockstep$`,
      'BEGIN',
      // The conversion reads the row as the table: (SELECT (NEW).*) under the table's name, so USING works as written.
      `  NEW.${tmp} := (SELECT ${value} FROM (SELECT (NEW).*) AS ${alias});`,
      '  RETURN NEW;',
      'END',
      '$lockstep$',
    ].join('\n'),
    ctx.keywordCase,
  );
  const sequence = facts.notNull ? notNullSequence(ctx, stmt.relation, table, [tmpName]) : undefined;
  const phases: Phase[] = [
    {
      slug: slug('add', stmt.relation.relname!, tmpName),
      summary: `add ${tmp} of type ${parts.type} and a trigger that computes it from ${c} on every write${sequence ? `, with CHECK (${tmp} IS NOT NULL) NOT VALID` : ''}.`,
      mode: 'transaction',
      statements: [
        inCase(`ALTER TABLE ${rel} ADD COLUMN ${tmp} `, ctx.keywordCase) + parts.type,
        trigger,
        inCase(`CREATE TRIGGER ${fn} BEFORE INSERT OR UPDATE ON ${rel} FOR EACH ROW EXECUTE FUNCTION ${qualifiedFn}()`, ctx.keywordCase),
        ...(sequence?.checks ?? []),
      ],
      joinsDocument: true,
    },
    backfillOf(ctx, stmt.relation, table, key, `${tmp} = ${value}`, `${tmp} IS NULL`, tmpName),
    ...(sequence ? [sequence.validate, sequence.setNotNull] : []),
    {
      slug: slug('swap', stmt.relation.relname!, column),
      summary: `switch: ${c} becomes the ${parts.type} column, in one short transaction under lock_timeout (AccessExclusiveLock, no rewrite).`,
      mode: 'transaction',
      statements: [
        lockTimeoutFirst(ctx),
        inCase(`DROP TRIGGER ${fn} ON ${rel}`, ctx.keywordCase),
        inCase(`DROP FUNCTION ${qualifiedFn}()`, ctx.keywordCase),
        inCase(`ALTER TABLE ${rel} RENAME COLUMN ${c} TO ${ident(oldName)}`, ctx.keywordCase),
        ...(facts.notNull ? [inCase(`ALTER TABLE ${rel} ALTER COLUMN ${ident(oldName)} DROP NOT NULL`, ctx.keywordCase)] : []),
        inCase(`ALTER TABLE ${rel} RENAME COLUMN ${tmp} TO ${c}`, ctx.keywordCase),
      ],
      joinsDocument: false,
      notes: ['If it times out waiting for its lock, run it again.'],
    },
    {
      slug: slug('drop', stmt.relation.relname!, oldName),
      summary: `drop the old column ${ident(oldName)}.`,
      mode: 'transaction',
      statements: [lockTimeoutFirst(ctx), inCase(`ALTER TABLE ${rel} DROP COLUMN ${ident(oldName)}`, ctx.keywordCase)],
      joinsDocument: false,
      requires: `the release after the switch is deployed everywhere (no server still holds a cached plan or column list with ${ident(oldName)} by its old name)`,
    },
  ];
  return [
    {
      recipe: 'expand-contract',
      title: `Change ${c} to ${parts.type} without a rewrite under lock: new column, trigger, batched backfill, switch by rename`,
      preferred: false,
      resolves: ['alter-column-type-rewrite'],
      touches: [table],
      phases,
    },
  ];
}

/** The new type and USING expression as the user wrote them. */
function typeAndUsing(ctx: RecipeContext, stmt: AlterTableStmt, cmd: AlterTableCmd): { type: string; using?: string } | undefined {
  const clause = alterTableClauseRanges(ctx.view, stmt)?.[0];
  if (!clause) return undefined;
  const tokens = codeTokens(ctx.view).filter((t) => t.start >= clause.start && t.end <= clause.end);
  const typeAt = tokens.findIndex((t) => t.keyword === 'TYPE');
  if (typeAt < 0) return undefined;
  const usingAt = tokens.findIndex((t, i) => i > typeAt && t.keyword === 'USING');
  const collateAt = tokens.findIndex((t, i) => i > typeAt && t.keyword === 'COLLATE');
  if (collateAt >= 0) return undefined; // a collation change is left to the author
  const typeEnd = usingAt >= 0 ? tokens[usingAt - 1]!.end : clause.end;
  const type = ctx.view.text.slice(tokens[typeAt]!.end, typeEnd).trim();
  const using = usingAt >= 0 ? ctx.view.text.slice(tokens[usingAt]!.end, clause.end).trim() : undefined;
  if (!type || (asNode(cmd.def, 'ColumnDef')?.raw_default !== undefined) !== (using !== undefined)) return undefined;
  return { type, ...(using !== undefined ? { using } : {}) };
}
