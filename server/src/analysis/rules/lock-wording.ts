/**
 * How the constraint and index rules name what the lock model says: the mode a statement takes on a relation and
 * which work on a table waits for it. Read from the statement's effect (lockmodel/model.ts), never re-derived, so
 * a message always says what the proven facts say.
 */
import type { StatementEffect } from '../lockmodel/model';
import type { LockMode } from '../lockmodel/lock-modes';

/** The (strongest) mode the statement takes on `relation`, if the model knows it takes one. */
export function lockOn(effect: StatementEffect, relation: string): LockMode | undefined {
  return effect.locks.find((l) => l.relation === relation)?.mode;
}

/** "reads and writes" / "writes" of `table` wait while the statement holds its locks; undefined: nothing waits. */
export function waitingWork(effect: StatementEffect, table: string): 'reads and writes' | 'writes' | undefined {
  if (effect.blocks.reads.includes(table)) return 'reads and writes';
  if (effect.blocks.writes.includes(table)) return 'writes';
  return undefined;
}

/** The tables (not indexes or sequences) among the relations the statement scans, in the model's order. */
export function scannedTables(effect: StatementEffect): string[] {
  const kinds = new Map(effect.locks.map((l) => [l.relation, l.kind]));
  return effect.scans.filter((r) => {
    const kind = kinds.get(r);
    return kind !== 'index' && kind !== 'partitioned index' && kind !== 'sequence';
  });
}
