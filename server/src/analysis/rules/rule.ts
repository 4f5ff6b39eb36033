import type { NodeKind, NodeOf } from '../node-kinds';
import type { Severity } from '../types';
import type { StatementView } from '../statement-view';
import type { FileContext } from '../file-context';
import type { StatementEffect } from '../lockmodel/model';

export interface RuleMeta {
  /** Stable id, also the name of the rule's file and of its doc page docs/rules/<id>.md. */
  id: string;
  /** One line: what the rule checks. */
  description: string;
  defaultSeverity: Severity;
  /** Path of the doc page relative to the package root. */
  docs: string;
}

export interface RuleReport {
  message: string;
  /** Named values the message was built from. */
  data?: Record<string, string | number | boolean>;
  /** UTF-16 offsets relative to the statement text; the whole statement when absent. */
  range?: { start: number; end: number };
  severity?: Severity;
}

export interface RuleContext {
  readonly statement: StatementView;
  /**
   * The schema and the statement's surroundings. Read transactions, held locks, settings and neighbouring
   * statements only through its query methods: that is what keeps cached results correct (see file-context.ts).
   */
  readonly file: FileContext;
  /** The lock model's answer for this statement in its context. */
  readonly effect: StatementEffect;
  readonly pgVersion: number;
  report(finding: RuleReport): void;
}

export interface Rule<K extends NodeKind = NodeKind> {
  meta: RuleMeta;
  /**
   * Statement kinds (libpg-query node names) the rule looks at; the analyzer skips the rest. 'all': every parsed
   * statement (for rules about effects or transactions rather than statement shapes).
   */
  kinds: readonly K[] | 'all';
  /** Receives the statement's node payload, e.g. the IndexStmt of a CREATE INDEX. */
  check(context: RuleContext, statement: NodeOf<K>): void;
}

/** Keeps a rule's statement type precise where it is written, and erases it for the registry. */
export function defineRule<K extends NodeKind>(rule: Rule<K>): Rule {
  return rule as unknown as Rule;
}

export function ruleDocPath(id: string): string {
  return `docs/rules/${id}.md`;
}
