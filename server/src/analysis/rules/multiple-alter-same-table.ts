import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';

/** Subcommands that must stand alone in their ALTER TABLE (sql-altertable.html, "Notes"), or that validate. */
const NOT_COMBINABLE = new Set(['AT_AttachPartition', 'AT_DetachPartition', 'AT_DetachPartitionFinalize', 'AT_ValidateConstraint']);

/**
 * Two ALTER TABLE statements in a row on the same table. Each one queues for its own lock (AccessExclusiveLock for
 * most forms) behind every running query on the table, and each may rewrite it; one ALTER TABLE with both
 * subcommands queues once and rewrites at most once. Only consecutive statements are reported — with nothing in
 * between, merging them cannot change what runs in between — and never VALIDATE CONSTRAINT (merging it with the
 * ADD … NOT VALID would defeat NOT VALID) or the forms PostgreSQL does not allow in a list (ATTACH/DETACH
 * PARTITION).
 */
export const multipleAlterSameTable = defineRule({
  meta: {
    id: 'multiple-alter-same-table',
    description: 'Consecutive ALTER TABLE statements on one table: each waits for its own lock; one statement would wait once.',
    defaultSeverity: 'info',
    docs: ruleDocPath('multiple-alter-same-table'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE' || !combinable(stmt.cmds)) return;
    const previous = context.file.previousStatement();
    const before = asNode(previous?.ast, 'AlterTableStmt');
    if (!before?.relation || before.objtype !== 'OBJECT_TABLE' || !combinable(before.cmds)) return;
    const table = context.file.schema.resolve(stmt.relation);
    if (context.file.schema.resolve(before.relation) !== table) return;
    if (context.file.createdInFile(table)) return;
    const lock = context.effect.locks.find((l) => l.relation === table)?.mode ?? 'AccessExclusiveLock';
    const range = context.statement.findWords('ALTER', 'TABLE');
    context.report({
      message:
        `The statement before this one is also an ALTER TABLE on ${table}: each waits for its own ${lock} behind every ` +
        `query running on ${table}, and each may rewrite it. Combine them into one statement (ALTER TABLE … <first change>, <second change>): ` +
        'the table is locked once, and rewritten at most once.',
      data: { table, lock },
      ...(range ? { range } : {}),
    });
  },
});

function combinable(cmds: readonly unknown[] | undefined): boolean {
  return (cmds ?? []).every((c) => !NOT_COMBINABLE.has(asNode(c as never, 'AlterTableCmd')?.subtype ?? ''));
}
