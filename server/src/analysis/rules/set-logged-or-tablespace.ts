import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { alterTableClauses } from './alter-table-clauses';
import { sizedSeverity, sizeData } from './table-size';

/**
 * SET LOGGED / SET UNLOGGED copy the table into new storage and rebuild its indexes, under AccessExclusiveLock (the
 * lock model knows when the table already has that persistence: then it is a no-op, not reported). SET TABLESPACE
 * copies every data file of the table (or index) to the new tablespace under AccessExclusiveLock. Either way every
 * read and write waits for a copy whose time grows with the table.
 */
export const setLoggedOrTablespace = defineRule({
  meta: {
    id: 'set-logged-or-tablespace',
    description: 'SET LOGGED/UNLOGGED rewrites, SET TABLESPACE copies the table under AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('set-logged-or-tablespace'),
  },
  kinds: ['AlterTableStmt', 'AlterTableMoveAllStmt'],
  check(context) {
    const moveAll = asNode(context.statement.ast, 'AlterTableMoveAllStmt');
    if (moveAll) {
      context.report({
        message:
          `ALTER … ALL IN TABLESPACE ${moveAll.orig_tablespacename ?? ''} SET TABLESPACE ${moveAll.new_tablespacename ?? ''} copies the data files of every ` +
          'matching relation, each under AccessExclusiveLock: reads and writes of each wait while it is copied. Move relations one at a ' +
          'time in a maintenance window, or use pg_repack --tablespace.',
        data: { tablespace: moveAll.new_tablespacename ?? '', lock: 'AccessExclusiveLock' },
      });
      return;
    }
    const stmt = asNode(context.statement.ast, 'AlterTableStmt');
    if (!stmt?.relation) return;
    if (context.file.createdInFile(stmt.relation)) return;
    const target = context.file.schema.resolve(stmt.relation);
    const table = stmt.objtype === 'OBJECT_INDEX' ? (context.file.schema.tableOfIndex(target) ?? target) : target;
    if (table !== target && context.file.createdInFile(table)) return;
    const noOp = context.effect.facts.some((f) => f.id.endsWith('.no-op') || f.id.endsWith('set-tablespace.default'));
    for (const clause of alterTableClauses(context.statement, stmt)) {
      const { cmd } = clause;
      const subtype = cmd.subtype;
      if (subtype !== 'AT_SetLogged' && subtype !== 'AT_SetUnLogged' && subtype !== 'AT_SetTableSpace') continue;
      if (noOp) continue;
      const sized = sizedSeverity(context, [table], setLoggedOrTablespace.meta.defaultSeverity);
      let what: string;
      if (subtype === 'AT_SetTableSpace') {
        what = `SET TABLESPACE ${cmd.name ?? ''} copies every data file of ${target} to the new tablespace`;
      } else {
        const setting = subtype === 'AT_SetLogged' ? 'SET LOGGED' : 'SET UNLOGGED';
        const known = context.effect.rewrites.includes(target);
        what = known
          ? `${setting} rewrites ${target} and rebuilds its indexes`
          : `${setting} rewrites ${target} and rebuilds its indexes if it is not ${subtype === 'AT_SetLogged' ? 'logged' : 'unlogged'} already (the catalog does not know)`;
      }
      context.report({
        message:
          `${what} while holding AccessExclusiveLock (${sized.phrase}): every read and write of ${table} waits until the copy is done. ` +
          (subtype === 'AT_SetTableSpace'
            ? 'Move it in a maintenance window, or with pg_repack --tablespace, which copies without the long lock.'
            : 'Do it in a maintenance window, or create the table with the persistence it needs and copy the rows in batches.'),
        data: { table, relation: target, change: subtype === 'AT_SetTableSpace' ? 'tablespace' : subtype === 'AT_SetLogged' ? 'logged' : 'unlogged', lock: 'AccessExclusiveLock', ...sizeData(sized) },
        severity: sized.severity,
        ...(clause.range ? { range: clause.range } : {}),
      });
    }
  },
});
