import type { ColumnDef, Constraint } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { qualifiedName } from '../relations';
import { asNode } from '../node-kinds';
import { explainVolatility, type FunctionVolatilityLookup } from '../pgfacts/volatility';
import { alterTableClauseRanges } from './alter-table-clauses';

/** Why adding this column computes a value for every existing row. */
type RewriteReason =
  | { reason: 'volatile-default'; function: string; culprit: string }
  | { reason: 'unknown-volatility'; function: string; culprit: string }
  | { reason: 'serial'; type: string }
  | { reason: 'identity' }
  | { reason: 'stored-generated' };

const SERIAL_TYPES = new Set(['smallserial', 'serial2', 'serial', 'serial4', 'bigserial', 'serial8']);

/**
 * Since PostgreSQL 11, ADD COLUMN with a non-volatile DEFAULT stores the value once in the catalog and leaves
 * the rows alone. A value that must be computed per row — a VOLATILE default, a serial or identity column (a
 * nextval() per row), a STORED generated column — makes PostgreSQL rewrite the table and all its indexes while
 * holding AccessExclusiveLock. (Before 11 every non-null default rewrote; Lockstep supports 12–18.)
 * https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
 */
export const addColumnVolatileDefault = defineRule({
  meta: {
    id: 'add-column-volatile-default',
    description:
      'ADD COLUMN with a volatile DEFAULT, serial, identity or stored generated column rewrites an existing table under AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('add-column-volatile-default'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = qualifiedName(stmt.relation);
    const clauses = alterTableClauseRanges(context.statement, stmt);
    (stmt.cmds ?? []).forEach((item, index) => {
      const cmd = asNode(item, 'AlterTableCmd');
      if (cmd?.subtype !== 'AT_AddColumn') return;
      const column = asNode(cmd.def, 'ColumnDef');
      if (!column?.colname) return;
      const found = rewriteReason(column, context.pgVersion, context.file.functionVolatility);
      if (!found) return;
      const clause = clauses?.[index];
      context.report({
        message: messageFor(found, table, column.colname),
        data: { table, column: column.colname, lock: 'AccessExclusiveLock', ...withoutCulprit(found) },
        ...(clause ? { range: clause } : {}),
      });
    });
  },
});

function rewriteReason(column: ColumnDef, pgVersion: number, userFunctions: FunctionVolatilityLookup): RewriteReason | undefined {
  const constraints = (column.constraints ?? []).map((c) => asNode(c, 'Constraint')).filter((c): c is Constraint => !!c);
  if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY')) return { reason: 'identity' };
  const typeNames = (column.typeName?.names ?? []).map((n) => asNode(n, 'String')?.sval ?? '');
  const typeName = typeNames.length === 1 ? typeNames[0]! : '';
  if (SERIAL_TYPES.has(typeName) && !column.typeName?.arrayBounds?.length) return { reason: 'serial', type: typeName };
  const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
  // Without STORED, PostgreSQL 18 makes the column VIRTUAL: computed on read, no rewrite. (12–17 require STORED.)
  if (generated && (generated.generated_kind === 's' || pgVersion < 18)) return { reason: 'stored-generated' };
  const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
  if (!defaultExpr) return undefined;
  const verdict = explainVolatility(defaultExpr, userFunctions);
  if (verdict.volatility !== 'volatile' && verdict.volatility !== 'unknown') return undefined;
  const name = verdict.culprit?.name ?? '';
  const culprit =
    verdict.culprit?.kind === 'function' ? `${name}()` : verdict.culprit?.kind === 'operator' ? `operator ${name}` : `a ${name} node`;
  return verdict.volatility === 'volatile'
    ? { reason: 'volatile-default', function: name, culprit }
    : { reason: 'unknown-volatility', function: name, culprit };
}

function messageFor(found: RewriteReason, table: string, column: string): string {
  const effect = `PostgreSQL rewrites all of ${table} and its indexes under AccessExclusiveLock: reads and writes wait until it finishes.`;
  switch (found.reason) {
    case 'volatile-default':
      return `ADD COLUMN ${column} has a DEFAULT calling ${found.culprit}, which is VOLATILE and must run once per row, so ${effect} Add the column without a default, SET DEFAULT for new rows, then backfill in batches.`;
    case 'unknown-volatility':
      // Not a lower severity: CREATE FUNCTION makes a function VOLATILE unless it says otherwise.
      return `ADD COLUMN ${column} has a DEFAULT using ${found.culprit}, whose volatility Lockstep does not know (functions are VOLATILE unless declared otherwise). If it is VOLATILE, ${effect} Check pg_proc.provolatile, or add the column without a default and backfill.`;
    case 'serial':
      return `ADD COLUMN ${column} ${found.type} fills every existing row from a sequence (nextval() is VOLATILE), so ${effect} Add a plain integer column, set the sequence as its default, then backfill in batches.`;
    case 'identity':
      return `ADD COLUMN ${column} … GENERATED AS IDENTITY fills every existing row from a new sequence, so ${effect} Add a plain column, backfill it in batches, SET NOT NULL, then ALTER COLUMN … ADD GENERATED BY DEFAULT AS IDENTITY (no rewrite).`;
    case 'stored-generated':
      return `ADD COLUMN ${column} … GENERATED ALWAYS AS (…) STORED computes the value for every existing row, so ${effect} Add a plain column kept up to date by a trigger and backfill in batches (PostgreSQL 18: a VIRTUAL generated column needs no rewrite).`;
  }
}

/** `culprit` is display text for the message; tests and tools get the bare name in `function`. */
function withoutCulprit(found: RewriteReason): Record<string, string> {
  const { culprit: _display, ...rest } = found as RewriteReason & { culprit?: string };
  return rest;
}
