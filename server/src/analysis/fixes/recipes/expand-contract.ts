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
 * Plain indexes on the column (column keys only, no expression, no predicate, not backing a constraint) are
 * rebuilt on the new column CONCURRENTLY before the switch and take the old index's name at the switch (the old
 * index goes with the old column). Everything else that depends on the column blocks the column variants, and
 * the recipe says exactly what (blockers): a constraint (other than NOT NULL) or a foreign key referencing it would
 * have to be re-added and validated on the new column; a view reads the column by number, so it keeps the old one;
 * a DEFAULT, serial sequence, identity or GENERATED … STORED expression belongs to the column and cannot be shared
 * by two columns that a trigger keeps equal (a generated column cannot even be written). Doing half of that
 * would be worse than offering nothing. The new column is added at the end of the table, so the final column
 * ORDER differs from what the original statement leaves; everything else is the same (the proof compares columns
 * by name). The catalog does not record an index key's NULLS FIRST/LAST, so a key written `ASC NULLS FIRST` or
 * `DESC NULLS LAST` is rebuilt with the default null order.
 */
import type { AlterTableCmd, AlterTableStmt, RangeVar, RenameStmt } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { formatColumnType } from '../../catalog';
import { columnRefNames } from '../../catalog/ast';
import { alterTableClauseRanges } from '../../rules/alter-table-clauses';
import type { Index } from '../../catalog/model';
import type { Recipe, RecipeBlocker, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { codeTokens, ident, inCase, relationText, slug } from '../sql-text';
import { batchedBackfill, batchKeyOf, type BatchKey } from './backfill';
import { concurrentIndexPhase } from './create-index';
import { lockTimeoutFirst, notNullSequence } from './set-not-null';

export const expandContract: Recipe = {
  id: 'expand-contract',
  kinds: ['RenameStmt', 'AlterTableStmt'],
  plans(ctx) {
    const rename = asNode(ctx.statement.ast, 'RenameStmt');
    if (rename?.renameType === 'OBJECT_TABLE') return renameTable(ctx, rename);
    const outcome = columnOutcome(ctx);
    return outcome && 'plan' in outcome ? [outcome.plan] : [];
  },
  blockers(ctx) {
    const outcome = columnOutcome(ctx);
    return outcome && 'blocked' in outcome ? [outcome.blocked] : [];
  },
};

type ColumnOutcome = { plan: RecipePlan } | { blocked: RecipeBlocker };

function columnOutcome(ctx: RecipeContext): ColumnOutcome | undefined {
  const rename = asNode(ctx.statement.ast, 'RenameStmt');
  if (rename?.renameType === 'OBJECT_COLUMN' && rename.relationType === 'OBJECT_TABLE') return renameColumn(ctx, rename);
  const alter = asNode(ctx.statement.ast, 'AlterTableStmt');
  return alter ? alterType(ctx, alter) : undefined;
}

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
  key: BatchKey;
  /** Indexes on the column, rebuilt on the new column. */
  indexes: Index[];
}

/**
 * The column's facts when the recipe can carry everything that depends on it over to the new column, else the
 * reasons it cannot (see the module comment).
 */
function columnFacts(ctx: RecipeContext, relation: RangeVar, column: string, newType: boolean): ColumnFacts | { reasons: string[] } {
  const rel = ctx.file.catalog.relation(relation);
  const table = ctx.file.schema.resolve(relation);
  if (!rel || rel.partial) return { reasons: [`the definition of ${table} is not known from the earlier migrations, so what depends on ${ident(column)} cannot be checked`] };
  if (rel.kind !== 'table') return { reasons: [`${table} is a ${rel.kind.replace('-', ' ')}: its partitions would each need the new column, trigger and backfill`] };
  const col = rel.columns.find((c) => c.name === column);
  if (!col) return { reasons: [`${table} has no column ${ident(column)} in the earlier migrations`] };
  const c = ident(column);
  const reasons: string[] = [];
  if (col.identity) reasons.push(`${c} is an identity column (GENERATED ${col.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY): its sequence belongs to it and would have to move to the new column with its current value, which the recipe does not do`);
  else if (col.serial) reasons.push(`${c} is serial: the sequence it owns (OWNED BY, nextval default) would have to move to the new column, which the recipe does not do`);
  else if (col.default) reasons.push(`${c} has a DEFAULT: the new column would need it too, and inserts that set only one of the two columns would get it on the other`);
  if (col.generated) reasons.push(`${c} is GENERATED ALWAYS AS (…) ${col.generated.stored ? 'STORED' : 'VIRTUAL'}: a generated column cannot be written, so no trigger can keep a copy in sync`);
  for (const other of rel.columns) {
    if (other.generated && other.name !== column && columnRefNames(other.generated.expression).has(column)) {
      reasons.push(`generated column ${ident(other.name)} is computed from ${c}: its expression would have to be changed to read the new column, which needs the column dropped and added again`);
    }
  }
  if (col.inherited) reasons.push(`${c} is inherited from a parent table: the parent and every child would need the new column`);
  for (const i of rel.indexes) {
    const uses = i.columns.some((k) => k.column === column) || i.include.includes(column);
    const mentions = [...i.columns.map((k) => k.expression), i.predicate].some((e) => e !== undefined && columnRefNames(e).has(column));
    if (!uses && !mentions) continue;
    if (i.constraint !== undefined || i.primary) {
      if (uses) reasons.push(`index ${ident(i.name)} backs constraint ${ident(i.constraint ?? i.name)}: it would have to be re-added on the new column (ADD CONSTRAINT … USING INDEX), which the recipe does not do`);
      continue;
    }
    if (mentions || i.predicate !== undefined || i.columns.some((k) => k.expression !== undefined)) {
      // Rebuilding it means rewriting an expression (no deparser here) or carrying over one that names the column.
      reasons.push(`index ${ident(i.name)} uses ${c} ${i.predicate !== undefined ? 'with a WHERE predicate' : 'next to an expression key'}${mentions ? ' or in an expression' : ''}: the recipe rebuilds only indexes of plain columns`);
      continue;
    }
    if (newType && i.columns.some((k) => k.column === column && k.opclass !== undefined)) {
      reasons.push(`index ${ident(i.name)} uses operator class ${i.columns.find((k) => k.column === column)!.opclass} on ${c}, which may not exist for the new type`);
    }
  }
  for (const k of rel.constraints) {
    if (k.kind === 'not-null' || !k.columns.includes(column)) continue;
    if ((k.kind === 'primary-key' || k.kind === 'unique') && rel.indexes.some((i) => i.constraint === k.name)) continue; // reported with its index
    reasons.push(`${k.kind.replace('-', ' ')} constraint ${ident(k.name)} uses ${c}: it would have to be re-added and validated on the new column, which the recipe does not do`);
  }
  for (const r of ctx.file.catalog.referencingForeignKeys(relation)) {
    if (r.constraint.references?.columns.includes(column)) reasons.push(`foreign key ${ident(r.constraint.name)} of ${r.table.key} references ${c}: it would have to point at the new column`);
  }
  // A view that names the column, or selects `*` (expanded to every column when it was created), depends on it.
  const views = ctx.file.catalog
    .dependentViews(relation)
    .filter((v) => v.query === undefined || columnRefNames(v.query).has(column) || JSON.stringify(v.query).includes('"A_Star"'));
  if (views.length > 0) reasons.push(`view${views.length > 1 ? 's' : ''} ${views.map((v) => v.key).join(', ')} read${views.length > 1 ? '' : 's'} ${table}: a view keeps the column it was created with, so ${views.length > 1 ? 'they' : 'it'} would have to be recreated over the new column`);
  const key = batchKeyOf(ctx, relation, true);
  if (!key) reasons.push(`${table} has no primary key and the server is older than PostgreSQL 14 (no TID range scans), so the backfill cannot be batched`);
  else if (key.kind === 'key' && key.columns.includes(column)) reasons.push(`${c} is part of the primary key the backfill walks by`);
  if (reasons.length > 0 || !key) return { reasons };
  const indexes = rel.indexes.filter((i) => i.columns.some((k) => k.column === column) || i.include.includes(column));
  return { type: formatColumnType(col.type), notNull: col.notNull, key, indexes };
}

/** A name for the index built on the new column, free in the schema. */
function freeIndexName(ctx: RecipeContext, index: Index, suffix: string): string {
  const taken = (n: string) => ctx.file.catalog.index(`${index.schema}.${ident(n)}`) !== undefined || ctx.file.catalog.relation(`${index.schema}.${ident(n)}`) !== undefined;
  for (let n = 0; ; n++) {
    const tail = `_${suffix}${n === 0 ? '' : n}`;
    const name = `${index.name.slice(0, 63 - tail.length)}${tail}`;
    if (!taken(name)) return name;
  }
}

/** CREATE INDEX CONCURRENTLY of `index` with `from` replaced by `to`. */
function rebuiltIndexText(ctx: RecipeContext, relation: RangeVar, index: Index, name: string, from: string, to: string): string {
  const swap = (c: string) => ident(c === from ? to : c);
  const keys = index.columns.map((k) => `${swap(k.column!)}${k.opclass !== undefined ? ` ${k.opclass}` : ''}${k.descending ? ' DESC' : ''}`);
  return inCase(
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${ident(name)} ON ${relationText(relation)}` +
      `${index.method !== 'btree' ? ` USING ${index.method}` : ''} (${keys.join(', ')})` +
      `${index.include.length > 0 ? ` INCLUDE (${index.include.map(swap).join(', ')})` : ''}` +
      `${index.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''}`,
    ctx.keywordCase,
  );
}

/** The phases that build each index on the new column, concurrently, one per file where the runner needs it. */
function indexBuildPhases(ctx: RecipeContext, relation: RangeVar, table: string, facts: ColumnFacts, from: string, to: string): Array<{ index: Index; name: string; phase: Phase }> {
  return facts.indexes.map((index) => {
    const name = freeIndexName(ctx, index, 'lockstep');
    const qualified = relation.schemaname ? `${ident(relation.schemaname)}.${ident(name)}` : ident(name);
    const build = concurrentIndexPhase(ctx, {
      qualified,
      name,
      table,
      create: rebuiltIndexText(ctx, relation, index, name, from, to),
      knownAbsent: ctx.input.base !== undefined,
    });
    return { index, name, phase: { ...build.phase, summary: `build ${ident(name)}, the copy of ${ident(index.name)} on ${ident(to)}, ${build.phase.summary.replace(/^build \S+ /, '')}` } };
  });
}

function blocked(title: string, resolves: string, reasons: string[]): ColumnOutcome {
  return { blocked: { title, resolves: [resolves], reasons } };
}

function renameColumn(ctx: RecipeContext, stmt: RenameStmt): ColumnOutcome | undefined {
  if (!stmt.relation || !stmt.subname || !stmt.newname || ctx.file.createdInFile(stmt.relation)) return undefined;
  const title = `Rename ${ident(stmt.subname)} to ${ident(stmt.newname)} by expand/contract: new column kept in sync, old one dropped once the code moved`;
  const checked = columnFacts(ctx, stmt.relation, stmt.subname, false);
  if ('reasons' in checked) return blocked(title, 'rename-column', checked.reasons);
  const facts = checked;
  const key = facts.key;
  const table = ctx.file.schema.resolve(stmt.relation);
  const builds = indexBuildPhases(ctx, stmt.relation, table, facts, stmt.subname, stmt.newname);
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
    ...builds.map((b) => b.phase),
    {
      slug: slug('drop', stmt.relation.relname!, stmt.subname),
      summary: `drop the trigger and ${o}${builds.length > 0 ? ` (with its ${builds.length > 1 ? 'indexes' : 'index'}), and give the new ${builds.length > 1 ? 'indexes their' : 'index its'} old name` : ''}: the rename is complete.`,
      mode: 'transaction',
      statements: [
        lockTimeoutFirst(ctx),
        inCase(`DROP TRIGGER ${fn} ON ${rel}`, ctx.keywordCase),
        inCase(`DROP FUNCTION ${qualifiedFn}()`, ctx.keywordCase),
        deployedDrop(inCase(`ALTER TABLE ${rel} DROP COLUMN ${o}`, ctx.keywordCase), o),
        ...builds.map((b) => inCase(`ALTER INDEX ${indexText(stmt.relation!, b.name)} RENAME TO ${ident(b.index.name)}`, ctx.keywordCase)),
      ],
      joinsDocument: false,
      requires: `the application release that reads and writes ${n} instead of ${o} is deployed everywhere`,
    },
  ];
  return { plan: { recipe: 'expand-contract', title, preferred: false, resolves: ['rename-column'], touches: [table], phases } };
}

/**
 * The contract phase's DROP COLUMN runs only after the release that stopped using the column (its header says so),
 * which is exactly what rule drop-column asks for; the directive records that for the linter.
 */
function deployedDrop(sql: string, column: string): string {
  return `-- lockstep-ignore drop-column: runs after the release that no longer uses ${column} is deployed (see the header)\n${sql}`;
}

/** An index of the relation as SQL names it: schema only when the relation had one. */
function indexText(relation: RangeVar, name: string): string {
  return relation.schemaname ? `${ident(relation.schemaname)}.${ident(name)}` : ident(name);
}

function backfillOf(ctx: RecipeContext, relation: RangeVar, table: string, key: BatchKey, set: string, where: string, what: string): Phase {
  return {
    slug: slug('backfill', relation.relname!, what),
    summary: `fill ${set.split(' = ')[0]} for the existing rows of ${table} in batches of ${ctx.policy.batchSize}, committing after each.`,
    mode: 'no-transaction',
    statements: [batchedBackfill(ctx, { relation, table, set, where, what, rerun: '' }, key)],
    joinsDocument: false,
    notes: ['Resumable: if it stops, run it again; rows already in sync are skipped.'],
  };
}

function alterType(ctx: RecipeContext, stmt: AlterTableStmt): ColumnOutcome | undefined {
  if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE' || ctx.file.createdInFile(stmt.relation)) return undefined;
  const cmds = (stmt.cmds ?? []).map((c) => asNode(c, 'AlterTableCmd'));
  // One subcommand only: a type change mixed with other changes is left to the author.
  if (cmds.length !== 1 || cmds[0]?.subtype !== 'AT_AlterColumnType' || !cmds[0].name) return undefined;
  const table = ctx.file.schema.resolve(stmt.relation);
  if (!ctx.statement.effect?.rewrites.includes(table)) return undefined;
  const cmd = cmds[0];
  const parts = typeAndUsing(ctx, stmt, cmd);
  if (!parts) return undefined;
  const title = `Change ${ident(cmd.name!)} to ${parts.type} without a rewrite under lock: new column, trigger, batched backfill, switch by rename`;
  const checked = columnFacts(ctx, stmt.relation, cmd.name!, true);
  if ('reasons' in checked) return blocked(title, 'column-type-rewrite', checked.reasons);
  const facts = checked;
  const key = facts.key;
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
  const builds = indexBuildPhases(ctx, stmt.relation, table, facts, column, tmpName);
  // At the switch the old indexes step aside under a free name (they go with the old column), the new ones take theirs.
  const retired = builds.map((b) => freeIndexName(ctx, b.index, 'lockstep_old'));
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
    ...builds.map((b) => b.phase),
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
        ...builds.flatMap((b, i) => [
          inCase(`ALTER INDEX ${indexText(stmt.relation!, b.index.name)} RENAME TO ${ident(retired[i]!)}`, ctx.keywordCase),
          inCase(`ALTER INDEX ${indexText(stmt.relation!, b.name)} RENAME TO ${ident(b.index.name)}`, ctx.keywordCase),
        ]),
      ],
      joinsDocument: false,
      notes: ['If it times out waiting for its lock, run it again.'],
    },
    {
      slug: slug('drop', stmt.relation.relname!, oldName),
      summary: `drop the old column ${ident(oldName)}.`,
      mode: 'transaction',
      statements: [lockTimeoutFirst(ctx), deployedDrop(inCase(`ALTER TABLE ${rel} DROP COLUMN ${ident(oldName)}`, ctx.keywordCase), ident(oldName))],
      joinsDocument: false,
      requires: `the release after the switch is deployed everywhere (no server still holds a cached plan or column list with ${ident(oldName)} by its old name)`,
    },
  ];
  return { plan: { recipe: 'expand-contract', title, preferred: false, resolves: ['column-type-rewrite'], touches: [table], phases } };
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
