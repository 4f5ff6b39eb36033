/**
 * What a statement's effect means for the people running the migration: which of its locks, rewrites and scans
 * touch relations that existed before this file (so concurrent work really waits), and whether it runs in a
 * transaction block. The input of every surface that shows the lock model (hover, inlay hints, `lockstep
 * explain`). Pure: statements and the base schema in, plain data out.
 */
import { Catalog, hashString } from '../catalog';
import type { RelationLock, StatementEffect } from '../lockmodel/model';
import { lockStrength, type Workload } from '../lockmodel/lock-modes';
import type { Statement } from '../types';
import { transactionBlockStates } from './transaction-blocks';

/** Identifies this file's own statements among the catalog's origins (earlier migrations carry their paths). */
const THIS_FILE = '\u0000presented-file';

export interface StatementSummary {
  statement: Statement;
  /** True when the statement runs inside a transaction block (see transaction-blocks.ts for the assumption). */
  inTransaction: boolean;
  /**
   * Relations the statement touches that this file created (an earlier statement or this one). Nobody else can
   * use them before the file's transaction commits, and they start empty, so no existing work waits on them.
   */
  newRelations: string[];
  /** The effect restricted to relations that existed before this file; undefined when the statement has no effect. */
  impact?: Impact;
}

export interface Impact {
  /** Strongest lock on a relation that existed before this file, if any. */
  strongest?: RelationLock;
  /** Per kind of concurrent work, the existing tables on which it waits. */
  blocks: Record<Workload, string[]>;
  rewrites: string[];
  scans: string[];
  /** Worth a marker in the editor: reads or writes wait on an existing table, or one is rewritten or scanned. */
  risky: boolean;
}

/**
 * Summarizes statements in order, on demand: telling new relations from existing ones replays the file's
 * statements into a copy of the schema, so a hover on the first statement of a huge file costs one statement,
 * not the whole file.
 */
export class StatementSummarizer {
  private readonly catalog: Catalog;
  private readonly inTransaction: boolean[];
  private readonly done: StatementSummary[] = [];

  /**
   * @param base the schema earlier migrations produce (the same `base` the analysis used), so that a table created
   * by an earlier migration counts as existing and one created earlier in this file as new.
   */
  constructor(
    private readonly statements: readonly Statement[],
    base?: Catalog,
  ) {
    this.catalog = base ? base.clone() : new Catalog();
    this.inTransaction = transactionBlockStates(statements);
  }

  /** The summary of statement `index` (0-based), summarizing the ones before it first. */
  summary(index: number): StatementSummary {
    while (this.done.length <= index && this.done.length < this.statements.length) this.done.push(this.next(this.done.length));
    const summary = this.done[index];
    if (!summary) throw new RangeError(`statement ${index} does not exist (the file has ${this.statements.length})`);
    return summary;
  }

  all(): StatementSummary[] {
    if (this.statements.length > 0) this.summary(this.statements.length - 1);
    return [...this.done];
  }

  private next(i: number): StatementSummary {
    const statement = this.statements[i]!;
    const inTransaction = this.inTransaction[i]!;
    if (!statement.ast || !statement.effect) return { statement, inTransaction, newRelations: [] };
    const effect = statement.effect;
    const touched = touchedRelations(effect);
    const createdBefore = new Set(touched.filter((r) => this.catalog.createdBy(r)?.file === THIS_FILE));
    this.catalog.apply(statement.ast, { file: THIS_FILE, statement: i, textHash: hashString(statement.text) });
    const isNew = (r: string) => createdBefore.has(r) || this.catalog.createdBy(r)?.file === THIS_FILE;
    const newRelations = touched.filter(isNew);
    return { statement, inTransaction, newRelations, impact: impactOf(effect, new Set(newRelations)) };
  }
}

/** Every statement's summary; see StatementSummarizer. */
export function summarizeStatements(statements: readonly Statement[], base?: Catalog): StatementSummary[] {
  return new StatementSummarizer(statements, base).all();
}

function touchedRelations(effect: StatementEffect): string[] {
  const all = new Set<string>();
  for (const lock of effect.locks) all.add(lock.relation);
  for (const r of effect.rewrites) all.add(r);
  for (const r of effect.scans) all.add(r);
  for (const tables of Object.values(effect.blocks)) for (const t of tables) all.add(t);
  return [...all].sort();
}

function impactOf(effect: StatementEffect, fresh: ReadonlySet<string>): Impact {
  const existing = (r: string) => !fresh.has(r);
  const blocks = {} as Record<Workload, string[]>;
  for (const [workload, tables] of Object.entries(effect.blocks) as [Workload, string[]][]) {
    blocks[workload] = tables.filter(existing);
  }
  const strongest = effect.locks
    .filter((l) => existing(l.relation))
    .reduce<RelationLock | undefined>((best, l) => (!best || lockStrength(l.mode) > lockStrength(best.mode) ? l : best), undefined);
  const rewrites = effect.rewrites.filter(existing);
  const scans = effect.scans.filter(existing);
  const risky = blocks.reads.length > 0 || blocks.writes.length > 0 || rewrites.length > 0 || scans.length > 0;
  return { ...(strongest ? { strongest } : {}), blocks, rewrites, scans, risky };
}

