import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { headThroughRelation } from './relation-ranges';

/**
 * DELETE without WHERE removes every row in one transaction: each row stays locked until it commits, foreign keys
 * that reference the table are checked (or cascade) row by row, and the dead rows stay on disk until VACUUM. In a
 * migration it is either a forgotten WHERE or a purge that should run in batches.
 */
export const deleteWithoutWhere = defineRule({
  meta: {
    id: 'delete-without-where',
    description: 'DELETE without WHERE on an existing table: every row is deleted and stays locked until the transaction commits.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('delete-without-where'),
  },
  kinds: ['DeleteStmt'],
  check(context, stmt) {
    if (stmt.whereClause || !stmt.relation) return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = context.file.schema.resolve(stmt.relation);
    const sized = sizedSeverity(context, [table], deleteWithoutWhere.meta.defaultSeverity);
    // Tables whose foreign keys reference this one: the model locks them for the per-row checks or cascades.
    const referencing = context.effect.locks.filter((l) => l.relation !== table && (l.kind === 'table' || l.kind === 'partitioned table')).map((l) => l.relation);
    const range = headThroughRelation(context.statement, stmt.relation);
    context.report({
      message:
        `DELETE without WHERE removes every row of ${table} in one transaction (${sized.phrase}): each row keeps its row lock until the ` +
        'transaction commits, so concurrent UPDATE/DELETE/SELECT FOR UPDATE of any row waits' +
        (referencing.length > 0 ? `, and every deleted row is checked against the foreign keys of ${referencing.join(', ')}` : '') +
        '; the dead rows stay on disk until VACUUM. If every row is meant to go, delete in batches by primary-key range and commit ' +
        'between batches; otherwise add the missing WHERE.',
      data: { table, lock: 'RowExclusiveLock', ...(referencing.length > 0 ? { referencing: referencing.join(', ') } : {}), ...sizeData(sized) },
      severity: sized.severity,
      ...(range ? { range } : {}),
    });
  },
});
