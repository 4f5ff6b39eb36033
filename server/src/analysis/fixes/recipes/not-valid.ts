/**
 * ADD CONSTRAINT … FOREIGN KEY / CHECK → ADD … NOT VALID where the statement is, then VALIDATE CONSTRAINT in a
 * later transaction (plus, for a foreign key whose columns no index leads with, that index built concurrently).
 *
 * Why: adding a FOREIGN KEY checks every row while holding ShareRowExclusiveLock on both tables (writes wait);
 * adding a CHECK does it under AccessExclusiveLock (reads wait too). With NOT VALID the ADD only records the
 * constraint — new rows are checked from then on — and VALIDATE CONSTRAINT checks the old rows under
 * ShareUpdateExclusiveLock (plus RowShareLock on the referenced table), so reads and writes go on
 * (docs: ALTER TABLE, "ADD table_constraint … NOT VALID", "VALIDATE CONSTRAINT"). VALIDATE must commit apart from
 * the ADD, or the ADD's lock is held through the scan.
 *
 * `ADD COLUMN c … REFERENCES t` is checked only when the column has a DEFAULT (otherwise every value is NULL); a
 * column constraint cannot be NOT VALID, so the REFERENCES moves to its own ADD CONSTRAINT with the name
 * PostgreSQL would have given it.
 *
 * The index on the referencing columns is not needed to validate; it keeps DELETE and UPDATE on the referenced
 * table from scanning the referencing one for every row (docs: "Foreign Keys": "it is often a good idea to index
 * the referencing columns").
 */
import type { AlterTableStmt, ColumnDef, Constraint } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { chooseObjectName, nameAddition, parseQualifiedName } from '../../catalog/names';
import type { Constraint as CatalogConstraint } from '../../catalog';
import { qualify } from '../../names';
import { alterTableClauseRanges } from '../../rules/alter-table-clauses';
import type { Recipe, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { applyEdits, ident, inCase, relationText, slug, type StatementEdit } from '../sql-text';
import { concurrentIndexPhase } from './create-index';

interface Pending {
  kind: 'foreign-key' | 'check';
  form: 'add-constraint' | 'add-column';
  constraint: Constraint;
  column?: ColumnDef;
  /** Referencing columns (foreign keys). */
  columns: string[];
  clause: { start: number; end: number };
  name?: string;
}

export const addConstraintNotValid: Recipe = {
  id: 'add-constraint-not-valid',
  kinds: ['AlterTableStmt'],
  plans(ctx) {
    const stmt = asNode(ctx.statement.ast, 'AlterTableStmt');
    if (!stmt?.relation || stmt.objtype !== 'OBJECT_TABLE') return [];
    if (ctx.file.createdInFile(stmt.relation)) return [];
    const table = ctx.file.schema.resolve(stmt.relation);
    // NOT VALID foreign keys on partitioned tables arrive only in PostgreSQL 18; keep it simple and honest.
    if (ctx.file.schema.relationKind(table) === 'partitioned table') return [];
    const clauses = alterTableClauseRanges(ctx.view, stmt);
    if (!clauses) return [];
    const pending = pendingConstraints(stmt, clauses);
    if (pending.length === 0) return [];
    if (!nameConstraints(ctx, stmt, pending)) return [];

    const rel = relationText(stmt.relation);
    const edits: StatementEdit[] = [];
    const extra: string[] = [];
    for (const p of pending) {
      if (p.form === 'add-constraint') {
        // VALIDATE names the constraint, so an unnamed one gets, explicitly, the name PostgreSQL would give it.
        const at = p.constraint.conname ? undefined : ctx.view.offsetOfLocation(p.constraint.location);
        if (at !== undefined) edits.push({ start: at, end: at, text: `${inCase('CONSTRAINT', ctx.keywordCase)} ${ident(p.name!)} ` });
        edits.push({ start: p.clause.end, end: p.clause.end, text: ` ${inCase('NOT VALID', ctx.keywordCase)}` });
        continue;
      }
      // ADD COLUMN … REFERENCES: cut the column constraint, add it as a table constraint NOT VALID.
      const range = columnConstraintRange(ctx, p);
      if (!range) return [];
      const referencesAt = ctx.view.text.slice(range.start, range.end).search(/\breferences\b/i);
      if (referencesAt < 0) return [];
      const references = ctx.view.text.slice(range.start + referencesAt, range.end).trim();
      edits.push({ start: range.cut, end: range.end, text: '' });
      extra.push(
        inCase(`ALTER TABLE ${rel} ADD CONSTRAINT ${ident(p.name!)} FOREIGN KEY (${ident(p.columns[0]!)}) `, ctx.keywordCase) +
          references +
          inCase(' NOT VALID', ctx.keywordCase),
      );
    }
    const first = applyEdits(ctx.view.text, edits);
    const validate = pending.map((p) => inCase(`ALTER TABLE ${rel} VALIDATE CONSTRAINT ${ident(p.name!)}`, ctx.keywordCase));
    const names = pending.map((p) => ident(p.name!)).join(', ');
    const fks = pending.filter((p) => p.kind === 'foreign-key');
    const referenced = [...new Set(fks.map((p) => ctx.file.schema.resolve(p.constraint.pktable!)))];

    const phases: Phase[] = [
      {
        slug: slug('add', ...pending.map((p) => p.name!), 'not_valid'),
        summary: `add ${names} NOT VALID: new rows are checked from now on, existing rows are not scanned.`,
        mode: 'transaction',
        statements: [first, ...extra],
        joinsDocument: true,
      },
    ];
    for (const fk of fks) {
      const index = supportingIndex(ctx, stmt, table, fk);
      if (index) phases.push(index);
    }
    phases.push({
      slug: slug('validate', ...pending.map((p) => p.name!)),
      summary:
        `check the existing rows of ${table} against ${names} under ShareUpdateExclusiveLock` +
        (referenced.length ? ` (RowShareLock on ${referenced.join(', ')})` : '') +
        ': reads and writes go on.',
      mode: 'transaction',
      statements: validate,
      joinsDocument: false,
      notes: ['If it fails, some existing rows violate the constraint: fix them and run this migration again.'],
    });
    const kinds = new Set(pending.map((p) => p.kind));
    const plan: RecipePlan = {
      recipe: this.id,
      title: `Add ${names} NOT VALID, then VALIDATE CONSTRAINT in a separate transaction`,
      preferred: true,
      resolves: [...(kinds.has('foreign-key') ? ['fk-without-not-valid'] : []), ...(kinds.has('check') ? ['check-without-not-valid'] : [])],
      touches: [table, ...referenced],
      phases,
    };
    return [plan];
  },
};

/** ADD CONSTRAINT FOREIGN KEY / CHECK without NOT VALID, and ADD COLUMN … DEFAULT … REFERENCES. */
function pendingConstraints(stmt: AlterTableStmt, clauses: Array<{ start: number; end: number }>): Pending[] {
  const out: Pending[] = [];
  (stmt.cmds ?? []).forEach((item, i) => {
    const cmd = asNode(item, 'AlterTableCmd');
    const clause = clauses[i]!;
    if (cmd?.subtype === 'AT_AddConstraint') {
      const c = asNode(cmd.def, 'Constraint');
      // skip_validation: already NOT VALID (or NOT ENFORCED, PostgreSQL 18).
      if (!c || c.skip_validation) return;
      if (c.contype === 'CONSTR_FOREIGN') {
        out.push({ kind: 'foreign-key', form: 'add-constraint', constraint: c, columns: strings(c.fk_attrs), clause, ...named(c) });
      } else if (c.contype === 'CONSTR_CHECK') {
        out.push({ kind: 'check', form: 'add-constraint', constraint: c, columns: [], clause, ...named(c) });
      }
    } else if (cmd?.subtype === 'AT_AddColumn') {
      const column = asNode(cmd.def, 'ColumnDef');
      const constraints = (column?.constraints ?? []).map((c) => asNode(c, 'Constraint'));
      // Without a DEFAULT every value is NULL and PostgreSQL checks nothing.
      if (!column?.colname || !constraints.some((c) => c?.contype === 'CONSTR_DEFAULT')) return;
      for (const c of constraints) {
        if (c?.contype === 'CONSTR_FOREIGN' && !c.skip_validation) {
          out.push({ kind: 'foreign-key', form: 'add-column', constraint: c, column, columns: [column.colname], clause, ...named(c) });
        }
      }
    }
  });
  return out;
}

function named(c: Constraint): { name?: string } {
  return c.conname ? { name: c.conname } : {};
}

function strings(nodes: Constraint['fk_attrs']): string[] {
  return (nodes ?? []).map((n) => asNode(n, 'String')?.sval ?? '');
}

/**
 * Gives unnamed constraints the name PostgreSQL would choose: the statement is replayed on a copy of the catalog,
 * and the new constraints are matched by kind and columns, in order.
 */
function nameConstraints(ctx: RecipeContext, stmt: AlterTableStmt, pending: Pending[]): boolean {
  if (pending.every((p) => p.name)) return true;
  const before = new Set(ctx.file.catalog.constraintsOf(stmt.relation!).map((c) => c.name));
  const copy = ctx.file.catalog.clone();
  copy.apply(ctx.statement.ast!, { statement: -1, textHash: '' });
  const added: CatalogConstraint[] = copy.constraintsOf(stmt.relation!).filter((c) => !before.has(c.name));
  const used = new Set(pending.map((p) => p.name).filter(Boolean));
  for (const p of pending) {
    if (p.name) continue;
    const match = added.find(
      (c) => !used.has(c.name) && c.kind === p.kind && (p.kind === 'check' || sameColumns(c.columns, p.columns)),
    );
    if (!match) return false;
    p.name = match.name;
    used.add(match.name);
  }
  return true;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The text of an ADD COLUMN's REFERENCES constraint: [start, end) from `CONSTRAINT name` or `REFERENCES` to the next
 * column constraint or the clause end; `cut` starts at the whitespace before it, so removing [cut, end) leaves the
 * column definition tidy.
 */
function columnConstraintRange(ctx: RecipeContext, p: Pending): { cut: number; start: number; end: number } | undefined {
  const start = ctx.view.offsetOfLocation(p.constraint.location);
  if (start === undefined) return undefined;
  const next = (p.column?.constraints ?? [])
    .map((c) => ctx.view.offsetOfLocation(asNode(c, 'Constraint')?.location))
    .filter((o): o is number => o !== undefined && o > start)
    .sort((a, b) => a - b)[0];
  let end = Math.min(next ?? p.clause.end, p.clause.end);
  while (end > start && /\s/.test(ctx.view.text[end - 1]!)) end--;
  let cut = start;
  while (cut > p.clause.start && /\s/.test(ctx.view.text[cut - 1]!)) cut--;
  return { cut, start, end };
}

/** A concurrent index on the foreign key's columns, when no valid, non-partial index of the table leads with them. */
function supportingIndex(ctx: RecipeContext, stmt: AlterTableStmt, table: string, fk: Pending): Phase | undefined {
  const relation = ctx.file.catalog.relation(stmt.relation!);
  if (!relation || relation.partial) return undefined;
  const leads = relation.indexes.some(
    (i) =>
      !i.predicate &&
      i.columns.length >= fk.columns.length &&
      fk.columns.every((c) => i.columns.slice(0, fk.columns.length).some((ic) => ic.column === c)),
  );
  if (leads) return undefined;
  const schema = parseQualifiedName(table)?.[0] ?? 'public';
  const name = chooseObjectName(relation.name, nameAddition(fk.columns), 'idx', (n) => ctx.file.catalog.index(qualify(schema, n)) !== undefined);
  const qualified = stmt.relation!.schemaname ? `${ident(stmt.relation!.schemaname)}.${ident(name)}` : ident(name);
  const create = inCase(`CREATE INDEX CONCURRENTLY ${ident(name)} ON ${relationText(stmt.relation!)} (${fk.columns.map(ident).join(', ')})`, ctx.keywordCase);
  const build = concurrentIndexPhase(ctx, { qualified, name, table, create, knownAbsent: ctx.input.base !== undefined });
  return {
    ...build.phase,
    summary: `index the referencing column(s) of ${ident(fk.name!)}, so DELETE and UPDATE on the referenced table do not scan ${table}; ${build.phase.summary}`,
  };
}
