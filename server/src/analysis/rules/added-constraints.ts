import type { AlterTableStmt, Constraint, ConstrType } from '@pgsql/types';
import type { StatementView } from '../statement-view';
import { asNode } from '../node-kinds';
import { alterTableClauseRanges, type ClauseRange } from './alter-table-clauses';

export interface AddedConstraint {
  constraint: Constraint;
  /** The `ADD [CONSTRAINT …] …` clause, when the clauses line up with the subcommands. */
  clause?: ClauseRange;
}

/** The table constraints of kind `contype` an ALTER TABLE adds with `ADD [CONSTRAINT name] …`, with their clauses. */
export function addedConstraints(view: StatementView, stmt: AlterTableStmt, contype: ConstrType): AddedConstraint[] {
  // The clause ranges need the statement's tokens (a scanner run): only worked out once a constraint matches.
  let clauses: ClauseRange[] | undefined | null = null;
  const out: AddedConstraint[] = [];
  (stmt.cmds ?? []).forEach((item, index) => {
    const cmd = asNode(item, 'AlterTableCmd');
    if (cmd?.subtype !== 'AT_AddConstraint') return;
    const constraint = asNode(cmd.def, 'Constraint');
    if (constraint?.contype !== contype) return;
    if (clauses === null) clauses = alterTableClauseRanges(view, stmt);
    const clause = clauses?.[index];
    out.push({ constraint, ...(clause ? { clause } : {}) });
  });
  return out;
}

/** `constraint name` or `the constraint`, for messages. */
export function constraintLabel(constraint: Constraint): string {
  return constraint.conname ? `constraint ${constraint.conname}` : 'the constraint';
}
