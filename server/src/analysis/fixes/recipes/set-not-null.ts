/**
 * ALTER COLUMN … SET NOT NULL on an existing table → prove it with a CHECK first, so SET NOT NULL skips its scan.
 *
 * SET NOT NULL reads the whole table under AccessExclusiveLock (reads and writes wait). Since PostgreSQL 12 it
 * skips that scan when a VALIDATED `CHECK (c IS NOT NULL)` already proves the column has no NULLs (docs: ALTER
 * TABLE, SET/DROP NOT NULL). So:
 *   1. ADD CONSTRAINT … CHECK (c IS NOT NULL) NOT VALID   where the statement is (brief lock, no scan);
 *   2. VALIDATE CONSTRAINT                                  own transaction, ShareUpdateExclusiveLock, scans;
 *   3. SET NOT NULL, then DROP the helper CHECK             one transaction, AccessExclusiveLock, no scan.
 * The helper check is named `<table>_<column>_not_null_check`, not `<table>_<column>_not_null`, because that is the
 * name PostgreSQL 18 gives the NOT NULL constraint SET NOT NULL creates: a clash would rename it.
 *
 * PostgreSQL 18 can do it in two steps with a NOT NULL constraint itself: `ADD CONSTRAINT … NOT NULL c NOT VALID`,
 * then `VALIDATE CONSTRAINT` (which marks the column NOT NULL). Only PostgreSQL 17 runs in the test suite, so
 * that variant is generated but not proven on a server here.
 */
import type { AlterTableStmt, RangeVar } from '@pgsql/types';
import { asNode } from '../../node-kinds';
import { chooseObjectName } from '../../catalog/names';
import { alterTableClauseRanges } from '../../rules/alter-table-clauses';
import type { Recipe, RecipeContext } from '../recipe';
import type { Phase, RecipePlan } from '../plan';
import { applyEdits, ident, inCase, literal, relationText, slug, type StatementEdit } from '../sql-text';

interface Target {
  column: string;
  clause: { start: number; end: number };
  form: 'set-not-null' | 'add-not-null-constraint';
  /** PostgreSQL 18 NOT NULL constraint name, when the statement gave one. */
  conname?: string;
}

export const setNotNullViaCheck: Recipe = {
  id: 'set-not-null-via-check',
  kinds: ['AlterTableStmt'],
  plans(ctx) {
    const stmt = asNode(ctx.statement.ast, 'AlterTableStmt');
    if (!stmt?.relation || stmt.objtype !== 'OBJECT_TABLE' || ctx.pgVersion < 12) return [];
    if (ctx.file.createdInFile(stmt.relation)) return [];
    const table = ctx.file.schema.resolve(stmt.relation);
    const clauses = alterTableClauseRanges(ctx.view, stmt);
    if (!clauses) return [];
    const targets = targetsOf(stmt, clauses).filter((t) => !ctx.file.hasValidatedNotNullCheck(table, t.column));
    if (targets.length === 0) return [];
    const plan = ctx.pgVersion >= 18 ? notValidNotNull(ctx, stmt, table, targets) : checkThenSetNotNull(ctx, stmt, table, targets);
    return plan ? [plan] : [];
  },
};

function targetsOf(stmt: AlterTableStmt, clauses: Array<{ start: number; end: number }>): Target[] {
  const out: Target[] = [];
  (stmt.cmds ?? []).forEach((item, i) => {
    const cmd = asNode(item, 'AlterTableCmd');
    if (cmd?.subtype === 'AT_SetNotNull' && cmd.name) out.push({ column: cmd.name, clause: clauses[i]!, form: 'set-not-null' });
    if (cmd?.subtype === 'AT_AddConstraint') {
      const c = asNode(cmd.def, 'Constraint');
      if (c?.contype !== 'CONSTR_NOTNULL' || c.skip_validation) return;
      const keys = (c.keys ?? []).map((k) => asNode(k, 'String')?.sval ?? '');
      if (keys.length === 1 && keys[0]) out.push({ column: keys[0], clause: clauses[i]!, form: 'add-not-null-constraint', ...(c.conname ? { conname: c.conname } : {}) });
    }
  });
  return out;
}

export function lockTimeoutFirst(ctx: RecipeContext): string {
  return inCase(`SET LOCAL lock_timeout = ${literal(ctx.policy.lockTimeout)}`, ctx.keywordCase);
}

function checkThenSetNotNull(ctx: RecipeContext, stmt: AlterTableStmt, table: string, targets: Target[]): RecipePlan | undefined {
  if (targets.some((t) => t.form !== 'set-not-null')) return undefined; // ADD CONSTRAINT … NOT NULL exists from 18 on
  const rel = relationText(stmt.relation!);
  const taken = new Set(ctx.file.catalog.constraintsOf(stmt.relation!).map((c) => c.name));
  const checks = targets.map((t) => {
    const name = chooseObjectName(stmt.relation!.relname!, t.column, 'not_null_check', (n) => taken.has(n));
    taken.add(name);
    return name;
  });
  const edits: StatementEdit[] = targets.map((t, i) => ({
    start: t.clause.start,
    end: t.clause.end,
    text: inCase(`ADD CONSTRAINT ${ident(checks[i]!)} CHECK (${ident(t.column)} IS NOT NULL) NOT VALID`, ctx.keywordCase),
  }));
  const setNotNull = targets.map((t) => inCase(`ALTER TABLE ${rel} `, ctx.keywordCase) + ctx.view.text.slice(t.clause.start, t.clause.end));
  const drop = checks.map((c) => inCase(`ALTER TABLE ${rel} DROP CONSTRAINT ${ident(c)}`, ctx.keywordCase));
  const columns = targets.map((t) => ident(t.column)).join(', ');
  const phases: Phase[] = [
    {
      slug: slug('check', stmt.relation!.relname!, ...targets.map((t) => t.column), 'not_null'),
      summary: `add CHECK (${columns} IS NOT NULL) NOT VALID: new rows are checked, existing rows are not scanned.`,
      mode: 'transaction',
      statements: [applyEdits(ctx.view.text, edits)],
      joinsDocument: true,
    },
    {
      slug: slug('validate', ...checks),
      summary: `check the existing rows of ${table} for NULLs under ShareUpdateExclusiveLock: reads and writes go on.`,
      mode: 'transaction',
      statements: checks.map((c) => inCase(`ALTER TABLE ${rel} VALIDATE CONSTRAINT ${ident(c)}`, ctx.keywordCase)),
      joinsDocument: false,
      notes: [`If it fails, some rows have NULL in ${columns}: backfill them and run this migration again.`],
    },
    {
      slug: slug('set', stmt.relation!.relname!, ...targets.map((t) => t.column), 'not_null'),
      summary: `SET NOT NULL, which skips its scan because the validated CHECK proves it (PostgreSQL ≥ 12), then drop the helper CHECK; a brief AccessExclusiveLock, bounded by lock_timeout.`,
      mode: 'transaction',
      statements: [lockTimeoutFirst(ctx), ...setNotNull, ...drop],
      joinsDocument: false,
      notes: ['If it times out waiting for its lock, run it again: it only waits, it does not scan.'],
    },
  ];
  return {
    recipe: 'set-not-null-via-check',
    title: `Prove ${columns} NOT NULL with a validated CHECK first, so SET NOT NULL does not scan ${table}`,
    preferred: true,
    resolves: ['set-not-null-scan'],
    touches: [table],
    phases,
  };
}

/**
 * The NOT NULL sequence for columns of an existing table, for recipes that need it first (a primary key on
 * nullable columns): helper CHECKs to add NOT VALID, then a VALIDATE phase and a SET NOT NULL + DROP phase.
 */
export function notNullSequence(
  ctx: RecipeContext,
  relation: RangeVar,
  table: string,
  columns: readonly string[],
): { checks: string[]; validate: Phase; setNotNull: Phase } {
  const rel = relationText(relation);
  const relname = relation.relname!;
  const taken = new Set(ctx.file.catalog.constraintsOf(relation).map((c) => c.name));
  const names = columns.map((c) => {
    const name = chooseObjectName(relname, c, 'not_null_check', (n) => taken.has(n));
    taken.add(name);
    return name;
  });
  const list = columns.map(ident).join(', ');
  return {
    checks: columns.map((c, i) => inCase(`ALTER TABLE ${rel} ADD CONSTRAINT ${ident(names[i]!)} CHECK (${ident(c)} IS NOT NULL) NOT VALID`, ctx.keywordCase)),
    validate: {
      slug: slug('validate', ...names),
      summary: `check the existing rows of ${table} for NULLs in ${list} under ShareUpdateExclusiveLock: reads and writes go on.`,
      mode: 'transaction',
      statements: names.map((n) => inCase(`ALTER TABLE ${rel} VALIDATE CONSTRAINT ${ident(n)}`, ctx.keywordCase)),
      joinsDocument: false,
      notes: [`If it fails, some rows have NULL in ${list}: fix them and run this migration again.`],
    },
    setNotNull: {
      slug: slug('set', relname, ...columns, 'not_null'),
      summary: `SET NOT NULL on ${list}, which skips its scan because the validated CHECK proves it, then drop the helper CHECK.`,
      mode: 'transaction',
      statements: [
        lockTimeoutFirst(ctx),
        ...columns.map((c) => inCase(`ALTER TABLE ${rel} ALTER COLUMN ${ident(c)} SET NOT NULL`, ctx.keywordCase)),
        ...names.map((n) => inCase(`ALTER TABLE ${rel} DROP CONSTRAINT ${ident(n)}`, ctx.keywordCase)),
      ],
      joinsDocument: false,
      notes: ['If it times out waiting for its lock, run it again: it only waits, it does not scan.'],
    },
  };
}

/** PostgreSQL 18: a NOT NULL constraint can itself be added NOT VALID and validated later. */
function notValidNotNull(ctx: RecipeContext, stmt: AlterTableStmt, table: string, targets: Target[]): RecipePlan | undefined {
  const rel = relationText(stmt.relation!);
  const taken = new Set(ctx.file.catalog.constraintsOf(stmt.relation!).map((c) => c.name));
  const names = targets.map((t) => {
    if (t.conname) return t.conname;
    const name = chooseObjectName(stmt.relation!.relname!, t.column, 'not_null', (n) => taken.has(n));
    taken.add(name);
    return name;
  });
  const edits: StatementEdit[] = targets.map((t, i) =>
    t.form === 'set-not-null'
      ? { start: t.clause.start, end: t.clause.end, text: inCase(`ADD CONSTRAINT ${ident(names[i]!)} NOT NULL ${ident(t.column)} NOT VALID`, ctx.keywordCase) }
      : { start: t.clause.end, end: t.clause.end, text: ` ${inCase('NOT VALID', ctx.keywordCase)}` },
  );
  const columns = targets.map((t) => ident(t.column)).join(', ');
  return {
    recipe: 'set-not-null-via-check',
    title: `Add the NOT NULL constraint on ${columns} NOT VALID, then VALIDATE it in a separate transaction (PostgreSQL 18)`,
    preferred: true,
    resolves: ['set-not-null-scan'],
    touches: [table],
    phases: [
      {
        slug: slug('not_null', stmt.relation!.relname!, ...targets.map((t) => t.column), 'not_valid'),
        summary: `add NOT NULL ${columns} NOT VALID: new rows are checked, existing rows are not scanned.`,
        mode: 'transaction',
        statements: [applyEdits(ctx.view.text, edits)],
        joinsDocument: true,
      },
      {
        slug: slug('validate', ...names),
        summary: `check the existing rows of ${table} for NULLs under ShareUpdateExclusiveLock; the column is NOT NULL once it succeeds.`,
        mode: 'transaction',
        statements: names.map((n) => inCase(`ALTER TABLE ${rel} VALIDATE CONSTRAINT ${ident(n)}`, ctx.keywordCase)),
        joinsDocument: false,
        notes: [`If it fails, some rows have NULL in ${columns}: backfill them and run this migration again.`],
      },
    ],
  };
}
