import { defineRule, ruleDocPath, type RuleContext } from './rule';
import { asNode } from '../node-kinds';
import { sizedSeverity, sizeData } from './table-size';
import { lockOn, scannedTables, waitingWork } from './lock-wording';

/**
 * REINDEX without CONCURRENTLY rebuilds each index from a full scan of its table while holding ShareLock on the
 * table (writes wait) and AccessExclusiveLock on the index being rebuilt (queries whose plans open it wait, in
 * practice most reads) — lock model facts `reindex.index` / `reindex.table`. REINDEX … CONCURRENTLY (PostgreSQL
 * ≥ 12; partitioned tables ≥ 14) builds a replacement under ShareUpdateExclusiveLock and swaps it in. The build
 * time grows with the table, so the severity follows its size.
 * Not reported: tables created earlier in the file, REINDEX SYSTEM (system catalogs cannot be reindexed
 * concurrently), and partitioned tables before PostgreSQL 14 (they cannot be reindexed at all).
 * https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY
 */
export const reindexNonconcurrent = defineRule({
  meta: {
    id: 'reindex-nonconcurrent',
    description: 'REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) while it rebuilds.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('reindex-nonconcurrent'),
  },
  kinds: ['ReindexStmt'],
  check(context, stmt) {
    if ((stmt.params ?? []).some((p) => asNode(p, 'DefElem')?.defname === 'concurrently')) return;
    if (stmt.kind === 'REINDEX_OBJECT_SYSTEM') return;
    const { schema } = context.file;
    let table: string | undefined;
    let target: string;
    if (stmt.relation) {
      const name = schema.resolve(stmt.relation);
      table = stmt.kind === 'REINDEX_OBJECT_INDEX' ? schema.tableOfIndex(name) : name;
      target = stmt.kind === 'REINDEX_OBJECT_INDEX' ? `index ${name}` : `every index of ${name}`;
      if (table !== undefined && context.file.createdInFile(table)) return;
      if (table !== undefined && schema.relationKind(table) === 'partitioned table' && context.pgVersion < 14) return;
    } else {
      target = stmt.kind === 'REINDEX_OBJECT_SCHEMA' ? `every index in schema ${stmt.name ?? ''}` : 'every index of the database';
    }
    // Lockstep covers PostgreSQL 12–18, which all have REINDEX … CONCURRENTLY.
    report(context, stmt.kind, table, target);
  },
});

function report(
  context: RuleContext,
  kind: string | undefined,
  table: string | undefined,
  target: string,
): void {
  const { effect } = context;
  const tables = table !== undefined ? [table] : context.file.blockedTables(effect);
  const scanned = scannedTables(effect).filter((t) => !context.file.createdInFile(t));
  const sized = sizedSeverity(context, [...new Set([...tables, ...scanned])], reindexNonconcurrent.meta.defaultSeverity);
  const tableLock = table !== undefined ? lockOn(effect, table) : undefined;
  const indexLock = effect.locks.find((l) => l.kind === 'index' || l.kind === 'partitioned index')?.mode;
  const waits = table !== undefined ? waitingWork(effect, table) : undefined;
  const oneIndex = kind === 'REINDEX_OBJECT_INDEX';
  // The model has facts for REINDEX INDEX and TABLE (its locks on indexes only for indexes the catalog knows); for
  // SCHEMA and DATABASE, and unknown relations, the docs' general statement stands (REINDEX, "Notes").
  const locks = tableLock
    ? `holding ${tableLock} on ${table}${indexLock ? ` and ${indexLock} on ${oneIndex ? 'the index' : 'each index'}` : ''}`
    : `holding a lock that blocks writes to ${oneIndex ? 'its table' : 'each table'} and AccessExclusiveLock on the index being rebuilt`;
  const waiting =
    waits === 'reads and writes'
      ? `writes to ${table} wait, and so do reads that use ${oneIndex ? 'the index' : 'its indexes'}`
      : waits === 'writes'
        ? `writes to ${table} wait`
        : oneIndex
          ? 'writes to its table wait, and so do reads that use the index'
          : 'writes to each table wait, and so do reads that use its indexes';
  const range = context.statement.findWords('REINDEX');
  context.report({
    message: `REINDEX rebuilds ${target} from a full scan while ${locks}: until it ends, ${waiting} (${sized.phrase}). Use REINDEX … CONCURRENTLY outside a transaction block: it builds a replacement while reads and writes go on.`,
    data: {
      ...(table !== undefined ? { table } : {}),
      ...(tableLock ? { lock: tableLock } : {}),
      ...(indexLock ? { indexLock } : {}),
      target: kind ?? '',
      ...sizeData(sized),
    },
    severity: sized.severity,
    ...(range ? { range: { start: range.start, end: context.statement.text.length } } : {}),
  });
}
