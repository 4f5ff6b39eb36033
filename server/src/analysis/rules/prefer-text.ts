import { defineRule, ruleDocPath } from './rule';
import { definedColumns, typeNameOf, typeRange } from './column-definitions';

/**
 * varchar(n) is stored and compared exactly like text; the only difference is the length check, a business rule
 * wired into the type. Changing it later: raising n keeps the rows (lock model: alter-table.alter-column-type.in-place,
 * no rewrite) but still takes AccessExclusiveLock and rebuilds expression and partial indexes on the column;
 * lowering n rewrites the table. text with CHECK (char_length(c) <= n) can be changed by adding the new CHECK
 * NOT VALID and validating it (ShareUpdateExclusiveLock: reads and writes continue). Mild, so a hint by default.
 */
export const preferText = defineRule({
  meta: {
    id: 'prefer-text',
    description: 'A varchar(n) column: the length limit is better a CHECK on text (changeable without AccessExclusiveLock).',
    defaultSeverity: 'hint',
    docs: ruleDocPath('prefer-text'),
  },
  kinds: ['CreateStmt', 'AlterTableStmt'],
  check(context, stmt) {
    const kind = context.statement.kind as 'CreateStmt' | 'AlterTableStmt';
    for (const defined of definedColumns(context, stmt, kind)) {
      const { column } = defined;
      if (typeNameOf(column.typeName) !== 'varchar' || (column.typeName?.typmods?.length ?? 0) === 0) continue;
      const range = typeRange(context.statement, column.typeName);
      const written = range ? context.statement.text.slice(range.start, range.end) : 'varchar(n)';
      context.report({
        message:
          `${defined.table}.${column.colname} is ${written}: PostgreSQL stores it like text, the limit is only a check. Raising it later needs ` +
          `AccessExclusiveLock (no rewrite); lowering it rewrites the table. text with CHECK (char_length(${column.colname}) <= n) can be changed ` +
          `with NOT VALID + VALIDATE while reads and writes continue.`,
        data: { table: defined.table, column: column.colname, type: written, form: defined.form },
        ...(range ? { range } : {}),
      });
    }
  },
});
