/**
 * ADD COLUMN with a volatile DEFAULT (and possibly NOT NULL) → add the column plain, set the default for new
 * rows, backfill the existing rows in batches, then make it NOT NULL without a scan under a strong lock.
 *
 * Why: since PostgreSQL 11 a constant default is stored once, but a VOLATILE one (random(), clock_timestamp(),
 * gen_random_uuid(), nextval(), a user function not declared otherwise) must be computed per row, so ADD COLUMN
 * rewrites the table and its indexes under AccessExclusiveLock (docs: ALTER TABLE, Notes). Instead:
 *   1. ADD COLUMN c <type> (no default: no rewrite); SET DEFAULT <expr> (new rows only, no rewrite); for NOT NULL,
 *      CHECK (c IS NOT NULL) NOT VALID — so no new NULLs arrive — all where the statement was;
 *   2. a batched backfill of the existing rows (backfill.ts), outside a transaction;
 *   3. for NOT NULL: VALIDATE the CHECK (ShareUpdateExclusiveLock), then SET NOT NULL — which skips its scan
 *      because the validated CHECK proves it (PostgreSQL ≥ 12) — and drop the helper CHECK.
 * Column constraints other than DEFAULT and NOT NULL (UNIQUE, REFERENCES, CHECK, identity, generated) are not
 * handled: no fix is offered for them.
 */
import type { AlterTableStmt, ColumnDef, Constraint } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { chooseObjectName } from '../../catalog/names';
import { alterTableClauseRanges } from '../../rules/alter-table-clauses';
import type { Recipe, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { applyEdits, ident, inCase, literal, relationText, slug } from '../sql-text';
import { backfillPhase, primaryKeyColumn } from './backfill';

const HANDLED = new Set(['CONSTR_DEFAULT', 'CONSTR_NOTNULL', 'CONSTR_NULL']);

export const addColumnThenBackfill: Recipe = {
  id: 'add-column-then-backfill',
  kinds: ['AlterTableStmt'],
  plans(ctx) {
    const stmt = asNode(ctx.statement.ast, 'AlterTableStmt');
    if (!stmt?.relation || stmt.objtype !== 'OBJECT_TABLE' || ctx.pgVersion < 12) return [];
    if (ctx.file.createdInFile(stmt.relation)) return [];
    const table = ctx.file.schema.resolve(stmt.relation);
    const flagged = new Set(
      ctx.findings
        .filter((f) => f.rule === 'add-column-volatile-default' && (f.data?.reason === 'volatile-default' || f.data?.reason === 'unknown-volatility'))
        .map((f) => String(f.data?.column)),
    );
    const clauses = alterTableClauseRanges(ctx.view, stmt);
    if (!clauses || flagged.size === 0) return [];
    const key = primaryKeyColumn(ctx, stmt.relation);
    if (!key) return [];
    const plans: RecipePlan[] = [];
    (stmt.cmds ?? []).forEach((item, i) => {
      const cmd = asNode(item, 'AlterTableCmd');
      const column = asNode(cmd?.def, 'ColumnDef');
      if (cmd?.subtype !== 'AT_AddColumn' || !column?.colname || !flagged.has(column.colname)) return;
      const plan = planFor(ctx, stmt, table, column, clauses[i]!, key);
      if (plan) plans.push(plan);
    });
    return plans;
  },
};

function planFor(
  ctx: RecipeContext,
  stmt: AlterTableStmt,
  table: string,
  column: ColumnDef,
  clause: { start: number; end: number },
  key: string,
): RecipePlan | undefined {
  const constraints = (column.constraints ?? []).map((c) => asNode(c, 'Constraint')).filter((c): c is Constraint => !!c);
  if (constraints.some((c) => !HANDLED.has(c.contype ?? ''))) return undefined;
  const def = constraints.find((c) => c.contype === 'CONSTR_DEFAULT');
  const notNull = constraints.some((c) => c.contype === 'CONSTR_NOTNULL');
  if (!def) return undefined;
  // The column part of the clause ends where its first constraint starts.
  const starts = constraints.map((c) => ctx.view.offsetOfLocation(c.location)).filter((o): o is number => o !== undefined);
  if (starts.length !== constraints.length) return undefined;
  const firstConstraint = Math.min(...starts);
  const columnText = ctx.view.text.slice(clause.start, firstConstraint).trimEnd();
  const defStart = ctx.view.offsetOfLocation(def.location)!;
  const defEnd = Math.min(clause.end, ...starts.filter((s) => s > defStart));
  const expression = ctx.view.text.slice(defStart, defEnd).trim().replace(/^default\s+/i, '');

  const rel = relationText(stmt.relation!);
  const col = ident(column.colname!);
  const relname = stmt.relation!.relname!;
  const taken = new Set(ctx.file.catalog.constraintsOf(stmt.relation!).map((c) => c.name));
  const check = chooseObjectName(relname, column.colname!, 'not_null_check', (n) => taken.has(n));

  const first = [
    applyEdits(ctx.view.text, [{ start: clause.start, end: clause.end, text: columnText }]),
    inCase(`ALTER TABLE ${rel} ALTER COLUMN ${col} SET DEFAULT `, ctx.keywordCase) + expression,
    ...(notNull ? [inCase(`ALTER TABLE ${rel} ADD CONSTRAINT ${ident(check)} CHECK (${col} IS NOT NULL) NOT VALID`, ctx.keywordCase)] : []),
  ];
  const phases: Phase[] = [
    {
      slug: slug('add', relname, column.colname!),
      summary: `add ${col} without a default (no rewrite), then SET DEFAULT ${expression} for new rows${notNull ? ' and CHECK it NOT NULL (NOT VALID: no scan)' : ''}.`,
      mode: 'transaction',
      statements: first,
      joinsDocument: true,
    },
    backfillPhase(
      ctx,
      {
        relation: stmt.relation!,
        table,
        set: `${col} = ${expression}`,
        where: inCase(`${col} IS NULL`, ctx.keywordCase),
        what: `${relname}_${column.colname}`,
        rerun: `Resumable: if it stops, run it again; rows whose ${col} is already set are skipped.`,
      },
      key,
    ),
  ];
  if (notNull) {
    phases.push(
      {
        slug: slug('validate', check),
        summary: `check that no row of ${table} has a NULL ${col}, under ShareUpdateExclusiveLock: reads and writes go on.`,
        mode: 'transaction',
        statements: [inCase(`ALTER TABLE ${rel} VALIDATE CONSTRAINT ${ident(check)}`, ctx.keywordCase)],
        joinsDocument: false,
        notes: [`If it fails, the backfill has not reached every row: run it again, then this.`],
      },
      {
        slug: slug('set', relname, column.colname!, 'not_null'),
        summary: `SET NOT NULL, which skips its scan because the validated CHECK proves it, then drop the helper CHECK; a brief AccessExclusiveLock, bounded by lock_timeout.`,
        mode: 'transaction',
        statements: [
          inCase(`SET LOCAL lock_timeout = ${literal(ctx.policy.lockTimeout)}`, ctx.keywordCase),
          inCase(`ALTER TABLE ${rel} ALTER COLUMN ${col} SET NOT NULL`, ctx.keywordCase),
          inCase(`ALTER TABLE ${rel} DROP CONSTRAINT ${ident(check)}`, ctx.keywordCase),
        ],
        joinsDocument: false,
        notes: ['If it times out waiting for its lock, run it again: it only waits, it does not scan.'],
      },
    );
  }
  return {
    recipe: 'add-column-then-backfill',
    title: `Add ${col} without a rewrite: default for new rows, batched backfill${notNull ? ', then NOT NULL without a scan' : ''}`,
    preferred: true,
    resolves: ['add-column-volatile-default'],
    touches: [table],
    phases,
  };
}
