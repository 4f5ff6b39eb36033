import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { alterTableClauses, existingAlteredTable } from './alter-table-clauses';

/**
 * DETACH PARTITION without CONCURRENTLY takes AccessExclusiveLock on the partitioned table: every read and write of
 * the whole table (all partitions) waits, and so does the DETACH behind any running query. Since PostgreSQL 14,
 * DETACH PARTITION … CONCURRENTLY takes only ShareUpdateExclusiveLock on the parent (two transactions; not inside a
 * transaction block, not when the table has a DEFAULT partition). Before 14 there is no alternative: not reported.
 */
export const detachPartitionNonconcurrent = defineRule({
  meta: {
    id: 'detach-partition-nonconcurrent',
    description: 'DETACH PARTITION without CONCURRENTLY blocks reads and writes of the whole partitioned table (PostgreSQL ≥ 14).',
    defaultSeverity: 'warning',
    docs: ruleDocPath('detach-partition-nonconcurrent'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (context.pgVersion < 14) return;
    const parent = existingAlteredTable(context, stmt);
    if (parent === undefined) return;
    for (const clause of alterTableClauses(context.statement, stmt)) {
      const { cmd } = clause;
      const partitionCmd = asNode(cmd.def, 'PartitionCmd');
      if (cmd.subtype !== 'AT_DetachPartition' || !partitionCmd?.name || partitionCmd.concurrent) continue;
      const partition = context.file.schema.resolve(partitionCmd.name);
      const lock = context.effect.locks.find((l) => l.relation === parent)?.mode ?? 'AccessExclusiveLock';
      const blocked = context.effect.blocks.reads.includes(parent) ? 'every read and write' : 'every write';
      const defaultPartition = context.file.schema.defaultPartitionOf(parent);
      const inTransaction = context.file.transaction().inTransaction;
      const caveats = [
        defaultPartition ? `PostgreSQL refuses CONCURRENTLY while ${parent} has a DEFAULT partition (${defaultPartition})` : undefined,
        inTransaction ? 'it must run outside a transaction block (a migration of its own, without the runner’s transaction)' : undefined,
      ].filter(Boolean);
      context.report({
        message:
          `DETACH PARTITION ${partition} takes ${lock} on ${parent}: ${blocked} of ${parent} (all its partitions) waits until the ` +
          'transaction commits, and the DETACH itself waits behind every running query of the table. Use DETACH PARTITION … CONCURRENTLY ' +
          `(PostgreSQL ≥ 14): only ShareUpdateExclusiveLock on ${parent}, so queries go on` +
          (caveats.length > 0 ? `; note: ${caveats.join('; ')}.` : '.'),
        data: { table: parent, partition, lock, ...(defaultPartition ? { defaultPartition } : {}) },
        ...(defaultPartition ? { severity: 'info' as const } : {}),
        ...(clause.range ? { range: clause.range } : {}),
      });
    }
  },
});
