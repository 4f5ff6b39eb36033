import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';

/**
 * ALTER TYPE … RENAME VALUE (PostgreSQL ≥ 10) is a catalog change — no table is locked or rewritten — and every
 * stored row shows the new label at once. The running release breaks both ways: its writes of the old label fail
 * (`invalid input value for enum`), and its reads get a label it does not know. Enum values cannot be dropped, so
 * the expand/contract way is: add the new value, let code accept both, move the rows, stop writing the old one.
 */
export const enumValueRename = defineRule({
  meta: {
    id: 'enum-value-rename',
    description: 'ALTER TYPE … RENAME VALUE breaks application code that still writes or expects the old label.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('enum-value-rename'),
  },
  kinds: ['AlterEnumStmt'],
  check(context, stmt) {
    if (stmt.oldVal === undefined || stmt.newVal === undefined) return;
    const parts = (stmt.typeName ?? []).map((n) => asNode(n, 'String')?.sval ?? '');
    const type = parts.join('.');
    // A type created earlier in the same transaction has no users yet.
    const createdHere = context.file
      .statementsInSameTransaction()
      .some((m) => m.order === 'earlier' && sameName((asNode(m.ast, 'CreateEnumStmt')?.typeName ?? []).map((n) => asNode(n, 'String')?.sval ?? ''), parts));
    if (createdHere) return;
    const range = context.statement.findWords('RENAME', 'VALUE');
    context.report({
      message:
        `Renaming value '${stmt.oldVal}' of enum ${type} to '${stmt.newVal}' changes every stored row at once (a catalog change, no table lock): ` +
        `the application code still running while this migration deploys fails when it writes '${stmt.oldVal}' (invalid input value for ` +
        `enum ${type}) and reads '${stmt.newVal}', which it does not know. Expand/contract instead: ADD VALUE '${stmt.newVal}', deploy code ` +
        `that accepts both and writes '${stmt.newVal}', UPDATE the rows in batches, and leave '${stmt.oldVal}' unused.`,
      data: { type, oldValue: stmt.oldVal, newValue: stmt.newVal },
      ...(range ? { range: { start: range.start, end: context.statement.text.length } } : {}),
    });
  },
});

function sameName(a: string[], b: string[]): boolean {
  return a.length > 0 && a[a.length - 1] === b[b.length - 1] && (a.length === 1 || b.length === 1 || a[0] === b[0]);
}
