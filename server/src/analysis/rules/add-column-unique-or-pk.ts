import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { addedColumnsOnExistingTable, rewriteCauseOf } from './column-definitions';
import { isNullConstant } from '../lockmodel/facts/alter-table-shared';

/**
 * ADD COLUMN … UNIQUE / PRIMARY KEY builds the new unique index inside the ALTER TABLE, reading every row while
 * holding AccessExclusiveLock (fact alter-table.add-column.verified: scans the table). The safe way builds the index
 * CONCURRENTLY first and attaches it with ADD CONSTRAINT … USING INDEX (a catalog change).
 * Not reported here: a column whose ADD rewrites the table anyway (serial, identity, volatile default… — the
 * rewrite rules say the index is built in the same pass), and a PRIMARY KEY without a value for the existing rows
 * (add-column-required: the statement fails on a non-empty table).
 */
export const addColumnUniqueOrPk = defineRule({
  meta: {
    id: 'add-column-unique-or-pk',
    description: 'ADD COLUMN … UNIQUE / PRIMARY KEY builds a unique index on an existing table under AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('add-column-unique-or-pk'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const added of addedColumnsOnExistingTable(context, stmt)) {
      const { column, constraints } = added;
      const key = constraints.find((c) => c.contype === 'CONSTR_PRIMARY') ?? constraints.find((c) => c.contype === 'CONSTR_UNIQUE');
      if (!key) continue;
      if (rewriteCauseOf(context, column, constraints)) continue;
      const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
      const hasValue = defaultExpr !== undefined && !isNullConstant(defaultExpr);
      const generated = constraints.some((c) => c.contype === 'CONSTR_GENERATED');
      if (key.contype === 'CONSTR_PRIMARY' && !hasValue && !generated) continue;
      const table = context.file.schema.resolve(stmt.relation!);
      const effect = added.effect;
      const sized = sizedSeverity(context, [table, ...effect.scans], addColumnUniqueOrPk.meta.defaultSeverity);
      const kind = key.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
      // A constant DEFAULT gives every existing row the same value: the unique index cannot be built on 2+ rows.
      const sameValue = hasValue ? ` Note: the constant DEFAULT gives every existing row the same value, so the build fails once ${table} has two rows.` : '';
      const attach =
        kind === 'PRIMARY KEY'
          ? `make it NOT NULL (see set-not-null-scan), then ADD CONSTRAINT … PRIMARY KEY USING INDEX`
          : `then ADD CONSTRAINT … UNIQUE USING INDEX`;
      context.report({
        message:
          `ADD COLUMN ${column.colname} … ${kind} builds a unique index over every row of ${table} while holding AccessExclusiveLock: ` +
          `reads and writes wait until the build ends (${sized.phrase}).${sameValue} Add the column without ${kind}, ` +
          `CREATE UNIQUE INDEX CONCURRENTLY on it (outside a transaction), ${attach}.`,
        severity: sized.severity,
        data: {
          table,
          column: column.colname,
          constraint: kind === 'PRIMARY KEY' ? 'primary-key' : 'unique',
          lock: 'AccessExclusiveLock',
          ...sizeData(sized),
        },
        ...(added.range ? { range: added.range } : {}),
      });
    }
  },
});
