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
 * A serial column gets the same shape with the sequence serial would create (serialPlan). Column constraints other
 * than DEFAULT and NOT NULL (UNIQUE, REFERENCES, CHECK, identity, generated) are not handled: no fix is offered for
 * them, and `blockers` says why for each.
 */
import type { AlterTableStmt, ColumnDef, Constraint } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { chooseObjectName } from '../../catalog/names';
import { alterTableClauseRanges } from '../../rules/alter-table-clauses';
import type { Recipe, RecipeBlocker, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { applyEdits, ident, inCase, literal, relationText, slug } from '../sql-text';
import { backfillPhase, batchKeyOf, type BatchKey } from './backfill';

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
    // serial: nextval() numbers every existing row in a rewrite (rule add-column-serial-or-identity).
    const serials = new Set(
      ctx.findings.filter((f) => f.rule === 'add-column-serial-or-identity' && f.data?.reason === 'serial').map((f) => String(f.data?.column)),
    );
    const clauses = alterTableClauseRanges(ctx.view, stmt);
    if (!clauses || flagged.size + serials.size === 0) return [];
    // The backfill's `c IS NULL` skips rows already done, so a table without a primary key is walked by ctid.
    const key = batchKeyOf(ctx, stmt.relation, true);
    if (!key) return [];
    const plans: RecipePlan[] = [];
    (stmt.cmds ?? []).forEach((item, i) => {
      const cmd = asNode(item, 'AlterTableCmd');
      const column = asNode(cmd?.def, 'ColumnDef');
      if (cmd?.subtype !== 'AT_AddColumn' || !column?.colname) return;
      if (serials.has(column.colname) && !cmd.missing_ok) {
        const plan = serialPlan(ctx, stmt, table, column, clauses[i]!, key);
        if (plan) plans.push(plan);
        return;
      }
      if (!flagged.has(column.colname)) return;
      const plan = planFor(ctx, stmt, table, column, clauses[i]!, key);
      if (plan) plans.push(plan);
    });
    return plans;
  },
  blockers(ctx) {
    const stmt = asNode(ctx.statement.ast, 'AlterTableStmt');
    if (!stmt?.relation || stmt.objtype !== 'OBJECT_TABLE' || ctx.file.createdInFile(stmt.relation)) return [];
    const out: RecipeBlocker[] = [];
    for (const item of stmt.cmds ?? []) {
      const cmd = asNode(item, 'AlterTableCmd');
      const column = asNode(cmd?.def, 'ColumnDef');
      if (cmd?.subtype !== 'AT_AddColumn' || !column?.colname) continue;
      const rules = [...new Set(ctx.findings.filter((f) => REWRITE_RULES.has(f.rule) && f.data?.column === column.colname).map((f) => f.rule))];
      if (rules.length === 0) continue;
      const reasons = columnBlockers(column, ctx.pgVersion);
      if (reasons.length > 0) out.push({ title: `Add ${ident(column.colname)} without a rewrite: batched backfill instead`, resolves: rules, reasons });
    }
    return out;
  },
};

/** The integer type behind a serial type name, or undefined for any other type. */
function serialBase(column: ColumnDef): 'smallint' | 'integer' | 'bigint' | undefined {
  const names = column.typeName?.names ?? [];
  if (names.length !== 1 || column.typeName?.arrayBounds?.length) return undefined;
  const name = asNode(names[0], 'String')?.sval;
  return name === 'smallserial' || name === 'serial2' ? 'smallint' : name === 'serial' || name === 'serial4' ? 'integer' : name === 'bigserial' || name === 'serial8' ? 'bigint' : undefined;
}

/**
 * ADD COLUMN c serial → what serial expands to, without the rewrite: the sequence (AS the column's type, OWNED BY
 * the column, as PostgreSQL makes it), a plain column with DEFAULT nextval(…) for new rows, a batched backfill of
 * nextval() for the existing ones, and NOT NULL (serial implies it) through a validated CHECK. The end state is the
 * original's; existing rows are numbered in key order rather than in the rewrite's physical order.
 */
function serialPlan(
  ctx: RecipeContext,
  stmt: AlterTableStmt,
  table: string,
  column: ColumnDef,
  clause: { start: number; end: number },
  key: BatchKey,
): RecipePlan | undefined {
  const base = serialBase(column);
  const constraints = (column.constraints ?? []).map((c) => asNode(c, 'Constraint'));
  if (!base || constraints.some((c) => c?.contype !== 'CONSTR_NOTNULL')) return undefined;
  const relation = stmt.relation!;
  const rel = relationText(relation);
  const col = ident(column.colname!);
  const relname = relation.relname!;
  const schema = ctx.file.schema.resolve(relation).split('.')[0]!;
  const sequenceName = chooseObjectName(relname, column.colname!, 'seq', (n) => ctx.file.catalog.relation(`${schema}.${ident(n)}`) !== undefined || ctx.file.catalog.index(`${schema}.${ident(n)}`) !== undefined);
  const sequence = relation.schemaname ? `${ident(relation.schemaname)}.${ident(sequenceName)}` : ident(sequenceName);
  const nextval = `nextval(${literal(sequence)}::regclass)`;
  const taken = new Set(ctx.file.catalog.constraintsOf(relation).map((c) => c.name));
  const check = chooseObjectName(relname, column.colname!, 'not_null_check', (n) => taken.has(n));
  const add = inCase(`ADD COLUMN ${col} ${base}`, ctx.keywordCase);
  const phases: Phase[] = [
    {
      slug: slug('add', relname, column.colname!),
      summary: `create ${sequence}, add ${col} as a plain ${base} owned-by column with DEFAULT ${nextval} for new rows (no rewrite), and CHECK it NOT NULL (NOT VALID: no scan).`,
      mode: 'transaction',
      statements: [
        inCase(`CREATE SEQUENCE ${sequence} AS ${base}`, ctx.keywordCase),
        applyEdits(ctx.view.text, [{ start: clause.start, end: clause.end, text: add }]),
        inCase(`ALTER SEQUENCE ${sequence} OWNED BY ${rel}.${col}`, ctx.keywordCase),
        inCase(`ALTER TABLE ${rel} ALTER COLUMN ${col} SET DEFAULT `, ctx.keywordCase) + nextval,
        inCase(`ALTER TABLE ${rel} ADD CONSTRAINT ${ident(check)} CHECK (${col} IS NOT NULL) NOT VALID`, ctx.keywordCase),
      ],
      joinsDocument: true,
    },
    backfillPhase(
      ctx,
      {
        relation,
        table,
        set: `${col} = ${nextval}`,
        where: inCase(`${col} IS NULL`, ctx.keywordCase),
        what: `${relname}_${column.colname}`,
        rerun: `Resumable: if it stops, run it again; rows already numbered are skipped.`,
      },
      key,
    ),
    ...notNullPhases(ctx, rel, table, col, check, { relname, column: column.colname! }),
  ];
  return {
    recipe: 'add-column-then-backfill',
    title: `Add ${col} ${base} with its own sequence without a rewrite: default for new rows, batched numbering, then NOT NULL without a scan`,
    preferred: true,
    resolves: ['add-column-serial-or-identity'],
    touches: [table],
    phases,
  };
}

/** Rules that flag an ADD COLUMN for rewriting the table. */
const REWRITE_RULES = new Set(['add-column-volatile-default', 'add-column-serial-or-identity', 'add-column-generated-stored']);

/** Why the recipe cannot phase this column definition (empty when it can, or when it just has no DEFAULT to move). */
function columnBlockers(column: ColumnDef, pgVersion: number): string[] {
  const c = ident(column.colname!);
  const reasons: string[] = [];
  for (const k of (column.constraints ?? []).map((n) => asNode(n, 'Constraint'))) {
    switch (k?.contype) {
      case 'CONSTR_IDENTITY':
        reasons.push(
          `${c} is an identity column: it cannot be added empty and backfilled (an identity column is NOT NULL and filled on ADD). The manual path: add a plain bigint column, backfill it in batches, SET NOT NULL via a validated CHECK, then ALTER COLUMN ${c} ADD GENERATED BY DEFAULT AS IDENTITY and RESTART it past max(${c}); the recipe does not write it because the end state (BY DEFAULT, restarted sequence) is not what the statement asks for`,
        );
        break;
      case 'CONSTR_GENERATED':
        reasons.push(
          `${c} is GENERATED … STORED: PostgreSQL computes it for every existing row when it is added and a generated column cannot be written, so there is nothing to backfill in phases${pgVersion >= 18 ? '; make it VIRTUAL (PostgreSQL 18: computed on read, no rewrite)' : ''}, or replace it by a plain column kept current by a trigger (a different column definition, so not offered as a fix)`,
        );
        break;
      case 'CONSTR_UNIQUE':
      case 'CONSTR_PRIMARY':
      case 'CONSTR_FOREIGN':
      case 'CONSTR_CHECK':
        reasons.push(
          `${c} is declared with ${k.contype.slice(7).replace('FOREIGN', 'REFERENCES').replace('PRIMARY', 'PRIMARY KEY')}: write it as a separate ALTER TABLE … ADD CONSTRAINT after the column, and Lockstep offers the phased fix for each statement`,
        );
        break;
      default:
        break;
    }
  }
  return reasons;
}

function planFor(
  ctx: RecipeContext,
  stmt: AlterTableStmt,
  table: string,
  column: ColumnDef,
  clause: { start: number; end: number },
  key: BatchKey,
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
  if (notNull) phases.push(...notNullPhases(ctx, rel, table, col, check, { relname, column: column.colname! }));
  return {
    recipe: 'add-column-then-backfill',
    title: `Add ${col} without a rewrite: default for new rows, batched backfill${notNull ? ', then NOT NULL without a scan' : ''}`,
    preferred: true,
    resolves: ['add-column-volatile-default'],
    touches: [table],
    phases,
  };
}

/** VALIDATE the helper CHECK (no lock that blocks reads or writes), then SET NOT NULL without a scan and drop it. */
function notNullPhases(ctx: RecipeContext, rel: string, table: string, col: string, check: string, names: { relname: string; column: string }): Phase[] {
  return [
    {
      slug: slug('validate', check),
      summary: `check that no row of ${table} has a NULL ${col}, under ShareUpdateExclusiveLock: reads and writes go on.`,
      mode: 'transaction',
      statements: [inCase(`ALTER TABLE ${rel} VALIDATE CONSTRAINT ${ident(check)}`, ctx.keywordCase)],
      joinsDocument: false,
      notes: [`If it fails, the backfill has not reached every row: run it again, then this.`],
    },
    {
      slug: slug('set', names.relname, names.column, 'not_null'),
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
  ];
}
