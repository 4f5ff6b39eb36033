import type { Node } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { alterTableClauses, type ClauseRange } from './alter-table-clauses';
import { timeoutProblem } from './timeout-policy';
import { lockStrength } from '../lockmodel/lock-modes';

const TRIGGER_SUBCOMMANDS: Record<string, string> = {
  AT_EnableTrig: 'ENABLE TRIGGER',
  AT_EnableAlwaysTrig: 'ENABLE ALWAYS TRIGGER',
  AT_EnableReplicaTrig: 'ENABLE REPLICA TRIGGER',
  AT_EnableTrigAll: 'ENABLE TRIGGER ALL',
  AT_EnableTrigUser: 'ENABLE TRIGGER USER',
  AT_DisableTrig: 'DISABLE TRIGGER',
  AT_DisableTrigAll: 'DISABLE TRIGGER ALL',
  AT_DisableTrigUser: 'DISABLE TRIGGER USER',
};

/**
 * CREATE TRIGGER and ENABLE/DISABLE TRIGGER take ShareRowExclusiveLock on the table, DROP TRIGGER AccessExclusiveLock
 * (as the lock model says): writes (DROP: also reads) wait — and while the statement itself waits for a long query
 * of the table to finish, everything queued behind it waits too. The work is brief; the risk is the lock queue, so
 * the advice is a lock_timeout and a retry, not a different statement — and with an acceptable lock_timeout in
 * effect (set, not 0, within lockstep.json's limit) the advice is followed and nothing is reported.
 */
export const triggerChanges = defineRule({
  meta: {
    id: 'trigger-changes',
    description: 'CREATE/DROP TRIGGER and ENABLE/DISABLE TRIGGER lock an existing table against writes (DROP: also reads).',
    defaultSeverity: 'warning',
    docs: ruleDocPath('trigger-changes'),
  },
  kinds: ['CreateTrigStmt', 'DropStmt', 'AlterTableStmt'],
  check(context) {
    if (!timeoutProblem(context, 'lock_timeout', context.file.options.project?.lockTimeoutMs)) return;
    const ast = context.statement.ast;
    // range: read only for a target that is reported (the clause ranges cost a scanner run).
    const targets: Array<{ table: string; what: string; range?: () => ClauseRange | undefined }> = [];
    const create = asNode(ast, 'CreateTrigStmt');
    const drop = asNode(ast, 'DropStmt');
    const alter = asNode(ast, 'AlterTableStmt');
    if (create?.relation) {
      if (context.file.createdInFile(create.relation)) return;
      targets.push({ table: context.file.schema.resolve(create.relation), what: `CREATE ${create.isconstraint ? 'CONSTRAINT ' : ''}TRIGGER ${create.trigname ?? ''}`.trim() });
    } else if (drop?.removeType === 'OBJECT_TRIGGER') {
      for (const object of drop.objects ?? []) {
        const parts = (asNode(object as Node, 'List')?.items ?? []).map((i) => asNode(i, 'String')?.sval ?? '');
        if (parts.length < 2) continue;
        const relname = parts[parts.length - 2]!;
        const table = context.file.schema.resolve({ relname, ...(parts.length >= 3 ? { schemaname: parts[parts.length - 3]! } : {}), inh: true, relpersistence: 'p' });
        if (context.file.createdInFile(table)) continue;
        targets.push({ table, what: `DROP TRIGGER ${parts[parts.length - 1]}` });
      }
    } else if (alter?.relation && alter.objtype === 'OBJECT_TABLE') {
      if (context.file.createdInFile(alter.relation)) return;
      const table = context.file.schema.resolve(alter.relation);
      for (const clause of alterTableClauses(context.statement, alter)) {
        const { cmd } = clause;
        const change = cmd.subtype ? TRIGGER_SUBCOMMANDS[cmd.subtype] : undefined;
        if (!change) continue;
        targets.push({ table, what: `${change}${cmd.name ? ` ${cmd.name}` : ''}`, range: () => clause.range });
      }
      // One finding per statement: the subcommands share one lock.
      targets.splice(1);
    }
    for (const target of targets) {
      const lock = context.effect.locks.find((l) => l.relation === target.table)?.mode;
      if (!lock) continue;
      // The transaction already holds this lock or a stronger one (ADD COLUMN, then CREATE TRIGGER): nothing new waits.
      const held = context.file.heldLock(target.table);
      if (held && lockStrength(held.mode) >= lockStrength(lock)) continue;
      const blocksReads = context.effect.blocks.reads.includes(target.table);
      const blocksWrites = context.effect.blocks.writes.includes(target.table);
      if (!blocksReads && !blocksWrites) continue;
      const waits = blocksReads ? 'every read and write' : 'every INSERT, UPDATE and DELETE';
      const range = target.range?.();
      context.report({
        message:
          `${target.what} takes ${lock} on ${target.table}: ${waits} of ${target.table} waits while the statement holds it, and — since it ` +
          'first waits for running queries of the table to finish — while it waits too. The change itself is brief: run it with a short ' +
          'lock_timeout and retry, outside busy hours, and keep the rest of the transaction short.',
        data: { table: target.table, lock, change: target.what },
        ...(range ? { range } : {}),
      });
    }
  },
});
