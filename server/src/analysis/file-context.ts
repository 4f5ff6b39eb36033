/**
 * What earlier statements of the same file (and, later, earlier migrations) tell us about the statement being
 * checked. Rules read it; the analyzer feeds it statement by statement and keys its cache by `contextKey`.
 */
import type { AnalysisOptions } from './types';
import type { StatementView } from './statement-view';
import { referencedRelationNames, createdRelationNames, qualifiedName } from './relations';
import type { Constraint, Node, RangeVar } from '@pgsql/types';
import { asNode } from './node-kinds';

export class FileContext {
  /** Relations created earlier in this file → index of the creating statement. */
  private readonly created = new Map<string, number>();
  private readonly notNullProofs = new NotNullProofs();

  constructor(readonly options: AnalysisOptions) {}

  /** True when the relation was created by an earlier statement of this file (so it is new and empty). */
  createdInFile(relation: RangeVar | string | undefined): boolean {
    if (!relation) return false;
    const name = typeof relation === 'string' ? relation : qualifiedName(relation);
    return this.created.has(name);
  }

  /** A string that changes iff the context facts about the relations this statement names change. */
  contextKey(view: StatementView): string {
    return referencedRelationNames(view.ast)
      .map((name) => `${name}:${this.created.get(name) ?? '-'}:${this.notNullProofs.key(name)}`)
      .join(',');
  }

  /**
   * True when an earlier statement of this file left a validated constraint proving `column` has no NULLs:
   * CHECK (column IS NOT NULL) added without NOT VALID or validated later, or (PostgreSQL 18) a NOT NULL
   * constraint likewise. ALTER COLUMN … SET NOT NULL then skips its table scan (PostgreSQL 12+).
   */
  hasValidatedNotNullCheck(relation: RangeVar | string, column: string): boolean {
    return this.notNullProofs.proves(typeof relation === 'string' ? relation : qualifiedName(relation), column);
  }

  apply(view: StatementView, statementIndex: number): void {
    for (const name of createdRelationNames(view.ast)) this.created.set(name, statementIndex);
    this.notNullProofs.apply(view.ast);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Constraints that prove a column NOT NULL, for the set-not-null-scan rule. Deliberately small: the schema catalog
// (analysis/catalog/) will model constraints in full and replace this.

interface NotNullProof {
  columns: string[];
  validated: boolean;
}

class NotNullProofs {
  /** Table → constraint name → what it proves. Unnamed constraints get a private key (they cannot be validated). */
  private readonly byTable = new Map<string, Map<string, NotNullProof>>();
  private unnamed = 0;

  proves(table: string, column: string): boolean {
    for (const proof of this.byTable.get(table)?.values() ?? []) {
      if (proof.validated && proof.columns.includes(column)) return true;
    }
    return false;
  }

  /** The validated facts about `table`, for cache keys. */
  key(table: string): string {
    const proofs = this.byTable.get(table);
    if (!proofs) return '';
    return [...proofs.values()].filter((p) => p.validated).flatMap((p) => p.columns).sort().join('|');
  }

  apply(ast: Node): void {
    const alter = asNode(ast, 'AlterTableStmt');
    if (!alter?.relation || alter.objtype !== 'OBJECT_TABLE') return;
    const table = qualifiedName(alter.relation);
    for (const item of alter.cmds ?? []) {
      const cmd = asNode(item, 'AlterTableCmd');
      if (cmd?.subtype === 'AT_AddConstraint') {
        const constraint = asNode(cmd.def, 'Constraint');
        const columns = constraint ? columnsProvenNotNull(constraint) : [];
        if (columns.length === 0) continue;
        let proofs = this.byTable.get(table);
        if (!proofs) this.byTable.set(table, (proofs = new Map()));
        proofs.set(constraint!.conname ?? `\u0000unnamed${this.unnamed++}`, { columns, validated: !constraint!.skip_validation });
      } else if (cmd?.subtype === 'AT_ValidateConstraint' && cmd.name) {
        const proof = this.byTable.get(table)?.get(cmd.name);
        if (proof) proof.validated = true;
      } else if (cmd?.subtype === 'AT_DropConstraint' && cmd.name) {
        this.byTable.get(table)?.delete(cmd.name);
      }
    }
  }
}

/**
 * Columns a table constraint proves non-null. PostgreSQL's proof (NotNullImpliedByRelConstraints) recognises
 * `col IS NOT NULL`, also as one conjunct of an AND; it does NOT infer it from e.g. `col > 0` (checked on 17).
 */
function columnsProvenNotNull(constraint: Constraint): string[] {
  if (constraint.contype === 'CONSTR_NOTNULL') return (constraint.keys ?? []).map(stringValue);
  // A NOT ENFORCED check (PostgreSQL 18) proves nothing; the parser marks enforced ones explicitly.
  if (constraint.contype !== 'CONSTR_CHECK' || constraint.is_enforced !== true) return [];
  const columns: string[] = [];
  const visit = (node: Node | undefined): void => {
    const and = asNode(node, 'BoolExpr');
    if (and?.boolop === 'AND_EXPR') return (and.args ?? []).forEach(visit);
    const test = asNode(node, 'NullTest');
    const fields = asNode(test?.arg, 'ColumnRef')?.fields ?? [];
    if (test?.nulltesttype === 'IS_NOT_NULL' && fields.length === 1) columns.push(stringValue(fields[0]!));
  };
  visit(constraint.raw_expr);
  return columns;
}

function stringValue(node: Node): string {
  return asNode(node, 'String')?.sval ?? '';
}
