import { defineRule, ruleDocPath } from './rule';
import { definedColumns, typeNameOf, typeRange } from './column-definitions';

/**
 * A `json` column stores the text as written: every read re-parses it, it has no equality operator (so no
 * DISTINCT, GROUP BY, UNIQUE or plain B-tree index on it) and no GIN operator class. `jsonb` stores the parsed
 * form and has both. Keep `json` only to preserve key order, duplicate keys or exact whitespace.
 * https://www.postgresql.org/docs/current/datatype-json.html
 * A style rule: new tables are where it matters, so they are not exempt.
 */
export const addColumnJson = defineRule({
  meta: {
    id: 'add-column-json',
    description: 'A column of type json (CREATE TABLE or ADD COLUMN): prefer jsonb.',
    defaultSeverity: 'info',
    docs: ruleDocPath('add-column-json'),
  },
  kinds: ['CreateStmt', 'AlterTableStmt'],
  check(context, stmt) {
    const kind = context.statement.kind as 'CreateStmt' | 'AlterTableStmt';
    for (const defined of definedColumns(context, stmt, kind)) {
      if (typeNameOf(defined.column.typeName) !== 'json') continue;
      const range = typeRange(context.statement, defined.column.typeName);
      context.report({
        message:
          `Column ${defined.table}.${defined.column.colname} is json: it is re-parsed on every read and has no equality or GIN support (no UNIQUE, ` +
          `DISTINCT or index on its contents). Use jsonb unless you need the exact text (key order, duplicate keys).`,
        data: { table: defined.table, column: defined.column.colname, form: defined.form },
        ...(range ? { range } : {}),
      });
    }
  },
});
