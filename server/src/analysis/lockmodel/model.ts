/**
 * The lock model: for one statement, in the context of a schema, which relations it locks and in which mode,
 * whether it rewrites or scans them, what concurrent work waits, and whether it may run in a transaction block.
 * Every answer comes from a fact in facts/ (data with a proven example), never from code here; this file only
 * matches facts to statements and resolves their roles to relations.
 */
import type { Node } from '@pgsql/types';
import { blockedWorkloads, lockStrength, strongerLock, type LockMode, type Workload } from './lock-modes';
import type { FactInput, LockFact, Role } from './fact';
import type { RelationKind, SchemaLookup, SessionSettings } from './schema';
import { factsFor } from './facts';
import { targetsOf, type Targets } from './targets';
import { nodeKind } from '../node-kinds';

export interface RelationLock {
  relation: string;
  kind: RelationKind;
  mode: LockMode;
}

export interface StatementEffect {
  /** Strongest mode per relation, strongest first. */
  locks: RelationLock[];
  rewrites: string[];
  scans: string[];
  /** Per kind of concurrent work, the tables on which it waits while the statement holds its locks. */
  blocks: Record<Workload, string[]>;
  /** 'forbidden' when PostgreSQL refuses to run the statement inside a transaction block. */
  transaction: 'allowed' | 'forbidden';
  /** True when no fact covers this statement (or one of its ALTER TABLE subcommands): nothing above is complete. */
  unknown: boolean;
  /** What was not covered, for an honest "unknown". */
  unknownParts: string[];
  /** The facts that produced the answer, for traceability (hover links, tests). */
  facts: AppliedFact[];
}

/** A fact as plain data (the fact's matching logic stays in facts/). */
export interface AppliedFact {
  id: string;
  summary: string;
  docs: string;
  why?: string;
}

export interface ModelContext {
  schema: SchemaLookup;
  settings: SessionSettings;
  pgVersion: number;
}

export function statementEffect(node: Node, context: ModelContext): StatementEffect {
  const kind = nodeKind(node);
  const statement = (node as Record<string, unknown>)[kind];
  const targets = targetsOf(kind, statement, context.schema);
  const effect = new EffectBuilder(context.schema, targets);
  const base: Omit<FactInput, 'command'> = {
    statement,
    schema: context.schema,
    settings: context.settings,
    pgVersion: context.pgVersion,
    table: targets.table?.[0],
  };

  if (kind === 'AlterTableStmt') {
    const cmds = ((statement as { cmds?: Node[] }).cmds ?? []).map((c) => (c as { AlterTableCmd?: { subtype?: string } }).AlterTableCmd);
    for (const cmd of cmds) {
      const subtype = cmd?.subtype ?? 'unknown';
      const input: FactInput = { ...base, command: cmd };
      const fact = matchFact(kind, subtype, input, context.pgVersion);
      if (fact) effect.apply(fact, input);
      else effect.unknownParts.push(`ALTER TABLE subcommand ${subtype}`);
      // Many subcommands recurse to inheritance children, some do not; a fact that says neither is unproven there.
      const children = targets['table.inheritors.direct'];
      if (fact && children && !fact.inheritorsUntouched && !namesInheritors(fact)) {
        effect.unknownParts.push(`ALTER TABLE subcommand ${subtype} on a table with inheritance children (${children.join(', ')}): whether it reaches them is not modelled`);
      }
    }
  } else {
    const input: FactInput = { ...base, command: statement };
    const fact = matchFact(kind, undefined, input, context.pgVersion);
    if (fact) effect.apply(fact, input);
    else effect.unknownParts.push(kind);
    const children = targets['table.inheritors.direct'];
    if (fact && kind === 'RenameStmt' && children && !fact.inheritorsUntouched && !namesInheritors(fact)) {
      effect.unknownParts.push(`${fact.summary} on a table with inheritance children (${children.join(', ')}): whether it reaches them is not modelled`);
    }
  }
  return effect.build();
}

function namesInheritors(fact: LockFact): boolean {
  const roles: readonly Role[] = [...fact.locks.map((l) => l.role), ...(fact.rewrites ?? []), ...(fact.scans ?? [])];
  return roles.some((role) => role.startsWith('table.inheritors'));
}

function matchFact(kind: string, subcommand: string | undefined, input: FactInput, pgVersion: number): LockFact | undefined {
  for (const fact of factsFor(kind, subcommand)) {
    if (fact.pg?.min !== undefined && pgVersion < fact.pg.min) continue;
    if (fact.pg?.max !== undefined && pgVersion > fact.pg.max) continue;
    if (fact.when && !fact.when(input)) continue;
    return fact;
  }
  return undefined;
}

class EffectBuilder {
  private readonly locks = new Map<string, { kind: RelationKind; mode: LockMode }>();
  private readonly rewrites = new Set<string>();
  private readonly scans = new Set<string>();
  private transaction: 'allowed' | 'forbidden' = 'allowed';
  private readonly facts: LockFact[] = [];
  readonly unknownParts: string[] = [];

  constructor(
    private readonly schema: SchemaLookup,
    private readonly targets: Targets,
  ) {}

  apply(fact: LockFact, input: FactInput): void {
    this.facts.push(fact);
    const skipPartitionedIndexes = fact.partitionedIndexLocksSince !== undefined && input.pgVersion < fact.partitionedIndexLocksSince;
    for (const { role, mode } of fact.locks) {
      for (const relation of this.relations(role)) {
        if (skipPartitionedIndexes && this.kindOf(relation, role) === 'partitioned index') continue;
        const previous = this.locks.get(relation);
        this.locks.set(relation, { kind: this.kindOf(relation, role), mode: strongerLock(previous?.mode, mode) });
      }
    }
    for (const role of fact.rewrites ?? []) for (const r of this.relations(role)) this.rewrites.add(r);
    for (const role of fact.scans ?? []) for (const r of this.relations(role)) this.scans.add(r);
    if (fact.transaction === 'forbidden') this.transaction = 'forbidden';
    const unknown = typeof fact.unknown === 'function' ? fact.unknown(input) : fact.unknown;
    if (typeof unknown === 'string' && unknown !== '') this.unknownParts.push(unknown);
  }

  private relations(role: Role): string[] {
    return this.targets[role] ?? [];
  }

  private kindOf(relation: string, role: Role): RelationKind {
    const known = this.schema.relationKind(relation) ?? this.targets.kinds?.[relation];
    if (known) return known;
    if (role === 'index' || role.endsWith('.indexes') || (role === 'created' && this.targets.createdKind === 'index')) return 'index';
    if (role === 'created' && this.targets.createdKind) return this.targets.createdKind;
    return 'table';
  }

  build(): StatementEffect {
    const locks = [...this.locks]
      .map(([relation, { kind, mode }]) => ({ relation, kind, mode }))
      .sort((a, b) => lockStrength(b.mode) - lockStrength(a.mode) || a.relation.localeCompare(b.relation));
    return {
      locks,
      rewrites: [...this.rewrites].sort(),
      scans: [...this.scans].sort(),
      blocks: this.blocks(locks),
      transaction: this.transaction,
      unknown: this.unknownParts.length > 0,
      unknownParts: this.unknownParts,
      facts: this.facts.map((f) => ({ id: f.id, summary: f.summary, docs: f.docs, ...(f.why ? { why: f.why } : {}) })),
    };
  }

  /**
   * A lock on an index blocks work on its table: the planner takes AccessShareLock on every index of a table it
   * plans for, and writes take RowExclusiveLock on every index they maintain (docs: REINDEX, "Notes").
   * Relations the statement creates block nobody: no other session can see them before commit.
   */
  private blocks(locks: RelationLock[]): Record<Workload, string[]> {
    const created = new Set(this.targets.created ?? []);
    const blocks: Record<Workload, Set<string>> = {
      reads: new Set(),
      writes: new Set(),
      selectForUpdate: new Set(),
      ddl: new Set(),
      maintenance: new Set(),
    };
    for (const lock of locks) {
      if (created.has(lock.relation)) continue;
      const isIndex = lock.kind === 'index' || lock.kind === 'partitioned index';
      const table = isIndex ? this.schema.tableOfIndex(lock.relation) ?? this.targets.table?.[0] : lock.relation;
      if (!table) continue;
      for (const workload of blockedWorkloads(lock.mode)) blocks[workload].add(table);
    }
    return {
      reads: [...blocks.reads].sort(),
      writes: [...blocks.writes].sort(),
      selectForUpdate: [...blocks.selectForUpdate].sort(),
      ddl: [...blocks.ddl].sort(),
      maintenance: [...blocks.maintenance].sort(),
    };
  }
}
