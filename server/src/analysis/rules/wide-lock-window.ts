import type { Node } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import type { RuleContext } from './rule';
import { quoted } from './transaction-wording';
import { asNode } from '../node-kinds';
import { parseQualifiedName } from '../catalog';
import { qualify } from '../names';

/**
 * One transaction holding AccessExclusiveLock on two or more existing tables: reads and writes of all of them wait
 * until the whole transaction commits, and a session that locks the same tables in the other order deadlocks with
 * the migration. Reported once per transaction, at the statement that locks the second table.
 *
 * Tables are counted as relations, not names: a lock taken before `ALTER TABLE orders RENAME TO orders_old` and one
 * taken on orders_old after it are the same table, and a view or table created under the freed old name (the
 * expand step of a rename) is new, not a second existing table.
 */
export const wideLockWindow = defineRule({
  meta: {
    id: 'wide-lock-window',
    description: 'One transaction holds AccessExclusiveLock on two or more existing tables until it commits.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('wide-lock-window'),
  },
  kinds: 'all',
  check(context) {
    const isTable = (kind: string) => kind !== 'index' && kind !== 'partitioned index' && kind !== 'sequence';
    const notTables = droppedNonTables(context);
    let mine = context.effect.locks.filter(
      (l) => l.mode === 'AccessExclusiveLock' && isTable(l.kind) && !notTables.has(l.relation) && !context.file.createdInFile(l.relation),
    );
    if (mine.length === 0) return;
    const held = context.file.heldLocks().filter((l) => l.mode === 'AccessExclusiveLock' && isTable(l.kind));
    if (held.length === 0) return;
    // What this statement creates is new, even when it reuses a name an earlier statement renamed away.
    if (createsRelations(context.statement.kind)) {
      const created = new Set(context.file.schema.relationsCreatedBy(context.statement.ast).map((r) => r.name));
      mine = mine.filter((l) => !created.has(l.relation));
      if (mine.length === 0) return;
    }
    const renames = renamesInTransaction(context);
    // Each held lock under the name its relation has now, after the renames that followed it.
    const heldNow = new Map<string, (typeof held)[number]>();
    for (const lock of held) {
      let name = lock.relation;
      for (const rename of renames) if (rename.statement > lock.statement && rename.from === name) name = rename.to;
      if (!heldNow.has(name)) heldNow.set(name, lock);
    }
    const added = mine.filter((l) => !heldNow.has(l.relation)).map((l) => l.relation);
    // Only when the count first reaches two: a third table repeats the same advice.
    if (added.length === 0 || heldNow.size >= 2) return;
    const [heldName, earlier] = [...heldNow][0]!;
    const all = [heldName, ...added];
    const earlierName = heldName === earlier.relation ? heldName : `${heldName} (then ${earlier.relation})`;
    context.report({
      message:
        `This transaction now holds AccessExclusiveLock on ${all.length} existing tables — ${earlierName} (since ${quoted(earlier.excerpt)}) ` +
        `and ${added.join(', ')} (this statement) — until it commits: every read and write of all of them waits for the whole ` +
        'transaction, and a session that locks them in the other order deadlocks with it. Change one table per transaction.',
      data: { tables: all.join(', '), lock: 'AccessExclusiveLock', earlier: earlier.excerpt },
    });
  },
});

/**
 * The sequences and indexes a DROP SEQUENCE / DROP INDEX removes. The lock model names an object the catalog does not
 * know a 'table'; the statement itself says what it is.
 */
function droppedNonTables(context: RuleContext): Set<string> {
  const drop = asNode(context.statement.ast, 'DropStmt');
  if (drop?.removeType !== 'OBJECT_SEQUENCE' && drop?.removeType !== 'OBJECT_INDEX') return new Set();
  const names = new Set<string>();
  for (const object of drop.objects ?? []) {
    const parts = (asNode(object, 'List')?.items ?? []).map((i) => asNode(i, 'String')?.sval ?? '');
    if (parts.length === 0 || parts.length > 2 || !parts.every(Boolean)) continue;
    names.add(context.file.schema.resolve({ relname: parts[parts.length - 1]!, ...(parts.length === 2 ? { schemaname: parts[0]! } : {}), inh: true, relpersistence: 'p' }));
  }
  return names;
}

/** Statement kinds that create relations (CREATE TABLE/VIEW/MATERIALIZED VIEW/SEQUENCE …). */
function createsRelations(kind: string): boolean {
  return kind.startsWith('Create') || kind === 'ViewStmt';
}

interface Rename {
  statement: number;
  from: string;
  to: string;
}

/** Relation renames (RENAME TO, SET SCHEMA) by earlier statements of the transaction and this one, in order. */
function renamesInTransaction(context: RuleContext): Rename[] {
  const renames: Rename[] = [];
  for (const member of context.file.statementsInSameTransaction()) {
    if (member.order === 'later') break;
    const rename = renameOf(context, member.ast);
    if (rename) renames.push({ statement: member.statement, ...rename });
  }
  return renames;
}

function renameOf(context: RuleContext, ast: Node | undefined): { from: string; to: string } | undefined {
  const rename = asNode(ast, 'RenameStmt');
  if (rename?.relation && rename.newname && !rename.subname && rename.renameType !== 'OBJECT_COLUMN') {
    const from = context.file.schema.resolve(rename.relation);
    const schema = parseQualifiedName(from)?.[0];
    return schema ? { from, to: qualify(schema, rename.newname) } : undefined;
  }
  const move = asNode(ast, 'AlterObjectSchemaStmt');
  if (move?.relation?.relname && move.newschema) {
    return { from: context.file.schema.resolve(move.relation), to: qualify(move.newschema, move.relation.relname) };
  }
  return undefined;
}
