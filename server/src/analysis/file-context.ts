/**
 * What the schema, the earlier statements and the file's transactions tell us about the statement being analyzed:
 * the static catalog (earlier migrations, then earlier statements of this file), the session settings in effect,
 * the transaction the statement runs in and what that transaction already holds, and the lock model's answer for
 * the statement. Rules read it; the analyzer feeds it statement by statement.
 *
 * Caching contract. The analyzer caches a statement's result by its text, the options and `contextKey` (catalog
 * facts about the relations it names). Everything else a rule may read about its surroundings — transactions,
 * locks held, settings, neighbouring statements — goes through the query methods below, which record what they
 * answered while a rule runs (`recordQueries`). A cached result is reused only if every recorded query still
 * gives the same answer (`queriesStillHold`), so whatever a rule reads is part of its cache key by construction.
 * Rules must therefore read context only through this class, and must not put statement indexes or transaction
 * ids into messages (positions change when unrelated statements are inserted; answers compare without them).
 */
import type { Node, RangeVar } from '@pgsql/types';
import type { AnalysisOptions } from './types';
import { contentHashOf, type StatementView } from './statement-view';
import { Catalog, hashString, parseQualifiedName, type SchemaLookupOptions } from './catalog';
import { catalogFunctionVolatility, catalogSchemaLookup } from './catalog/schema-lookup';
import type { SchemaLookup, SessionSettings } from './lockmodel/schema';
import type { FunctionVolatilityLookup } from './pgfacts/volatility';
import { statementEffect, type StatementEffect } from './lockmodel/model';
import { lockStrength, type LockMode } from './lockmodel/lock-modes';
import { asNode } from './node-kinds';
import { qualify, quoteIdent } from './names';
import type { StatementTransaction, TransactionEnd, TransactionIssueKind, TransactionPlan, TransactionSource } from './transactions/plan';
import { SessionSettingsTracker, TRACKED_SETTINGS, type SettingValue, type TrackedSetting } from './transactions/session-settings';
import { parseDuration } from './config/durations';

/** Identifies this file's own statements in the catalog's origins. */
const THIS_FILE = '\u0000current-file';

/**
 * The catalog's origins of this file's statements carry a stamp, not the statement's index: stamps only grow, across
 * every FileContext of the process, so a catalog restored from a checkpoint (taken before statements were inserted
 * above) still orders its objects before everything applied after it. Only "created in the current transaction"
 * reads them (created at or after the stamp of the transaction's first statement).
 */
let stampCounter = 0;

/**
 * The state of a FileContext at the start of a transaction (no locks held, no SET LOCAL in effect), from which the
 * analyzer resumes instead of replaying the statements before it (see analyzer.ts).
 */
export interface FileCheckpoint {
  /** The statement the transaction starts with. */
  readonly index: number;
  readonly catalog: Catalog;
  readonly tracker: SessionSettingsTracker;
  readonly section: string | undefined;
  readonly flags: ReadonlyArray<readonly [TrackedSetting, boolean, boolean]>;
  readonly chain: string;
}

/**
 * Everything at the start of a transaction that later statements can observe, besides the statements themselves:
 * the catalog (as `chain`, a hash over the contents — parse trees without locations — of the statements that
 * changed it), the section, the session
 * settings in effect (with the index of the statement that set each) and the "blocked since it changed" flags.
 */
export interface BoundaryState {
  readonly chain: string;
  readonly section: string | undefined;
  readonly settings: ReadonlyArray<SettingValue | undefined>;
  readonly flags: string;
}

/** The transaction a statement runs in, as rules see it. */
export interface TransactionView extends StatementTransaction {
  end: TransactionEnd;
  /** Why its statements share this transaction ("goose runs each migration in a transaction"). */
  why: string;
  /** Number of statements in the transaction (1 for autocommit). */
  size: number;
  /** The runner, as users know it ("golang-migrate", "psql"…). */
  runner: string;
}

/** A lock an earlier statement of the same transaction took and still holds. */
export interface HeldLock {
  relation: string;
  /** 'table', 'index', 'partitioned table'… as the lock model names relation kinds. */
  kind: string;
  mode: LockMode;
  /** What took it, for messages: the lock fact's summary ("ALTER TABLE … ADD COLUMN …") or the statement kind. */
  takenBy: string;
  /** The beginning of that statement's text, one line. */
  excerpt: string;
  /** Its index in this analysis (to look it up, e.g. for a related range; not for messages). */
  statement: number;
}

/** A member of the current statement's transaction. Later members have no effect yet. */
export interface TransactionMember {
  statement: number;
  kind: string;
  text: string;
  ast?: Node;
  order: 'earlier' | 'this' | 'later';
  effect?: StatementEffect;
}

export interface SettingInEffect {
  /** As written: '2s', '2000', '0'. */
  text: string;
  /** Milliseconds, for time settings, when the value parses. */
  ms?: number;
  scope: 'session' | 'local';
  /** The beginning of the statement that set it, one line. */
  setBy: string;
}

export interface NeighbourStatement {
  kind: string;
  text: string;
  ast?: Node;
  sameTransaction: boolean;
  /** Undefined when the statement was not analyzed (syntax error, psql meta-command…). */
  effect?: StatementEffect;
}

/** An index a later statement of the file creates (FileContext#laterIndexesOn). */
export interface LaterIndex {
  /** Key columns in order; undefined for an expression. */
  columns: Array<string | undefined>;
  method: string;
  /** Has a WHERE clause. */
  partial: boolean;
  /** The WHERE clause of a partial index (a `col IS NOT NULL` predicate still serves lookups by `col = …`). */
  predicate?: Node;
  /** The beginning of the statement that creates it. */
  excerpt: string;
}

/** What the analyzer knows of each statement before checking any (from the pre-pass). */
export interface PlannedStatementInfo {
  kind: string;
  text: string;
  ast?: Node;
}

interface Recorded {
  kind: string;
  text: string;
  ast?: Node;
  effect?: StatementEffect;
  transaction: number;
}

/** A statement before a checkpoint, as `apply`/`skip` record it (`transaction`: its plan id). */
export type PastStatement = Recorded;

type QueryName =
  /** Synthetic: the catalog objects the lock model and the rules looked up; answered by their digest. */
  | 'schema'
  /** Synthetic: the lock model asked whether a relation was created in the current transaction. */
  | 'createdInTransaction'
  | 'transaction'
  | 'transactionOf'
  | 'members'
  | 'heldLocks'
  | 'setting'
  | 'blockedSinceSettingChanged'
  | 'previous'
  | 'issues'
  | 'notValidAdded'
  | 'laterIndexes';

/**
 * How far each query looks, which decides when the analyzer may reuse a result without asking again (analyzer.ts):
 * - 'context': the catalog, settings, transaction state and statements before, the plan, and members of the
 *   statement's own transaction — all covered by the analyzer's checkpoint and convergence checks;
 * - 'later': also later statements of the file (see `laterQueryCheck`);
 * - 'anywhere': any statement by index: results that asked it are never reused without re-checking.
 * A new query must be classified here (the Record makes the compiler ask).
 */
export const QUERY_REACH: Readonly<Record<QueryName, 'context' | 'later' | 'anywhere'>> = {
  schema: 'context',
  createdInTransaction: 'context',
  transaction: 'context',
  transactionOf: 'anywhere',
  members: 'context',
  heldLocks: 'context',
  setting: 'context',
  blockedSinceSettingChanged: 'context',
  previous: 'context',
  issues: 'context',
  notValidAdded: 'context',
  laterIndexes: 'later',
};

/** A statement an edit removed or inserted, as `laterQueryCheck` compares them. */
export interface ChangedStatement {
  ast?: Node;
  text: string;
  /** Its section in the plan (laterIndexes reads only the asking statement's section). */
  section: string | undefined;
}

/**
 * For an edit that replaced the statements `removed` by `inserted` (at one place, later in the file than the asking
 * statement): whether it can change the answer of a 'later' query. laterIndexes(table) reads only CREATE INDEX
 * statements and ALTER TABLE statements adding a primary key, unique or exclusion constraint, on a relation with
 * the table's bare name (it resolves the name in the asking statement's catalog, so comparing the bare name is
 * safe), and reports each by its content, excerpt and section: when both sides hold the same such statements in
 * the same order, the answer is the one recorded — an edit of an ALTER TABLE … ADD COLUMN on the table, or of
 * whitespace inside a CREATE INDEX, does not invalidate every foreign key check above it.
 */
export function laterQueryCheck(removed: readonly ChangedStatement[], inserted: readonly ChangedStatement[]): (query: ContextQuery) => boolean {
  // Asked for every 'later' query before the edit (one per foreign key): the sources are worked out once per name.
  const indexing = (list: readonly ChangedStatement[]) => list.filter((s) => laterIndexRelation(s.ast) !== undefined);
  const before = indexing(removed);
  const after = indexing(inserted);
  const byName = new Map<string | undefined, boolean>();
  return (query) => {
    if (query.query !== 'laterIndexes') return true;
    if (before.length === 0 && after.length === 0) return false;
    const parts = parseQualifiedName(query.arg);
    const bare = parts?.[parts.length - 1];
    let affected = byName.get(bare);
    if (affected === undefined) {
      const a = laterIndexSources(before, bare);
      const b = laterIndexSources(after, bare);
      affected = a.length !== b.length || a.some((source, k) => source !== b[k]);
      byName.set(bare, affected);
    }
    return affected;
  };
}

/** The relation a statement that `laterIndexes` could report indexes (undefined: it reports none). */
function laterIndexRelation(ast: Node | undefined): RangeVar | undefined {
  const index = asNode(ast, 'IndexStmt');
  if (index) return index.relation;
  const alter = asNode(ast, 'AlterTableStmt');
  return alter && (alter.cmds ?? []).some(addsIndexingConstraint) ? alter.relation : undefined;
}

/** An ALTER TABLE command that `laterIndexes` reports: ADD PRIMARY KEY / UNIQUE / EXCLUDE building a new index. */
function addsIndexingConstraint(item: Node): boolean {
  const cmd = asNode(item, 'AlterTableCmd');
  const constraint = cmd?.subtype === 'AT_AddConstraint' ? asNode(cmd.def, 'Constraint') : undefined;
  if (!constraint || constraint.indexname) return false;
  return constraint.contype === 'CONSTR_PRIMARY' || constraint.contype === 'CONSTR_UNIQUE' || constraint.contype === 'CONSTR_EXCLUSION';
}

/** What each statement that `laterIndexes` could read says, in order (see `laterQueryCheck`). */
function laterIndexSources(statements: readonly ChangedStatement[], bare: string | undefined): string[] {
  const out: string[] = [];
  for (const s of statements) {
    const relation = laterIndexRelation(s.ast);
    if (!relation || (bare !== undefined && relation.relname !== bare)) continue;
    out.push(`${s.section ?? ''}\u0000${excerptOf(s.text)}\u0000${contentHashOf(s.ast!)}`);
  }
  return out;
}

/** One context question a rule asked, with a digest of the answer it got. */
export interface ContextQuery {
  query: QueryName;
  arg: string;
  digest: string;
}

interface Answer<T> {
  value: T;
  digest: string;
}

export class FileContext {
  readonly catalog: Catalog;
  readonly schema: SchemaLookup;
  readonly functionVolatility: FunctionVolatilityLookup;
  /** The session settings the lock model reads (TimeZone), kept equal to what is in effect. */
  readonly settings: SessionSettings = {};

  private readonly lookupOptions: SchemaLookupOptions = { file: THIS_FILE, transactionStart: 0 };
  private sessionSettings = new SessionSettingsTracker();
  private readonly recorded: Recorded[] = [];
  private current = -1;
  private currentTransaction = -1;
  private currentSection: string | undefined;
  private held = new Map<string, HeldLock>();
  private notValid: Array<{ table: string; constraint: string; excerpt: string }> = [];
  /**
   * Per setting: whether a statement that blocks reads or writes of an existing table ran since it last changed
   * (`blocked`), and one that also rewrites or scans a table while doing so (`long`).
   */
  private blockedSinceChange = new Map<TrackedSetting, { key: string; blocked: boolean; long: boolean }>();
  private queries: ContextQuery[] | undefined;
  /** Names of catalog objects looked up while recording (the lock model reaches beyond the names a statement has). */
  private schemaReads: Set<string> | undefined;
  private tableRowsByName: Map<string, number> | undefined;
  private readonly inner: SchemaLookup;
  /** The names `contextKey` already covers for the current statement: recorded schema reads leave them out. */
  private keyNames: readonly string[] = [];
  /** blockedTables of the current statement's effect, computed once per statement. */
  private blocked: { effect: StatementEffect; tables: string[] } | undefined;
  /** The current statement's stamp, and each entered statement's (see `stampCounter`). */
  private stamp = 0;
  private readonly stampOf: number[] = [];
  /** Hash over the statements that changed the catalog (and transaction ends that reset SET LOCAL search_path). */
  private chain = '';
  /** After `resume`: the statements before the checkpoint, which this context never saw. */
  private past: ((index: number) => PastStatement | undefined) | undefined;
  private pastBefore = 0;

  /**
   * @param base the schema the migrations before this file produce; it is cloned, never changed.
   * @param plan the file's transactions (transactions/plan.ts); without one every statement runs on its own.
   * @param planned every statement of the file, in order, as the plan saw them.
   */
  constructor(
    readonly options: AnalysisOptions,
    base?: Catalog,
    private readonly plan?: TransactionPlan,
    private readonly planned: readonly PlannedStatementInfo[] = [],
  ) {
    this.catalog = base ? base.clone() : new Catalog();
    const note = Object.assign((name: string) => this.schemaReads?.add(name), { active: () => this.schemaReads !== undefined });
    const inner = catalogSchemaLookup(this.catalog, this.lookupOptions);
    // Its answer depends on where the current transaction started, which no catalog digest reflects: a query.
    const createdInTransaction = (name: string) => this.ask('createdInTransaction', name) as boolean;
    this.inner = inner;
    this.schema = recordingLookup(inner, note, createdInTransaction);
    const volatility = catalogFunctionVolatility(this.catalog);
    this.functionVolatility = (fn) => {
      note(fn.schema !== undefined ? `${fn.schema}.${fn.name}` : fn.name);
      return volatility(fn);
    };
  }

  // ---- the statement being analyzed ----

  /**
   * Moves to statement `index` (called for every statement, in order, also those not analyzed): ends the previous
   * transaction when this statement starts another one, so SET LOCAL values expire and held locks are released.
   */
  enter(index: number): boolean {
    const planned = this.plan?.statements[index];
    const transaction = planned?.id ?? -(index + 2);
    this.stamp = ++stampCounter;
    this.stampOf[index] = this.stamp;
    const starts = transaction !== this.currentTransaction;
    if (starts) {
      this.leaveTransaction();
      const section = planned?.section ?? 'up';
      if (section !== this.currentSection) {
        // Another section runs in another run of the runner: a new session.
        if (this.currentSection !== undefined) this.sessionSettings.resetSession();
        this.blockedSinceChange.clear();
        this.currentSection = section;
      }
      this.currentTransaction = transaction;
      this.sessionSettings.beginTransaction();
      const info = this.plan?.transactions[transaction];
      // "Created in the current transaction" (the lock model asks) counts from the transaction's first statement.
      this.lookupOptions.transactionStart = this.stampOf[info?.statements[0] ?? index] ?? this.stamp;
    }
    this.current = index;
    this.blocked = undefined;
    this.keyNames = [];
    this.syncSettings();
    return starts;
  }

  // ---- checkpoints (the analyzer's, to resume instead of replaying) ----

  /** The state right after `enter(index)` started a transaction. */
  checkpoint(index: number): FileCheckpoint {
    return {
      index,
      catalog: this.catalog.clone(),
      tracker: this.sessionSettings.clone(),
      section: this.currentSection,
      flags: [...this.blockedSinceChange].map(([name, state]) => [name, state.blocked, state.long] as const),
      chain: this.chain,
    };
  }

  /**
   * Continues from a checkpoint (this context must have been created with `checkpoint.catalog` as its base): the
   * next call is `enter(checkpoint.index)`. `past` describes the statements before it, as `skip`/`apply` would have
   * recorded them.
   */
  resume(checkpoint: FileCheckpoint, past: (index: number) => PastStatement | undefined): void {
    const index = checkpoint.index;
    this.sessionSettings = checkpoint.tracker.clone();
    this.currentSection = checkpoint.section;
    this.chain = checkpoint.chain;
    this.currentTransaction = this.plan?.statements[index]?.id ?? -(index + 2);
    this.current = index;
    this.stampOf[index] = ++stampCounter;
    this.lookupOptions.transactionStart = this.stampOf[index];
    this.blockedSinceChange = new Map(
      checkpoint.flags.map(([name, blocked, long]) => [name, { key: settingKey(this.sessionSettings.value(name)), blocked, long }]),
    );
    this.syncSettings();
    this.past = past;
    this.pastBefore = index;
  }

  /** See BoundaryState; meaningful right after `enter` started a transaction. */
  boundaryState(): BoundaryState {
    return {
      chain: this.chain,
      section: this.currentSection,
      settings: TRACKED_SETTINGS.map((name) => this.sessionSettings.value(name)),
      flags: [...this.blockedSinceChange].map(([name, state]) => `${name}:${state.blocked}:${state.long}`).join(','),
    };
  }

  /** True when the relation was created by an earlier statement of this file (so it is new and empty). */
  createdInFile(relation: RangeVar | string | undefined): boolean {
    if (!relation) return false;
    const name = this.nameOf(relation);
    this.schemaReads?.add(name);
    return this.catalog.createdBy(name)?.file === THIS_FILE;
  }

  /**
   * True when a validated constraint proves `column` has no NULLs — CHECK (column IS NOT NULL) added without NOT
   * VALID or validated since, or (PostgreSQL 18) a NOT NULL constraint — so SET NOT NULL skips its scan (PG ≥ 12).
   */
  hasValidatedNotNullCheck(relation: RangeVar | string, column: string): boolean {
    return this.schema.hasValidatedNotNullCheck(this.nameOf(relation), column);
  }

  /** What the lock model says this statement does, in the current context. */
  effect(view: StatementView): StatementEffect {
    return statementEffect(view.ast, { schema: this.schema, settings: this.settings, pgVersion: this.options.pgVersion });
  }

  /**
   * A string that changes iff the catalog facts about what this statement names change (catalog revisions of
   * those relations and types, the TimeZone setting), so
   * unrelated edits keep cached results valid. Transaction and neighbour facts are checked by `queriesStillHold`.
   */
  contextKey(view: StatementView): string {
    const names = this.catalog.referencedRelations(view.ast);
    this.keyNames = names;
    // search_path too: it decides where CREATE puts an object, which no digest of an existing one reflects.
    return `${this.catalog.digestOf(names)}|tz=${this.settings.timeZone ?? ''}|sp=${searchPathText(this.catalog.searchPath)}`;
  }

  /**
   * Applies the statement to the catalog and to what its transaction holds. `effect` is the lock model's answer
   * for it (held locks are tracked only when it is given).
   */
  apply(view: StatementView, statementIndex: number, effect?: StatementEffect): void {
    if (this.current !== statementIndex && this.plan === undefined) this.enter(statementIndex);
    // Before the statement changes the catalog, as the rules saw it (a RENAME or DROP would otherwise make a table
    // created in this file look pre-existing — and the answer would depend on whether the rules ran or were cached).
    const blocks = effect !== undefined && this.blockedTables(effect).length > 0;
    const mark = this.catalog.mark();
    // The statement's content, not its text, is its mark in the schema's history (object revisions, `chain`): an
    // edit of whitespace, comments or keyword case inside a DDL statement leaves the catalog's history as it was,
    // so later results stay cached and the analyzer converges right after it. The catalog reads the hash only
    // for a statement that changes something, so the others never compute it.
    this.catalog.apply(view.ast, {
      file: THIS_FILE,
      statement: this.stamp,
      get textHash() {
        return view.contentHash();
      },
    });
    if (this.catalog.changedSince(mark)) this.chain = hashString(`${this.chain}\n${view.contentHash()}`);
    this.sessionSettings.apply(view.ast, statementIndex, this.transactionFacts(statementIndex).inTransaction);
    this.syncSettings();
    this.record(statementIndex, view.kind, view.text, view.ast, effect);
    if (effect) {
      this.trackLocks(statementIndex, view.text, view.kind, effect);
      this.trackNotValid(view.ast, view.text);
      if (blocks) {
        const long = isLong(effect);
        for (const state of this.blockedSinceChange.values()) {
          state.blocked = true;
          if (long) state.long = true;
        }
      }
    }
  }

  /** Records a statement that was not analyzed (syntax error, psql meta-command…): it still counts as a neighbour. */
  skip(statementIndex: number, kind: string, text: string): void {
    this.record(statementIndex, kind, text, undefined, undefined);
  }

  /** Existing tables (not created in this file) whose reads or writes wait while the statement holds its locks. */
  blockedTables(effect: StatementEffect): string[] {
    if (this.blocked?.effect !== effect) {
      const tables = new Set([...effect.blocks.reads, ...effect.blocks.writes]);
      this.blocked = { effect, tables: [...tables].filter((t) => !this.createdInFile(t)).sort() };
    } else {
      // Answered from the memo: still a catalog read the cache must know of.
      for (const t of this.blocked.tables) this.schemaReads?.add(t);
    }
    return this.blocked.tables;
  }

  // ---- project policy (part of the analyzer's cache key through the options) ----

  /** Rows in production, from lockstep.json `tables` / statsFile, for a relation name as the lock model prints it. */
  tableRows(relation: string): number | undefined {
    if (!this.tableRowsByName) {
      this.tableRowsByName = new Map();
      for (const [name, facts] of Object.entries(this.options.project?.tables ?? {})) {
        const parts = parseQualifiedName(name);
        if (!parts || parts.length > 2 || facts.rows === undefined) continue;
        const key = parts.length === 1 ? qualify('public', parts[0]!) : qualify(parts[0]!, parts[1]!);
        this.tableRowsByName.set(key, facts.rows);
      }
    }
    return this.tableRowsByName.get(relation);
  }

  // ---- context queries (recorded for the cache) ----

  /** The transaction the current statement runs in. */
  transaction(): TransactionView {
    return this.ask('transaction', '') as TransactionView;
  }

  /** The transaction of any statement of the file. */
  transactionOf(statementIndex: number): TransactionView | undefined {
    return this.ask('transactionOf', String(statementIndex)) as TransactionView | undefined;
  }

  /** Every statement of the current statement's transaction, in order (later ones without effects). */
  statementsInSameTransaction(): TransactionMember[] {
    return this.ask('members', '') as TransactionMember[];
  }

  /** Locks earlier statements of the same transaction hold on relations that existed before this file. */
  heldLocks(): HeldLock[] {
    return this.ask('heldLocks', '') as HeldLock[];
  }

  /** The lock an earlier statement of the same transaction holds on `relation`, if any. */
  heldLock(relation: string): HeldLock | undefined {
    return this.heldLocks().find((l) => l.relation === relation);
  }

  /** The earlier statement of the same transaction whose AccessExclusiveLock on `relation` is still held, if any. */
  accessExclusiveHeldOn(relation: string): HeldLock | undefined {
    const held = this.heldLock(relation);
    return held?.mode === 'AccessExclusiveLock' ? held : undefined;
  }

  /** The value of a tracked setting in effect for the current statement; undefined: the server's default. */
  setting(name: TrackedSetting): SettingInEffect | undefined {
    return this.ask('setting', name) as SettingInEffect | undefined;
  }

  /**
   * Whether an earlier statement of this section blocked reads or writes of an existing table since `name` last
   * changed ('blocking'), or did so while rewriting or scanning a table ('blocking-long'): lets a rule report a
   * missing setting once, at the first statement that needs it.
   */
  blockedSinceSettingChanged(name: TrackedSetting, what: 'blocking' | 'blocking-long' = 'blocking'): boolean {
    return this.ask('blockedSinceSettingChanged', `${name}:${what}`) as boolean;
  }

  /** The statement right before this one in the file, if any. */
  previousStatement(): NeighbourStatement | undefined {
    return this.ask('previous', '') as NeighbourStatement | undefined;
  }

  /** What is wrong with the current statement's transaction handling (nested BEGIN, BEGIN never committed…). */
  transactionIssues(): TransactionIssueKind[] {
    return this.ask('issues', '') as TransactionIssueKind[];
  }

  /**
   * The beginning of the earlier statement of this transaction that added constraint `constraint` to `table` with
   * NOT VALID, if one did.
   */
  notValidAddedInTransaction(table: string, constraint: string): string | undefined {
    return this.ask('notValidAdded', `${table}\u0000${constraint}`) as string | undefined;
  }

  /**
   * Indexes that LATER statements of the file's current section create on `table` — CREATE INDEX, and ADD PRIMARY
   * KEY / UNIQUE / EXCLUDE constraints — whatever transaction they run in: for rules about something an index
   * further down settles (fk-without-index). Names resolve against the schema as it is now.
   */
  laterIndexesOn(table: string): LaterIndex[] {
    return this.ask('laterIndexes', table) as LaterIndex[];
  }

  // ---- cache support (the analyzer's) ----

  /**
   * Starts recording the queries rules ask, and the catalog objects the lock model and the rules look up (start it
   * before computing the statement's effect); `stopRecording` returns them.
   */
  recordQueries(): void {
    this.queries = [];
    this.schemaReads = new Set();
  }

  stopRecording(): ContextQuery[] {
    const queries = this.queries ?? [];
    const covered = new Set(this.keyNames);
    const names = [...(this.schemaReads ?? [])].filter((n) => !covered.has(n)).sort();
    this.queries = undefined;
    this.schemaReads = undefined;
    if (names.length > 0) {
      const arg = names.join('\u0001');
      queries.push({ query: 'schema', arg, digest: this.catalog.digestOf(names) });
    }
    return queries;
  }

  /** True when every query gets the same answer now as when it was recorded. */
  queriesStillHold(queries: readonly ContextQuery[]): boolean {
    return queries.every((q) => this.answer(q.query, q.arg).digest === q.digest);
  }

  // ---- internals ----

  private ask(query: QueryName, arg: string): unknown {
    const answer = this.answer(query, arg);
    this.queries?.push({ query, arg, digest: answer.digest });
    return answer.value;
  }

  /** Each query's answer with a digest of what a rule can read from it (never positions or ids). */
  private answer(query: QueryName, arg: string): Answer<unknown> {
    switch (query) {
      case 'schema':
        return { value: undefined, digest: this.catalog.digestOf(schemaQueryNames(arg)) };
      case 'createdInTransaction': {
        const created = this.inner.createdInCurrentTransaction(arg);
        return { value: created, digest: String(created) };
      }
      case 'transaction':
        return this.transactionAnswer(this.current);
      case 'transactionOf': {
        const index = Number(arg);
        return index >= 0 && index < (this.plan?.statements.length ?? 0) ? this.transactionAnswer(index) : { value: undefined, digest: '-' };
      }
      case 'members': {
        const members = this.membersOf(this.current);
        const digest = members
          .map((m) => `${m.order}:${m.kind}:${memberTextHash(m.text)}:${m.effect ? effectDigest(m.effect) : ''}`)
          .join('|');
        return { value: members, digest };
      }
      case 'heldLocks': {
        const locks = [...this.held.values()];
        return { value: locks, digest: locks.map((l) => `${l.relation}:${l.mode}:${l.takenBy}:${l.excerpt}`).join('|') };
      }
      case 'setting': {
        const value = this.settingValue(arg as TrackedSetting);
        return { value, digest: value ? `${value.text}:${value.scope}:${value.setBy}` : '-' };
      }
      case 'blockedSinceSettingChanged': {
        const [name, what] = arg.split(':');
        const state = this.blockedSinceChange.get(name as TrackedSetting);
        const blocked = (what === 'blocking-long' ? state?.long : state?.blocked) ?? false;
        return { value: blocked, digest: String(blocked) };
      }
      case 'previous': {
        const previous = this.recordedAt(this.current - 1);
        if (!previous) return { value: undefined, digest: '-' };
        const sameTransaction = previous.transaction === this.currentTransaction;
        const value: NeighbourStatement = { kind: previous.kind, text: previous.text, sameTransaction };
        if (previous.ast) value.ast = previous.ast;
        if (previous.effect) value.effect = previous.effect;
        return { value, digest: `${previous.kind}:${memberTextHash(previous.text)}:${sameTransaction}:${previous.effect ? effectDigest(previous.effect) : ''}` };
      }
      case 'issues': {
        const kinds = this.issuesAt().get(this.current) ?? [];
        return { value: kinds, digest: kinds.join(',') };
      }
      case 'laterIndexes': {
        const indexes = this.laterIndexes(arg);
        return { value: indexes, digest: JSON.stringify(indexes) };
      }
      case 'notValidAdded': {
        const [table, constraint] = arg.split('\u0000');
        const found = this.notValid.find((c) => c.table === table && c.constraint === constraint)?.excerpt;
        return { value: found, digest: found ?? '-' };
      }
    }
  }

  /** CREATE INDEX and ALTER TABLE statements of the file by the bare name of their relation, in order. */
  private indexingByName: Map<string, number[]> | undefined;

  /**
   * Statements after the current one that could create an index on `table`: only those naming a relation with the
   * table's bare name can resolve to it, so laterIndexes costs the statements on that name, not the whole file.
   */
  private laterCandidates(table: string): Iterable<number> {
    const parts = parseQualifiedName(table);
    const bare = parts?.[parts.length - 1];
    if (bare === undefined) return Array.from({ length: Math.max(0, this.planned.length - this.current - 1) }, (_, k) => this.current + 1 + k);
    if (!this.indexingByName) {
      this.indexingByName = new Map();
      this.planned.forEach(({ ast }, i) => {
        const relname = (asNode(ast, 'IndexStmt')?.relation ?? asNode(ast, 'AlterTableStmt')?.relation)?.relname;
        if (relname === undefined) return;
        const list = this.indexingByName!.get(relname);
        if (list) list.push(i);
        else this.indexingByName!.set(relname, [i]);
      });
    }
    return (this.indexingByName.get(bare) ?? []).filter((i) => i > this.current);
  }

  private laterIndexes(table: string): LaterIndex[] {
    const section = this.plan?.statements[this.current]?.section;
    const out: LaterIndex[] = [];
    for (const i of this.laterCandidates(table)) {
      if (this.plan?.statements[i]?.section !== section) continue;
      const { ast, text } = this.planned[i]!;
      const index = asNode(ast, 'IndexStmt');
      if (index?.relation && this.inner.resolve(index.relation) === table) {
        out.push({
          columns: (index.indexParams ?? []).map((p) => asNode(p, 'IndexElem')?.name),
          method: index.accessMethod ?? 'btree',
          partial: index.whereClause !== undefined,
          ...(index.whereClause ? { predicate: index.whereClause } : {}),
          excerpt: excerptOf(text),
        });
        continue;
      }
      const alter = asNode(ast, 'AlterTableStmt');
      if (!alter?.relation || this.inner.resolve(alter.relation) !== table) continue;
      for (const item of alter.cmds ?? []) {
        const cmd = asNode(item, 'AlterTableCmd');
        const constraint = cmd?.subtype === 'AT_AddConstraint' ? asNode(cmd.def, 'Constraint') : undefined;
        if (!constraint || constraint.indexname) continue;
        if (constraint.contype === 'CONSTR_PRIMARY' || constraint.contype === 'CONSTR_UNIQUE') {
          out.push({ columns: (constraint.keys ?? []).map((k) => asNode(k, 'String')?.sval), method: 'btree', partial: false, excerpt: excerptOf(text) });
        } else if (constraint.contype === 'CONSTR_EXCLUSION') {
          const columns = (constraint.exclusions ?? []).map((e) => asNode(asNode(e, 'List')?.items?.[0], 'IndexElem')?.name);
          out.push({ columns, method: constraint.access_method ?? 'btree', partial: constraint.where_clause !== undefined, excerpt: excerptOf(text) });
        }
      }
    }
    return out;
  }

  private issuesByStatement: Map<number, TransactionIssueKind[]> | undefined;

  /** The plan's issues by statement, built once: asked for at every statement. */
  private issuesAt(): Map<number, TransactionIssueKind[]> {
    if (!this.issuesByStatement) {
      this.issuesByStatement = new Map();
      for (const issue of this.plan?.issues ?? []) {
        const list = this.issuesByStatement.get(issue.statement) ?? [];
        list.push(issue.kind);
        this.issuesByStatement.set(issue.statement, list);
      }
    }
    return this.issuesByStatement;
  }

  private transactionFacts(index: number): StatementTransaction {
    return (
      this.plan?.statements[index] ?? { inTransaction: false, id: -(index + 2), source: 'autocommit' as TransactionSource, section: 'up' }
    );
  }

  private transactionAnswer(index: number): Answer<TransactionView> {
    const facts = this.transactionFacts(index);
    const info = this.plan?.transactions[facts.id];
    const view: TransactionView = {
      ...facts,
      end: info?.end ?? 'statement',
      why: info?.why ?? 'psql sends each statement on its own',
      size: info?.statements.length ?? 1,
      runner: this.plan?.runner.label ?? 'psql',
    };
    // The id is left out: ids shift when transactions are added before, without changing anything a rule says.
    const digest = `${view.inTransaction}:${view.source}:${view.section}:${view.end}:${view.size}:${view.why}:${view.runner}`;
    return { value: view, digest };
  }

  private membersOf(index: number): TransactionMember[] {
    const facts = this.transactionFacts(index);
    const indexes = this.plan?.transactions[facts.id]?.statements ?? [index];
    return indexes.map((i) => {
      const order = i < index ? 'earlier' : i === index ? 'this' : 'later';
      const known = this.recordedAt(i);
      const planned = this.planned[i];
      const member: TransactionMember = {
        statement: i,
        kind: known?.kind ?? planned?.kind ?? 'Unknown',
        text: known?.text ?? planned?.text ?? '',
        order,
      };
      const ast = known?.ast ?? planned?.ast;
      if (ast) member.ast = ast;
      if (order === 'earlier' && known?.effect) member.effect = known.effect;
      return member;
    });
  }

  private settingValue(name: TrackedSetting): SettingInEffect | undefined {
    const value = this.sessionSettings.value(name);
    if (!value) return undefined;
    const setter = this.recordedAt(value.statement);
    const setting: SettingInEffect = { text: value.text, scope: value.scope, setBy: setter ? excerptOf(setter.text) : '' };
    if (name !== 'timezone') {
      const parsed = parseDuration(/^\s*-?\d+(\.\d+)?\s*$/.test(value.text) ? Number(value.text) : value.text);
      if (parsed.ok) setting.ms = parsed.ms;
    }
    return setting;
  }

  private leaveTransaction(): void {
    if (this.current < 0) return;
    const info = this.plan?.transactions[this.currentTransaction];
    this.sessionSettings.endTransaction(info?.end ?? 'statement');
    // SET LOCAL search_path stops applying with the transaction.
    const mark = this.catalog.mark();
    this.catalog.endTransaction();
    if (this.catalog.changedSince(mark)) this.chain = hashString(`${this.chain}\nend`);
    this.held = new Map();
    this.notValid = [];
  }

  /** Keeps the lock model's settings and the per-setting "blocked since it changed" flags current. */
  private syncSettings(): void {
    const tz = this.sessionSettings.value('timezone');
    if (tz) this.settings.timeZone = tz.text;
    else delete this.settings.timeZone;
    for (const name of ['lock_timeout', 'statement_timeout'] as const) {
      const key = settingKey(this.sessionSettings.value(name));
      const state = this.blockedSinceChange.get(name);
      if (!state || state.key !== key) this.blockedSinceChange.set(name, { key, blocked: false, long: false });
    }
  }

  private recordedAt(index: number): Recorded | undefined {
    return this.recorded[index] ?? (index < this.pastBefore && index >= 0 ? this.past?.(index) : undefined);
  }

  private record(index: number, kind: string, text: string, ast: Node | undefined, effect: StatementEffect | undefined): void {
    // No object spread: this runs for every statement of a walk.
    const recorded: Recorded = { kind, text, transaction: this.transactionFacts(index).id };
    if (ast) recorded.ast = ast;
    if (effect) recorded.effect = effect;
    this.recorded[index] = recorded;
  }

  private trackLocks(index: number, text: string, kind: string, effect: StatementEffect): void {
    // Locks taken outside a transaction block are released when the statement ends.
    if (!this.transactionFacts(index).inTransaction) return;
    const takenBy = effect.facts[0]?.summary ?? kind;
    for (const lock of effect.locks) {
      if (this.createdInFile(lock.relation)) continue;
      // What a DROP removed blocks no later work: nothing can use it any more (queries on it fail once it commits).
      if (kind === 'DropStmt' && !this.catalog.relation(lock.relation) && !this.catalog.index(lock.relation)) continue;
      const previous = this.held.get(lock.relation);
      if (previous && lockStrength(previous.mode) >= lockStrength(lock.mode)) continue;
      this.held.set(lock.relation, { relation: lock.relation, kind: lock.kind, mode: lock.mode, takenBy, excerpt: excerptOf(text), statement: index });
    }
  }

  private trackNotValid(ast: Node, text: string): void {
    const alter = asNode(ast, 'AlterTableStmt');
    if (!alter?.relation) return;
    const table = this.schema.resolve(alter.relation);
    for (const cmd of alter.cmds ?? []) {
      const c = asNode(cmd, 'AlterTableCmd');
      const constraint = asNode(c?.def, 'Constraint');
      if (c?.subtype === 'AT_AddConstraint' && constraint?.skip_validation && constraint.conname) {
        this.notValid.push({ table, constraint: constraint.conname, excerpt: excerptOf(text) });
      }
    }
  }

  private nameOf(relation: RangeVar | string): string {
    return typeof relation === 'string' ? relation : this.schema.resolve(relation);
  }
}

/** The first line of a statement, whitespace collapsed, at most 60 characters: names it in messages. */
export function excerptOf(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const collapsed = line.replace(/\s+/g, ' ').trim();
  const multiLine = text.trim().includes('\n');
  if (collapsed.length > 60) return `${collapsed.slice(0, 59)}…`;
  return multiLine ? `${collapsed} …` : collapsed;
}

/** The statement does work that grows with a table: rewrites or scans it. */
export function isLong(effect: StatementEffect): boolean {
  return effect.rewrites.length > 0 || effect.scans.length > 0;
}

/** Identifies a setting's value: a change of it resets the "blocked since it changed" flags. */
function settingKey(value: SettingValue | undefined): string {
  return value ? `${value.text}:${value.scope}:${value.statement}` : '-';
}

/**
 * Every statement of a transaction asks for its members (wide-lock-window, rename and drop rules), so each member's
 * digest is asked once per statement of the transaction: memoized, a golang-migrate file of T statements (one
 * transaction) costs T joins of short strings per statement instead of T hashes of statement texts.
 */
const effectDigests = new WeakMap<StatementEffect, string>();

function effectDigest(effect: StatementEffect): string {
  let digest = effectDigests.get(effect);
  if (digest === undefined) effectDigests.set(effect, (digest = effect.locks.map((l) => `${l.relation}=${l.mode}`).join(',')));
  return digest;
}

/** search_path arrays are replaced, never changed: each one's text is worked out once (asked at every statement). */
const searchPathTexts = new WeakMap<readonly string[], string>();

function searchPathText(path: readonly string[]): string {
  let text = searchPathTexts.get(path);
  if (text === undefined) searchPathTexts.set(path, (text = path.join(',')));
  return text;
}

/**
 * The names of a 'schema' query, one array per distinct argument: asked again at every cached statement of a walk,
 * and the catalog memoizes digests per names array. Bounded like the maps below.
 */
const schemaQueryNamesByArg = new Map<string, readonly string[]>();

function schemaQueryNames(arg: string): readonly string[] {
  let names = schemaQueryNamesByArg.get(arg);
  if (names === undefined) {
    if (schemaQueryNamesByArg.size >= 50_000) schemaQueryNamesByArg.clear();
    schemaQueryNamesByArg.set(arg, (names = arg.split('\u0001')));
  }
  return names;
}

/** Bounded like the catalog's name memo: texts of the documents being analyzed, not of every document ever seen. */
const memberTextHashes = new Map<string, string>();

function memberTextHash(text: string): string {
  let hash = memberTextHashes.get(text);
  if (hash === undefined) {
    if (memberTextHashes.size >= 50_000) memberTextHashes.clear();
    memberTextHashes.set(text, (hash = hashString(text)));
  }
  return hash;
}

/**
 * Look-ups whose answer is covered by the digest of their arguments (an index's state is its table's revision;
 * columns, constraints and sequences are the table's): their results need not be noted, and must not be — a
 * table's indexes would otherwise be noted at every statement on it, a cost quadratic in their number.
 */
const COVERED_BY_ARGUMENTS = new Set([
  'relationKind',
  'indexesOf',
  'sequencesOf',
  'column',
  'columnNames',
  'hasValidatedNotNullCheck',
  'functionVolatility',
  'constraintsOf',
  'indexFacts',
  'columnType',
  'resolveType',
  'persistence',
  'partitionKeyOf',
  'sequenceOf',
  'viewQuery',
]);

/**
 * The schema lookup with every name it is asked about noted — and, where the answer names other objects (the
 * tables whose foreign keys reference a table, partitions, views, a created relation), the names it answers with:
 * a statement's effect depends on relations it does not name, and the cache must know them. Names that are not
 * catalog objects only cost a digest part.
 */
function recordingLookup(
  inner: SchemaLookup,
  note: ((name: string) => void) & { active?: () => boolean },
  createdInTransaction: (name: string) => boolean,
): SchemaLookup {
  const wrappers = new Map<PropertyKey, unknown>();
  const noteValue = (value: unknown, depth: number): void => {
    if (typeof value === 'string') {
      if (value.length <= 200) note(value);
    } else if (Array.isArray(value)) {
      if (depth < 2) for (const item of value) noteValue(item, depth + 1);
    } else if (value !== null && typeof value === 'object' && depth < 2) {
      for (const field of Object.values(value)) if (typeof field === 'string' || Array.isArray(field)) noteValue(field, depth + 1);
    }
  };
  // resolveType is asked with the parser's TypeName, not a name, so no argument covers it: note the type's name as
  // written (search_path resolves it as it did), or a type created, renamed or dropped earlier in the file leaves a
  // cached answer stale (fuzz seed 1, case 7576: ALTER COLUMN … TYPE kept showing a type that no longer existed).
  const noteTypeName = (type: unknown, facts: unknown): void => {
    if ((facts as { kind?: string } | undefined)?.kind === 'builtin') return;
    const parts = ((type as { names?: unknown[] } | undefined)?.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
    const [schema, name] = parts.length >= 2 ? parts.slice(-2) : [undefined, parts[0]];
    if (name) note(schema !== undefined ? qualify(schema, name) : quoteIdent(name));
  };
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'createdInCurrentTransaction') return createdInTransaction;
      const member = Reflect.get(target, property, receiver) as unknown;
      if (typeof member !== 'function') return member;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        const coveredByArguments = typeof property === 'string' && COVERED_BY_ARGUMENTS.has(property);
        wrapper = (...args: unknown[]) => {
          const result = (member as (...a: unknown[]) => unknown).apply(target, args);
          if (note.active?.() === false) return result;
          for (const arg of args) if (typeof arg === 'string') note(arg);
          if (property === 'resolveType') noteTypeName(args[0], result);
          if (!coveredByArguments) noteValue(result, 0);
          return result;
        };
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
