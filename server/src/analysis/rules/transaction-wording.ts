/**
 * Wording shared by the transaction rules: how to name a statement, why statements share a transaction, and how
 * to get a statement out of one with the runner at hand. Kept here so every rule says it the same way.
 */
import type { RuleContext } from './rule';
import type { TransactionView } from '../file-context';
import type { StatementEffect } from '../lockmodel/model';

/** The statement as users know it: the lock fact's summary ("CREATE INDEX CONCURRENTLY"), else its kind. */
export function statementLabel(context: RuleContext): string {
  return context.effect.facts[0]?.summary ?? context.statement.kind.replace(/Stmt$/, '');
}

/** An earlier statement, named by its first line. */
export function quoted(excerpt: string): string {
  return `\`${excerpt}\``;
}

/** Why the statement runs inside a transaction block, as a clause: "goose runs each migration in a transaction". */
export function whyInTransaction(t: TransactionView): string {
  if (t.source === 'explicit') return 'it stands between the file’s BEGIN and COMMIT';
  return t.why;
}

/** How to run a statement outside any transaction block with this runner. */
export function howToRunAlone(t: TransactionView): string {
  if (t.source === 'explicit') return 'Move it after the COMMIT (or before the BEGIN).';
  switch (t.runner) {
    case 'goose':
      return 'Put it in a migration of its own that starts with -- +goose NO TRANSACTION.';
    case 'dbmate':
      return 'Put it alone in a migration of its own whose marker reads -- migrate:up transaction:false.';
    case 'diesel':
      return 'Put it alone in a migration of its own whose metadata.toml says run_in_transaction = false.';
    case 'Flyway':
      return 'Put it in a migration of its own: Flyway runs a script of only such statements without a transaction.';
    case 'golang-migrate':
    case 'Prisma Migrate':
      return 'Put it alone in a migration file of its own: a query of one statement is not a transaction block.';
    default:
      return 'Run it on its own, outside any transaction block (a migration file of its own).';
  }
}

/** The names among `relations` that are not indexes or sequences (per the effect's locks), for messages. */
export function tablesAmong(relations: readonly string[], effect: StatementEffect): string[] {
  const kinds = new Map(effect.locks.map((l) => [l.relation, l.kind]));
  return relations.filter((r) => {
    const kind = kinds.get(r);
    return kind !== 'index' && kind !== 'partitioned index' && kind !== 'sequence';
  });
}
