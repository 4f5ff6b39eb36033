import { defineRule, ruleDocPath } from './rule';
import { definedColumns, typeNameOf, typeRange } from './column-definitions';

/**
 * `timestamp` (without time zone) stores a wall-clock reading with no zone: the same value means different instants
 * to clients in different zones, and now() is silently converted with the session TimeZone on insert. timestamptz
 * stores an instant (UTC internally) and shows it in the reader's TimeZone; same 8 bytes. Converting later is
 * timestamp-to-timestamptz-timezone (a rewrite unless the session is UTC).
 * https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_timestamp_.28without_time_zone.29
 */
export const preferTimestamptz = defineRule({
  meta: {
    id: 'prefer-timestamptz',
    description: 'A timestamp (without time zone) column: prefer timestamptz.',
    defaultSeverity: 'info',
    docs: ruleDocPath('prefer-timestamptz'),
  },
  kinds: ['CreateStmt', 'AlterTableStmt'],
  check(context, stmt) {
    const kind = context.statement.kind as 'CreateStmt' | 'AlterTableStmt';
    for (const defined of definedColumns(context, stmt, kind)) {
      const { column } = defined;
      if (typeNameOf(column.typeName) !== 'timestamp') continue;
      const range = typeRange(context.statement, column.typeName);
      context.report({
        message:
          `${defined.table}.${column.colname} is timestamp without time zone: it stores no zone, so values depend on each writer's TimeZone ` +
          `and converting later rewrites the table unless the session is UTC. Use timestamptz (same size).`,
        data: { table: defined.table, column: column.colname, form: defined.form },
        ...(range ? { range } : {}),
      });
    }
  },
});
