import type { Node } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import type { TransactionMember } from '../file-context';

/**
 * ALTER TYPE … ADD VALUE: before PostgreSQL 12 it cannot run inside a transaction block at all; since 12 it can,
 * but the new value cannot be used — inserted, compared, cast — until that transaction commits ("unsafe use of new
 * value"). Both fail the migration at run time. Neither applies when the enum type was created in the same
 * transaction (PostgreSQL allows it then: nobody else can see the type yet). The lock model marks ADD VALUE
 * 'forbidden' in a transaction before 12, so rule concurrently-in-transaction reports that case; this rule only
 * reports it should the model not know.
 */
export const alterEnumAddValue = defineRule({
  meta: {
    id: 'alter-enum-add-value',
    description: 'ALTER TYPE … ADD VALUE in a transaction (before PostgreSQL 12), or its new value used before the transaction commits.',
    defaultSeverity: 'error',
    docs: ruleDocPath('alter-enum-add-value'),
  },
  kinds: ['AlterEnumStmt'],
  check(context, stmt) {
    if (stmt.oldVal !== undefined || stmt.newVal === undefined) return;
    const transaction = context.file.transaction();
    if (!transaction.inTransaction) return;
    const parts = (stmt.typeName ?? []).map((n) => asNode(n, 'String')?.sval ?? '');
    const type = parts.join('.');
    const members = context.file.statementsInSameTransaction();
    if (members.some((m) => m.order === 'earlier' && createsEnum(m, parts))) return;
    const value = stmt.newVal;
    const range = context.statement.findWords('ADD', 'VALUE');
    const underline = range ? { range: { start: range.start, end: context.statement.text.length } } : {};
    // The lock model marks it 'forbidden' before 12, and concurrently-in-transaction reports that: one finding, not two.
    if (context.pgVersion < 12 && context.effect.transaction !== 'forbidden') {
      context.report({
        message:
          `ALTER TYPE ${type} ADD VALUE cannot run inside a transaction block before PostgreSQL 12, and ${transaction.why}: the migration ` +
          'fails with "ALTER TYPE ... ADD cannot run inside a transaction block". Run it on its own, outside a transaction (a migration ' +
          'of its own with the runner’s transaction turned off).',
        data: { type, value, pgVersion: context.pgVersion, reason: 'transaction-block' },
        ...underline,
      });
      return;
    }
    if (context.pgVersion < 12) return;
    const user = members.find((m) => m.order === 'later' && usesValue(m.ast, value));
    if (!user) return;
    context.report({
      message:
        `The new value '${value}' of enum ${type} is used later in the same transaction (${excerpt(user.text)}): PostgreSQL refuses it until ` +
        `the transaction that added it commits ("unsafe use of new value"), so the migration fails. Commit after ADD VALUE, and use '${value}' ` +
        'in a later transaction (a later migration if the runner wraps the file in one).',
      data: { type, value, reason: 'used-in-same-transaction', usedBy: excerpt(user.text) },
      ...underline,
    });
  },
});

function createsEnum(member: TransactionMember, parts: string[]): boolean {
  const created = (asNode(member.ast, 'CreateEnumStmt')?.typeName ?? []).map((n) => asNode(n, 'String')?.sval ?? '');
  if (created.length === 0) return false;
  return created[created.length - 1] === parts[parts.length - 1] && (created.length === 1 || parts.length === 1 || created[0] === parts[0]);
}

/** True when a string constant in the statement equals the value (a literal is how migrations use a new label). */
function usesValue(ast: Node | undefined, value: string): boolean {
  if (!ast) return false;
  // Another ADD VALUE / RENAME VALUE of the same label names it without using it.
  if (asNode(ast, 'AlterEnumStmt')) return false;
  let found = false;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const constant = (node as { A_Const?: { sval?: { sval?: string } } }).A_Const;
    if (constant?.sval?.sval === value) {
      found = true;
      return;
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(ast);
  return found;
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return `\`${line.length > 60 ? `${line.slice(0, 59)}…` : line}\``;
}
