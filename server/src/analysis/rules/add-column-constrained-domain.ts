import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { addedColumnsOnExistingTable, rewriteCauseOf, rewrittenTables } from './column-definitions';

/**
 * ADD COLUMN whose type is a domain with a CHECK or NOT NULL constraint: PostgreSQL must check the domain against
 * every existing row (even with no DEFAULT, since NULL may violate it), and it does so by REWRITING the table and
 * its indexes under AccessExclusiveLock — lock fact alter-table.add-column.rewrite, proven on PostgreSQL 17 with
 * `CREATE DOMAIN positive_int AS int CHECK (VALUE > 0)` (tablecmds.c ATExecAddColumn: DomainHasConstraints →
 * AT_REWRITE_DEFAULT_VAL). A domain without constraints is not rewritten. Lockstep knows a type is a domain only
 * when the catalog has seen its CREATE DOMAIN (earlier migrations or this file).
 */
export const addColumnConstrainedDomain = defineRule({
  meta: {
    id: 'add-column-constrained-domain',
    description: 'ADD COLUMN of a domain type with CHECK / NOT NULL constraints rewrites an existing table to check every row.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('add-column-constrained-domain'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const added of addedColumnsOnExistingTable(context, stmt)) {
      const found = rewriteCauseOf(context, added.column, added.constraints);
      if (found?.cause !== 'constrained-domain') continue;
      const rewritten = rewrittenTables(added.effect);
      if (rewritten.length === 0) continue;
      const table = context.file.schema.resolve(stmt.relation!);
      const sized = sizedSeverity(context, [table, ...rewritten], addColumnConstrainedDomain.meta.defaultSeverity);
      const column = added.column.colname;
      context.report({
        message:
          `ADD COLUMN ${column} ${found.domain}: the domain has constraints, so PostgreSQL checks them against every existing row by rewriting all of ` +
          `${table} and its indexes under AccessExclusiveLock; reads and writes wait until it finishes (${sized.phrase}). ` +
          `Add the column with the domain's base type and enforce the rule as a table CHECK … NOT VALID, then VALIDATE CONSTRAINT (ShareUpdateExclusiveLock: reads and writes continue); ALTER COLUMN … TYPE to the domain later rewrites too.`,
        severity: sized.severity,
        data: {
          table,
          column,
          domain: found.domain,
          lock: 'AccessExclusiveLock',
          ...sizeData(sized),
        },
        ...(added.range ? { range: added.range } : {}),
      });
    }
  },
});
