import type { Severity } from '../types';
import { defineRule, ruleDocPath } from './rule';
import { formatRows } from './table-size';
import { addedColumnsOnExistingTable, rewriteCauseOf } from './column-definitions';
import { isNullConstant } from '../lockmodel/facts/alter-table-shared';

/**
 * ADD COLUMN … NOT NULL (or PRIMARY KEY, which implies NOT NULL) without a DEFAULT gives every existing row a NULL,
 * so PostgreSQL refuses it as soon as the table has one row: `ERROR: column "c" of relation "t" contains null
 * values`. The lock model records the scan it makes to find out (fact alter-table.add-column.verified: only an
 * empty table passes). Serial, identity and generated columns get values, so they are not reported here.
 * Severity follows what is known of the table: rows → error (it will fail), empty → info, unknown → warning.
 */
export const addColumnRequired = defineRule({
  meta: {
    id: 'add-column-required',
    description: 'ADD COLUMN … NOT NULL without a DEFAULT on an existing table fails as soon as the table has a row.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('add-column-required'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const added of addedColumnsOnExistingTable(context, stmt)) {
      const { column, constraints } = added;
      const notNull = constraints.find((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
      if (!notNull) continue;
      const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
      if (defaultExpr !== undefined && !isNullConstant(defaultExpr)) continue;
      if (constraints.some((c) => c.contype === 'CONSTR_GENERATED')) continue;
      const cause = rewriteCauseOf(context, column, constraints);
      if (cause?.cause === 'identity' || cause?.cause === 'serial') continue;
      const table = context.file.schema.resolve(stmt.relation!);
      const rows = context.file.tableRows(table);
      const severity: Severity = rows === undefined ? addColumnRequired.meta.defaultSeverity : rows > 0 ? 'error' : 'info';
      const size =
        rows === undefined
          ? 'the table size is unknown (give it in lockstep.json "tables")'
          : rows > 0
            ? `${table} has about ${formatRows(rows)} rows, so it will fail`
            : `${table} is empty per the project's table sizes, so it passes there`;
      const form = notNull.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY (NOT NULL)' : 'NOT NULL';
      context.report({
        message:
          `ADD COLUMN ${column.colname} ${form} without a DEFAULT fails on ${table} if the table has any row (existing rows would be NULL: ` +
          `"column contains null values"); ${size}. Add the column nullable, backfill it in batches, then add CHECK (${column.colname} IS NOT NULL) NOT VALID, ` +
          `VALIDATE it and SET NOT NULL — or give a constant DEFAULT (no rewrite since PostgreSQL 11).`,
        severity,
        data: { table, column: column.colname, form: notNull.contype === 'CONSTR_PRIMARY' ? 'primary-key' : 'not-null', ...(rows !== undefined ? { rows } : {}) },
        ...(added.range ? { range: added.range } : {}),
      });
    }
  },
});
