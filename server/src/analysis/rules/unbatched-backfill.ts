import type { Node, UpdateStmt } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { sizedSeverity, sizeData } from './table-size';
import { headThroughRelation } from './relation-ranges';
import { backfillOfColumnAddedBefore, setColumns } from './update-without-where';

/**
 * A backfill written as one UPDATE: it fills a column for the whole table in a single transaction, so every row it
 * touches stays locked until the end (concurrent writers of those rows wait), the whole table gets new row versions
 * at once (bloat, WAL burst, replication lag), and a failure near the end throws all of it away. Batches by key
 * range, each committed, bound all three. Recognised shapes:
 * - no WHERE, right after the ADD COLUMN that added a column it sets (in the statement before, or earlier in the
 *   same transaction);
 * - a WHERE that only selects rows by the columns being set (`WHERE c IS NULL`, `c IS DISTINCT FROM …`) and by join
 *   equalities with the FROM list, and tests at least one set column: nothing bounds the key range.
 * An UPDATE without WHERE that is not such a backfill is update-without-where's.
 */
export const unbatchedBackfill = defineRule({
  meta: {
    id: 'unbatched-backfill',
    description: 'A backfill UPDATE that fills a column for the whole table in one statement instead of in committed batches.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('unbatched-backfill'),
  },
  kinds: ['UpdateStmt'],
  check(context, stmt) {
    if (!stmt.relation || context.file.createdInFile(stmt.relation)) return;
    const columns = setColumns(stmt);
    if (columns.length === 0) return;
    const shape = stmt.whereClause
      ? unboundedBackfillFilter(stmt, stmt.whereClause)
        ? 'filter'
        : undefined
      : backfillOfColumnAddedBefore(context, stmt)
        ? 'after-add-column'
        : undefined;
    if (!shape) return;
    const table = context.file.schema.resolve(stmt.relation);
    const sized = sizedSeverity(context, [table], unbatchedBackfill.meta.defaultSeverity);
    const list = columns.join(', ');
    const what = shape === 'filter' ? 'every row the WHERE selects (nothing limits the key range)' : 'every row (no WHERE)';
    const range = headThroughRelation(context.statement, stmt.relation);
    context.report({
      message:
        `This UPDATE backfills ${list} of ${table} in one statement, for ${what} (${sized.phrase}): every updated row keeps its row lock ` +
        'until the transaction commits, so writers of those rows wait, and the table gets a new version of each row at once (bloat, ' +
        'WAL and replication lag). Backfill in batches by primary-key range (e.g. 1,000–10,000 rows), committing after each batch, ' +
        'outside the migration’s transaction.',
      data: { table, columns: list, shape, lock: 'RowExclusiveLock', ...sizeData(sized) },
      severity: sized.severity,
      ...(range ? { range } : {}),
    });
  },
});

/** True when every AND-ed condition is about the columns being set or joins the FROM list, so no key range bounds it. */
function unboundedBackfillFilter(stmt: UpdateStmt, where: Node): boolean {
  const setting = new Set(setColumns(stmt));
  const joins = (stmt.fromClause ?? []).length > 0;
  const lastField = (n: Node | undefined): string | undefined => {
    const fields = asNode(n, 'ColumnRef')?.fields ?? [];
    return asNode(fields[fields.length - 1], 'String')?.sval;
  };
  let selectsBySetColumn = false;
  const isSetColumn = (n: Node | undefined) => {
    const name = lastField(n);
    const yes = name !== undefined && setting.has(name);
    if (yes) selectsBySetColumn = true;
    return yes;
  };
  const unbounded = (n: Node): boolean => {
    const bool = asNode(n, 'BoolExpr');
    if (bool) return bool.boolop !== 'NOT_EXPR' && (bool.args ?? []).every(unbounded);
    const test = asNode(n, 'NullTest');
    if (test) return isSetColumn(test.arg);
    const expr = asNode(n, 'A_Expr');
    if (!expr) return false;
    const op = asNode(expr.name?.[0], 'String')?.sval;
    // `c IS DISTINCT FROM x`, `c <> x`: every row whose value is not the new one yet.
    if (expr.kind === 'AEXPR_DISTINCT' || (expr.kind === 'AEXPR_OP' && (op === '<>' || op === '!='))) {
      return isSetColumn(expr.lexpr) || isSetColumn(expr.rexpr);
    }
    // `t.ref_id = s.id` with a FROM list: the join that supplies the values, not a restriction.
    if (expr.kind === 'AEXPR_OP' && op === '=' && joins) {
      return asNode(expr.lexpr, 'ColumnRef') !== undefined && asNode(expr.rexpr, 'ColumnRef') !== undefined;
    }
    return false;
  };
  // A join alone may be bounded by a small FROM table (a fix-up list): only the fill-what-is-missing shape counts.
  return unbounded(where) && selectsBySetColumn;
}
