import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { sizedSeverity, sizeData } from './table-size';
import { addedConstraints, constraintLabel } from './added-constraints';
import { lockOn, scannedTables, waitingWork } from './lock-wording';

/**
 * ADD CONSTRAINT … PRIMARY KEY (without USING INDEX) builds the unique index while the ALTER TABLE holds
 * AccessExclusiveLock (lock model fact `alter-table.add-constraint.unique`), and makes the key columns NOT NULL,
 * which reads every row unless the column already is NOT NULL or (PostgreSQL ≥ 12) a validated
 * CHECK (col IS NOT NULL) proves it. USING INDEX avoids the build but not that NOT NULL scan (facts
 * `alter-table.add-constraint.using-index*.sets-not-null`), so a PRIMARY KEY USING INDEX the model says scans is
 * reported too. The work grows with the table, so the severity follows its size.
 * https://www.postgresql.org/docs/current/sql-altertable.html (ADD table_constraint_using_index)
 */
export const primaryKeyWithoutIndex = defineRule({
  meta: {
    id: 'primary-key-without-index',
    description:
      'ADD PRIMARY KEY builds its index (and checks its columns for NULLs) under AccessExclusiveLock; build the index CONCURRENTLY and add the key USING INDEX.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('primary-key-without-index'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return;
    if (context.file.createdInFile(stmt.relation)) return;
    const { schema } = context.file;
    const table = schema.resolve(stmt.relation);
    const partitioned = schema.relationKind(table) === 'partitioned table';
    const lock = lockOn(context.effect, table) ?? 'AccessExclusiveLock';
    const waits = waitingWork(context.effect, table) ?? 'reads and writes';
    const sized = sizedSeverity(context, [table, ...scannedTables(context.effect)], primaryKeyWithoutIndex.meta.defaultSeverity);
    // Columns the same statement makes NOT NULL are checked in the same pass, not by an extra one.
    const setNotNull = new Set(
      (stmt.cmds ?? []).map((c) => asNode(c, 'AlterTableCmd')).filter((c) => c?.subtype === 'AT_SetNotNull').map((c) => c!.name ?? ''),
    );
    /** Key columns that may hold NULLs as far as the catalog knows; undefined when it does not know the table. */
    const mayBeNull = (columns: string[]): string[] | undefined => {
      if (schema.columnNames(table).length === 0) return undefined;
      return columns.filter((c) => !setNotNull.has(c) && schema.column(table, c)?.notNull !== true && !schema.hasValidatedNotNullCheck(table, c));
    };
    const usingIndexScans = context.effect.facts.some((f) => f.id.startsWith('alter-table.add-constraint.using-index') && f.id.endsWith('sets-not-null'));

    for (const { constraint, clause } of addedConstraints(context.statement, stmt, 'CONSTR_PRIMARY')) {
      const label = constraintLabel(constraint);
      if (constraint.indexname) {
        if (!usingIndexScans) continue;
        const schemaName = table.slice(0, table.lastIndexOf('.'));
        const keys = (schema.indexFacts(`${schemaName}.${constraint.indexname}`)?.keys ?? []).flatMap((k) => (k.column ? [k.column] : []));
        const nullable = mayBeNull(keys) ?? keys;
        context.report({
          message:
            `ADD CONSTRAINT … PRIMARY KEY USING INDEX makes ${nullable.join(', ')} NOT NULL, which reads every row of ${table} while holding ${lock}: ` +
            `${waits} wait until the scan ends (${sized.phrase}). First ADD CONSTRAINT … CHECK (${nullable.map((c) => `${c} IS NOT NULL`).join(' AND ')}) NOT VALID ` +
            `and VALIDATE it in a separate transaction; the primary key then skips the scan.`,
          data: { table, lock, form: 'using-index-sets-not-null', nullableColumns: nullable.join(', '), ...sizeData(sized) },
          severity: sized.severity,
          ...(clause ? { range: clause } : {}),
        });
        continue;
      }
      const columns = (constraint.keys ?? []).map((k) => asNode(k, 'String')?.sval ?? '').filter(Boolean);
      const nullable = mayBeNull(columns);
      const notNull =
        nullable === undefined
          ? ` It also makes ${columns.join(', ')} NOT NULL, a scan of its own for any that are not NOT NULL already.`
          : nullable.length > 0
            ? ` It also makes ${nullable.join(', ')} NOT NULL, another full scan.`
            : '';
      const fix = partitioned
        ? ' A partitioned table has no USING INDEX or CONCURRENTLY path: run it when the table can be blocked, with a lock_timeout.'
        : ` Instead: ${nullable?.length === 0 ? '' : `make the columns NOT NULL without a long lock (CHECK … IS NOT NULL NOT VALID, VALIDATE, SET NOT NULL), `}` +
          `CREATE UNIQUE INDEX CONCURRENTLY … (${columns.join(', ')}) outside a transaction block, then ADD CONSTRAINT … PRIMARY KEY USING INDEX.`;
      context.report({
        message:
          `ADD CONSTRAINT … PRIMARY KEY builds the index of ${label} on ${table} (a full scan and sort) while holding ${lock}: ` +
          `${waits} wait until the build ends (${sized.phrase}).${notNull}${fix}`,
        data: {
          table,
          lock,
          form: 'build-index',
          columns: columns.join(', '),
          ...(nullable !== undefined ? { nullableColumns: nullable.join(', ') } : {}),
          ...(constraint.conname ? { constraint: constraint.conname } : {}),
          ...sizeData(sized),
        },
        severity: sized.severity,
        ...(clause ? { range: clause } : {}),
      });
    }
  },
});
