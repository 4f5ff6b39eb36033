import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { alterTableClauses } from './alter-table-clauses';
import { sizedSeverity, sizeData } from './table-size';

/**
 * ATTACH PARTITION reads every row of the new partition to prove it fits the bound, holding AccessExclusiveLock on
 * that partition (and, before PostgreSQL 12, on the parent), unless a valid CHECK constraint on the partition already
 * implies the bound; with a DEFAULT partition it also reads that one. Whether the scan happens is the lock model's
 * answer (effect.scans), which knows the implied-CHECK case.
 */
export const attachPartitionWithoutCheck = defineRule({
  meta: {
    id: 'attach-partition-without-check',
    description: 'ATTACH PARTITION scans the partition under AccessExclusiveLock because no validated CHECK implies its bound.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('attach-partition-without-check'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return;
    const parent = context.file.schema.resolve(stmt.relation);
    for (const clause of alterTableClauses(context.statement, stmt)) {
      const { cmd } = clause;
      const partitionCmd = asNode(cmd.def, 'PartitionCmd');
      if (cmd.subtype !== 'AT_AttachPartition' || !partitionCmd?.name) continue;
      const partition = context.file.schema.resolve(partitionCmd.name);
      const defaultPartition = context.file.schema.defaultPartitionOf(parent);
      // Tables created earlier in the file are empty: reading them costs nothing.
      const scanned = context.effect.scans.filter((t) => (t === partition || t === defaultPartition) && !context.file.createdInFile(t));
      if (scanned.length === 0) continue;
      const lockOn = (t: string) => context.effect.locks.find((l) => l.relation === t)?.mode ?? 'AccessExclusiveLock';
      const sized = sizedSeverity(context, scanned, attachPartitionWithoutCheck.meta.defaultSeverity);
      const parts: string[] = [];
      if (scanned.includes(partition)) {
        parts.push(`reads every row of ${partition} to check the partition bound while holding ${lockOn(partition)} on it`);
      }
      if (defaultPartition && scanned.includes(defaultPartition)) {
        parts.push(`reads the DEFAULT partition ${defaultPartition} under ${lockOn(defaultPartition)} to prove none of its rows belong to the new partition`);
      }
      const parentLock = lockOn(parent);
      context.report({
        message:
          `ATTACH PARTITION ${parts.join(', and ')} (${sized.phrase}); ${parent} is locked ${parentLock} meanwhile` +
          (context.effect.blocks.reads.includes(parent) ? ', so every read and write of it waits' : '') +
          '. First ADD CONSTRAINT … CHECK (the bound, e.g. key >= lower AND key < upper) NOT VALID on the partition and VALIDATE it ' +
          '(ShareUpdateExclusiveLock: reads and writes go on); ATTACH then skips the scan. Drop the CHECK afterwards.',
        data: { table: parent, partition, scanned: scanned.join(', '), lock: lockOn(partition), ...sizeData(sized) },
        severity: sized.severity,
        ...(clause.range ? { range: clause.range } : {}),
      });
    }
  },
});
