import type { Node } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { sizedSeverity, sizeData } from './table-size';

/**
 * VACUUM FULL and CLUSTER write a new copy of the table and its indexes while holding AccessExclusiveLock: every read
 * and write waits for the whole rewrite, which also needs disk space for the copy. Plain VACUUM (no blocking lock)
 * reclaims space for reuse; pg_repack / pg_squeeze compact or re-order a table without the long lock.
 */
export const vacuumFullOrCluster = defineRule({
  meta: {
    id: 'vacuum-full-or-cluster',
    description: 'VACUUM FULL or CLUSTER rewrites the table under AccessExclusiveLock: reads and writes wait for the whole rewrite.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('vacuum-full-or-cluster'),
  },
  kinds: ['VacuumStmt', 'ClusterStmt'],
  check(context, stmt) {
    const cluster = context.statement.kind === 'ClusterStmt';
    let named: boolean;
    if (cluster) {
      named = (stmt as { relation?: unknown }).relation !== undefined;
    } else {
      const vacuum = stmt as { is_vacuumcmd?: boolean; options?: Node[]; rels?: Node[] };
      if (!vacuum.is_vacuumcmd || !(vacuum.options ?? []).some(isFullOption)) return;
      named = (vacuum.rels ?? []).length > 0;
    }
    const command = cluster ? 'CLUSTER' : 'VACUUM FULL';
    const tables = context.effect.rewrites.filter((t) => {
      const kind = context.effect.locks.find((l) => l.relation === t)?.kind;
      return kind !== 'index' && kind !== 'partitioned index' && !context.file.createdInFile(t);
    });
    if (named && tables.length === 0) return;
    const sized = sizedSeverity(context, tables, vacuumFullOrCluster.meta.defaultSeverity);
    const target = named ? tables.join(', ') : cluster ? 'every table of the database that was clustered before' : 'every table of the database';
    const alternative = cluster
      ? 'To re-order rows without the long lock use pg_repack --order-by (or keep new rows ordered by the application); CLUSTER is a one-time order anyway.'
      : 'Plain VACUUM (no lock against reads or writes) makes the space reusable; to give it back to the operating system without the long lock use pg_repack or pg_squeeze.';
    context.report({
      message:
        `${command} rewrites ${target} with ${cluster ? 'its' : 'their'} indexes while holding AccessExclusiveLock (${named ? sized.phrase : 'size unknown'}): every read and ` +
        `write waits until the copy is written, and the copy needs as much free disk as the table. ${alternative}`,
      data: { tables: named ? tables.join(', ') : '*', command, lock: 'AccessExclusiveLock', ...sizeData(sized) },
      severity: sized.severity,
    });
  },
});

function isFullOption(option: Node): boolean {
  const def = asNode(option, 'DefElem');
  if (def?.defname !== 'full') return false;
  // VACUUM (FULL false) is a plain VACUUM.
  const arg = def.arg as { Boolean?: { boolval?: boolean }; String?: { sval?: string }; Integer?: { ival?: number } } | undefined;
  if (!arg) return true;
  if (arg.Boolean) return arg.Boolean.boolval === true;
  if (arg.Integer) return arg.Integer.ival !== 0;
  return !['false', 'off', '0', 'no'].includes((arg.String?.sval ?? '').toLowerCase());
}
