/**
 * The value of a few session settings at each statement, following SET's scoping rules
 * (https://www.postgresql.org/docs/current/sql-set.html), each proven in postgres-behaviour.ts:
 * - SET LOCAL lasts until the end of the current transaction, and does nothing outside a transaction block
 *   (set-local-lasts-until-transaction-end, set-local-outside-a-block-does-nothing);
 * - SET lasts for the session, but a SET made in a transaction that rolls back is undone
 *   (session-set-is-undone-by-rollback);
 * - RESET and SET … TO DEFAULT return to the server's default; RESET ALL does so for every setting.
 * `SELECT set_config('name', 'value', is_local)` with constant arguments counts as SET [LOCAL].
 *
 * Settings are tracked by name; values stay as written (the caller interprets them, e.g. as durations).
 */
import type { Node } from '@pgsql/types';
import type { TransactionEnd } from './plan';

/** Lower-case setting names tracked: the ones rules and the lock model read. */
export const TRACKED_SETTINGS = ['lock_timeout', 'statement_timeout', 'timezone'] as const;
export type TrackedSetting = (typeof TRACKED_SETTINGS)[number];

export interface SettingValue {
  /** The value as written: '2s', '2000', 'UTC'. */
  text: string;
  scope: 'session' | 'local';
  /** Index of the statement that set it. */
  statement: number;
}

/** A SET LOCAL … TO DEFAULT: the default applies until the transaction ends, whatever the session value. */
const LOCAL_DEFAULT = 'default';

interface Scoped {
  session: SettingValue | undefined;
  local: SettingValue | typeof LOCAL_DEFAULT | undefined;
}

export class SessionSettingsTracker {
  private values = new Map<TrackedSetting, Scoped>();
  /** Session values when the current transaction began, restored if it rolls back. */
  private snapshot: Map<TrackedSetting, SettingValue | undefined> | undefined;

  /** The value in effect, or undefined for the server's default. */
  value(name: TrackedSetting): SettingValue | undefined {
    const scoped = this.values.get(name);
    if (!scoped) return undefined;
    if (scoped.local === LOCAL_DEFAULT) return undefined;
    return scoped.local ?? scoped.session;
  }

  /**
   * An independent copy (the analyzer keeps one per checkpoint), with each value's statement index passed through
   * `mapStatement` (statements move when others are inserted above them).
   */
  clone(mapStatement: (statement: number) => number = (s) => s): SessionSettingsTracker {
    const map = (v: SettingValue | undefined): SettingValue | undefined => (v ? { ...v, statement: mapStatement(v.statement) } : undefined);
    const copy = new SessionSettingsTracker();
    for (const [name, scoped] of this.values) {
      copy.values.set(name, { session: map(scoped.session), local: scoped.local === LOCAL_DEFAULT ? LOCAL_DEFAULT : map(scoped.local) });
    }
    if (this.snapshot) copy.snapshot = new Map([...this.snapshot].map(([name, v]) => [name, map(v)]));
    return copy;
  }

  /** A new session (another section of a goose/dbmate file runs in another run of the runner). */
  resetSession(): void {
    this.values = new Map();
    this.snapshot = undefined;
  }

  beginTransaction(): void {
    this.snapshot = new Map(TRACKED_SETTINGS.map((n) => [n, this.values.get(n)?.session]));
  }

  endTransaction(end: TransactionEnd): void {
    for (const scoped of this.values.values()) scoped.local = undefined;
    if (end === 'rollback' && this.snapshot) {
      for (const [name, session] of this.snapshot) this.scoped(name).session = session;
    }
    this.snapshot = undefined;
  }

  /** Applies a statement: only SET / RESET / set_config change anything. */
  apply(ast: Node | undefined, statement: number, inTransaction: boolean): void {
    const set = (ast as { VariableSetStmt?: VariableSet } | undefined)?.VariableSetStmt;
    if (set) {
      this.applySet(set, statement, inTransaction);
      return;
    }
    for (const call of setConfigCalls(ast)) this.assign(call.name, call.value, call.local, statement, inTransaction);
  }

  private applySet(set: VariableSet, statement: number, inTransaction: boolean): void {
    if (set.kind === 'VAR_RESET_ALL') {
      for (const scoped of this.values.values()) {
        scoped.session = undefined;
        scoped.local = undefined;
      }
      return;
    }
    const name = tracked(set.name);
    if (!name) return;
    if (set.kind === 'VAR_SET_VALUE') {
      const text = (set.args ?? []).map(constantText).join(', ');
      if (text !== '') this.assign(name, text, set.is_local === true, statement, inTransaction);
    } else if (set.kind === 'VAR_SET_DEFAULT' || set.kind === 'VAR_RESET') {
      if (set.is_local === true) {
        if (inTransaction) this.scoped(name).local = LOCAL_DEFAULT;
      } else {
        const scoped = this.scoped(name);
        scoped.session = undefined;
        scoped.local = undefined;
      }
    }
  }

  private assign(name: TrackedSetting, text: string, local: boolean, statement: number, inTransaction: boolean): void {
    const scoped = this.scoped(name);
    if (local) {
      if (inTransaction) scoped.local = { text, scope: 'local', statement };
      return;
    }
    scoped.session = { text, scope: 'session', statement };
    scoped.local = undefined;
  }

  private scoped(name: TrackedSetting): Scoped {
    let scoped = this.values.get(name);
    if (!scoped) {
      scoped = { session: undefined, local: undefined };
      this.values.set(name, scoped);
    }
    return scoped;
  }
}

interface VariableSet {
  kind?: string;
  name?: string;
  args?: Node[];
  is_local?: boolean;
}

function tracked(name: string | undefined): TrackedSetting | undefined {
  const lower = name?.toLowerCase();
  return (TRACKED_SETTINGS as readonly string[]).includes(lower ?? '') ? (lower as TrackedSetting) : undefined;
}

/** The text of a constant as SET sees it: '2s' → 2s, 2000 → 2000 (libpg-query omits a zero integer's value). */
function constantText(node: Node): string {
  const c = (node as { A_Const?: { sval?: { sval?: string }; ival?: { ival?: number }; fval?: { fval?: string }; boolval?: { boolval?: boolean } } }).A_Const;
  if (!c) return '';
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval ?? '';
  if (c.boolval) return String(c.boolval.boolval ?? false);
  return '';
}

/** `SELECT set_config('lock_timeout', '2s', true)` calls with constant arguments, anywhere in the target list. */
function setConfigCalls(ast: Node | undefined): Array<{ name: TrackedSetting; value: string; local: boolean }> {
  const select = (ast as { SelectStmt?: { targetList?: Node[] } } | undefined)?.SelectStmt;
  const out: Array<{ name: TrackedSetting; value: string; local: boolean }> = [];
  for (const target of select?.targetList ?? []) {
    const call = (target as { ResTarget?: { val?: Node } }).ResTarget?.val as { FuncCall?: { funcname?: Node[]; args?: Node[] } } | undefined;
    const fn = call?.FuncCall;
    const names = (fn?.funcname ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
    if (names[names.length - 1]?.toLowerCase() !== 'set_config' || (fn?.args?.length ?? 0) !== 3) continue;
    const [nameArg, valueArg, localArg] = fn!.args!;
    const name = tracked(constantText(nameArg!));
    const isConstant = (n: Node) => (n as { A_Const?: unknown }).A_Const !== undefined;
    if (!name || !isConstant(valueArg!) || !isConstant(localArg!)) continue;
    out.push({ name, value: constantText(valueArg!), local: constantText(localArg!) === 'true' });
  }
  return out;
}
