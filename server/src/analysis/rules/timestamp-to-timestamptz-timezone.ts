import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { changedColumnTypesOnExistingTable, isTimestampConversion, rebuiltIndexes, rewrittenTables } from './column-definitions';

/**
 * ALTER COLUMN … TYPE timestamptz on a `timestamp` column (or back) reads each stored value as a time in the
 * SESSION TimeZone: the same migration gives different instants on servers or roles with different TimeZone
 * settings. Since PostgreSQL 12 the conversion keeps the rows only when that TimeZone is a fixed zero-offset zone
 * (UTC, Etc/UTC… — not Europe/London), otherwise it rewrites the table and its indexes (lock model,
 * lockmodel/type-change.ts, proven on PostgreSQL 17 with SET TimeZone in the proof setup). The model uses the
 * TimeZone the file SETs; without one it assumes a rewrite, and the message says the server's default applies.
 * https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-TIMEZONES
 */
export const timestampToTimestamptzTimezone = defineRule({
  meta: {
    id: 'timestamp-to-timestamptz-timezone',
    description: 'timestamp ⇄ timestamptz type change: values are read in the session TimeZone, and the table is rewritten unless it is UTC.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('timestamp-to-timestamptz-timezone'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const change of changedColumnTypesOnExistingTable(context, stmt)) {
      if (!isTimestampConversion(change.from, change.to)) continue;
      const effect = change.effect;
      const table = context.file.schema.resolve(stmt.relation!);
      const setting = context.file.setting('timezone');
      const zone = setting
        ? `the session TimeZone '${setting.text}' (from ${setting.setBy})`
        : `the session TimeZone, which this file does not SET: the server's, database's or role's default, unknown here`;
      const toTz = change.to.name === 'timestamptz';
      const meaning = toTz
        ? `every stored timestamp is read as a local time in ${zone}`
        : `every stored instant is turned into the local time of ${zone}`;
      const tables = rewrittenTables(effect);
      const indexes = rebuiltIndexes(effect);
      const column = change.column;
      const direction = toTz ? 'timestamp → timestamptz' : 'timestamptz → timestamp';
      if (tables.length > 0) {
        const sized = sizedSeverity(context, [table, ...tables], timestampToTimestamptzTimezone.meta.defaultSeverity);
        const why =
          context.pgVersion < 12 ? 'before PostgreSQL 12 this conversion always rewrites' : setting ? 'that zone is not UTC' : 'only a UTC session avoids it';
        context.report({
          message:
            `ALTER COLUMN ${column} (${direction}): ${meaning}, and PostgreSQL rewrites all of ${table} and its indexes under AccessExclusiveLock ` +
            `(${why}); reads and writes wait until it finishes (${sized.phrase}). If the values are UTC, SET TimeZone = 'UTC' right before the ALTER ` +
            `(PostgreSQL ≥ 12: no rewrite then); otherwise convert explicitly with USING ${column} AT TIME ZONE '<zone>' (a rewrite: expand/contract on a large table).`,
          severity: sized.severity,
          data: { table, column, timeZone: setting?.text ?? 'unknown', rewrite: true, lock: 'AccessExclusiveLock', ...sizeData(sized) },
          ...(change.range ? { range: change.range } : {}),
        });
        continue;
      }
      const sized = sizedSeverity(context, [table, ...effect.scans], timestampToTimestamptzTimezone.meta.defaultSeverity);
      const rebuilt =
        indexes.length > 0
          ? ` The rows stay, but ${indexes.join(', ')} ${indexes.length === 1 ? 'is' : 'are'} rebuilt (new operator class), reading ${table} under AccessExclusiveLock (${sized.phrase}).`
          : ` No rewrite (catalog change under AccessExclusiveLock).`;
      context.report({
        message:
          `ALTER COLUMN ${column} (${direction}): ${meaning}. Make sure the stored values really are UTC.${rebuilt}`,
        severity: indexes.length > 0 ? sized.severity : 'info',
        data: { table, column, timeZone: setting?.text ?? 'unknown', rewrite: false, indexesRebuilt: indexes.length },
        ...(change.range ? { range: change.range } : {}),
      });
    }
  },
});
