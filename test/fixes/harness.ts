/**
 * Proof harness for fixes: runs an original migration and its phased replacement on two real databases seeded
 * with the same rows, the way each migration runner runs files (written here from the runners' documented
 * behaviour, independently of the fix engine's own layout code), traces both with the lock tracer, and compares
 * schemas and data.
 */
import { expect } from 'vitest';
import { withScratchDatabase } from '../setup/pg.js';
import { traceStatements, type StatementTrace } from '../../server/src/rehearsal/tracer.js';
import { catalogSnapshot, type CatalogSnapshot } from '../../server/src/rehearsal/catalog-snapshot.js';
import type { DbDriver, DbSession } from '../../server/src/rehearsal/driver.js';
import { blockedWorkloads, lockStrength, type LockMode } from '../../server/src/analysis/lockmodel/lock-modes.js';
import { splitStatements } from '../../server/src/analysis/split/splitter.js';
import { analyzeText } from '../../server/src/analysis/analyzer.js';
import { replayMigrations } from '../../server/src/analysis/schema-context.js';
import { applyTextEdits, fixesForFinding, fixesForStatement, type Fix, type FixInput, type FixPolicy } from '../../server/src/analysis/fixes/index.js';
import type { Finding } from '../../server/src/analysis/types.js';
import type { MigrationRunInput } from '../../server/src/analysis/transactions/runners.js';

export type TestRunner = 'golang-migrate' | 'goose' | 'dbmate' | 'flyway' | 'diesel' | 'supabase' | 'sqitch';

export interface MigrationFile {
  path: string;
  text: string;
}

/** How a runner hands one file to PostgreSQL. */
interface FileExecution {
  path: string;
  /** The runner opens a transaction around the file. */
  wraps: boolean;
  /** What the runner sends, query by query. */
  queries: string[];
  /** The statements, for the tracer. */
  statements: string[];
  /** The statements share one transaction: the runner's, or the implicit block of a multi-statement query. */
  transactional: boolean;
}

function statementsOf(sql: string): string[] {
  return splitStatements(sql)
    .filter((p) => p.kind === 'sql')
    .map((p) => sql.slice(p.start, p.end));
}

function gooseUp(text: string): string {
  const up = /^--\s*\+goose\s+Up\b.*$/im.exec(text);
  const down = /^--\s*\+goose\s+Down\b.*$/im.exec(text);
  return text.slice(up ? up.index + up[0].length : 0, down ? down.index : text.length).replace(/^--\s*\+goose\s+Statement(Begin|End).*$/gim, '');
}

function dbmateUp(text: string): { sql: string; noTransaction: boolean } {
  const up = /^--\s*migrate:up\b(.*)$/im.exec(text);
  const down = /^--\s*migrate:down\b.*$/im.exec(text);
  return {
    sql: text.slice(up ? up.index + up[0].length : 0, down ? down.index : text.length),
    noTransaction: /transaction:false/.test(up?.[1] ?? ''),
  };
}

function execution(path: string, wraps: boolean, oneQuery: boolean, sql: string): FileExecution {
  const statements = statementsOf(sql);
  return {
    path,
    wraps,
    queries: oneQuery ? [sql] : statements,
    statements,
    transactional: wraps || (oneQuery && statements.length > 1),
  };
}

/** supabase/cli pkg/migration/file.go isPipelineIncompatible (the CONCURRENTLY ones matter here). */
const SUPABASE_ALONE = [/^CREATE( UNIQUE)? INDEX CONCURRENTLY\b/, /^DROP INDEX CONCURRENTLY\b/, /^REINDEX\b.*\bCONCURRENTLY\b/];

/** Each runner's documented behaviour (see analysis/transactions/runners.ts for the sources). */
export function executionOf(runner: TestRunner, file: MigrationFile, all: readonly MigrationFile[]): FileExecution {
  switch (runner) {
    case 'golang-migrate':
      return execution(file.path, false, true, file.text);
    case 'goose':
      return execution(file.path, !/^--\s*\+goose\s+NO\s+TRANSACTION\b/im.test(file.text), false, gooseUp(file.text));
    case 'dbmate': {
      const { sql, noTransaction } = dbmateUp(file.text);
      return execution(file.path, !noTransaction, true, sql);
    }
    case 'flyway': {
      const conf = all.find((f) => f.path === `${file.path}.conf`)?.text ?? '';
      return execution(file.path, !/executeInTransaction=false/.test(conf), false, file.text);
    }
    case 'sqitch': {
      // `psql -f`: each statement on its own, a transaction only between the script's own BEGIN and COMMIT.
      const queries = statementsOf(file.text);
      const control = (q: string) => /^\s*(BEGIN|COMMIT)\s*$/i.test(q.replace(/--[^\n]*/g, ''));
      return { path: file.path, wraps: false, queries, statements: queries.filter((q) => !control(q)), transactional: queries.some(control) };
    }
    case 'supabase': {
      // The CLI sends the statements its patterns call pipeline-incompatible on their own, and the rest together
      // with its insert into supabase_migrations.schema_migrations as one batch: an implicit transaction.
      const statements = statementsOf(file.text);
      const alone = statements.filter((st) => SUPABASE_ALONE.some((p) => p.test(st.replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ').trim().toUpperCase())));
      const batch = statements.filter((st) => !alone.includes(st));
      return {
        path: file.path,
        wraps: false,
        queries: [...alone, ...(batch.length > 0 ? [`${batch.join(';\n')};\nSELECT 1`] : [])],
        statements: [...alone, ...batch],
        transactional: batch.length > 0,
      };
    }
    case 'diesel': {
      const dir = file.path.slice(0, file.path.lastIndexOf('/'));
      const metadata = all.find((f) => f.path === `${dir}/metadata.toml`)?.text ?? '';
      return execution(file.path, !/run_in_transaction\s*=\s*false/.test(metadata), true, file.text);
    }
  }
}

/** The up files a runner would run, in its order (names compared the way each runner compares them). */
export function upFilesInOrder(runner: TestRunner, files: readonly MigrationFile[]): MigrationFile[] {
  if (runner === 'sqitch') {
    // The order of the changes in sqitch.plan (which the set must hold).
    const plan = files.find((f) => f.path.endsWith('/sqitch.plan'));
    const order = (plan?.text ?? '').split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '' && !/^[@%#]/.test(n));
    const position = (f: MigrationFile) => order.indexOf(f.path.slice(f.path.lastIndexOf('/deploy/') + 8).replace(/\.sql$/, ''));
    const deploys = files.filter((f) => f.path.includes('/deploy/'));
    for (const f of deploys) if (position(f) < 0) throw new Error(`test bug: ${f.path} is not a change of sqitch.plan`);
    return deploys.sort((a, b) => position(a) - position(b));
  }
  const ups = files.filter((f) => {
    if (runner === 'golang-migrate') return f.path.endsWith('.up.sql');
    if (runner === 'diesel') return f.path.endsWith('/up.sql');
    if (runner === 'flyway') return /\/V[^/]*\.sql$/.test(f.path);
    return f.path.endsWith('.sql');
  });
  const key = (f: MigrationFile): string => {
    const name = runner === 'diesel' ? f.path.split('/').slice(-2, -1)[0]! : f.path.split('/').pop()!;
    return runner === 'flyway' ? name.slice(1, name.indexOf('__')) : name.split('_')[0]!.replace(/-/g, '');
  };
  const compare = (a: string, b: string): number => {
    if (runner === 'flyway') {
      const x = a.split(/[._]/).map(Number);
      const y = b.split(/[._]/).map(Number);
      for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
      return 0;
    }
    return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  };
  return [...ups].sort((a, b) => compare(key(a), key(b)));
}

/** Runs the files on `session` the way the runner does; throws with the file name on failure. */
export async function runFiles(session: DbSession, runner: TestRunner, files: readonly MigrationFile[]): Promise<void> {
  for (const file of upFilesInOrder(runner, files)) {
    const run = executionOf(runner, file, files);
    try {
      if (run.wraps) await session.query('BEGIN');
      for (const q of run.queries) await session.query(q);
      if (run.wraps) await session.query('COMMIT');
    } catch (error) {
      await session.query('ROLLBACK').catch(() => undefined);
      throw new Error(`${file.path} failed as ${runner} runs it: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

/** How the analyzer is told where a file runs: its path and the runner's metadata file, when the set has one. */
export function migrationInput(file: MigrationFile, all: readonly MigrationFile[]): MigrationRunInput {
  const conf = all.find((f) => f.path === `${file.path}.conf`);
  const metadata = all.find((f) => f.path === `${file.path.slice(0, file.path.lastIndexOf('/'))}/metadata.toml`);
  return {
    path: file.path,
    ...(conf ? { flywayScriptConfig: conf.text } : {}),
    ...(metadata ? { dieselMetadata: metadata.text } : {}),
  };
}

export interface FileTrace {
  path: string;
  transactional: boolean;
  /** User relations that existed before the file ran: locks on others (created by the file) block nobody. */
  existing: string[];
  traces: StatementTrace[];
}

async function userRelationNames(driver: DbDriver): Promise<string[]> {
  const session = await driver.connect();
  try {
    const { rows } = await session.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  } finally {
    await session.close();
  }
}

/** Traces each file's statements with the file's transaction mode; every statement commits (a migration run). */
export async function traceFiles(driver: DbDriver, runner: TestRunner, files: readonly MigrationFile[], setup?: string): Promise<FileTrace[]> {
  const out: FileTrace[] = [];
  let first = true;
  for (const file of upFilesInOrder(runner, files)) {
    const run = executionOf(runner, file, files);
    if (first && setup) {
      const session = await driver.connect();
      await session.query(setup).finally(() => session.close());
    }
    const existing = await userRelationNames(driver);
    const traces: StatementTrace[] = [];
    for (const sql of run.statements) {
      if (commitsInside(sql)) {
        traces.push(await observeCommitting(driver, sql));
        continue;
      }
      traces.push(...(await traceStatements(driver, { statements: [sql], transactional: run.transactional, isolation: 'commit', blockerHoldMs: 250 })));
    }
    first = false;
    out.push({ path: file.path, transactional: run.transactional, existing, traces });
  }
  return out;
}

/** A DO block or CALL that commits: PostgreSQL refuses it inside BEGIN with 2D000, which the tracer does not reroute. */
export function commitsInside(sql: string): boolean {
  return /^\s*(DO|CALL)\b/i.test(sql) && /\bCOMMIT\b/i.test(sql);
}

const SAMPLE_LOCKS_SQL = `
  SELECT format('%I.%I', n.nspname, c.relname) AS relation, c.relkind::text AS relkind, l.mode
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE l.pid = $1 AND l.locktype = 'relation' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;

const FILENODES_SQL = `
  SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relfilenode::text AS filenode
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'i') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;

/**
 * Runs a statement that commits inside (autocommit, as its file's runner sends it) while a monitor session samples
 * its relation locks every 2 ms — a lower bound, like the tracer's monitor traces — and compares sequential-scan
 * counters and relfilenodes before and after.
 */
async function observeCommitting(driver: DbDriver, sql: string): Promise<StatementTrace> {
  const target = await driver.connect();
  const monitor = await driver.connect();
  try {
    const scans = async (): Promise<Map<string, number>> => {
      await target.query('SELECT pg_stat_force_next_flush()');
      const { rows } = await monitor.query<{ name: string; scans: string }>(
        "SELECT format('%I.%I', schemaname, relname) AS name, coalesce(seq_scan, 0)::text AS scans FROM pg_stat_user_tables",
      );
      return new Map(rows.map((r) => [r.name, Number(r.scans)]));
    };
    const filenodes = async (): Promise<Map<string, string>> =>
      new Map((await monitor.query<{ name: string; filenode: string }>(FILENODES_SQL)).rows.map((r) => [r.name, r.filenode]));
    const scansBefore = await scans();
    const nodesBefore = await filenodes();
    let done = false;
    let failure: unknown;
    const running = target.query(sql).then(
      () => undefined,
      (e: unknown) => {
        failure = e;
      },
    ).finally(() => {
      done = true;
    });
    const strongest = new Map<string, { relation: string; relkind: string; mode: LockMode }>();
    while (!done) {
      const { rows } = await monitor.query<{ relation: string; relkind: string; mode: string }>(SAMPLE_LOCKS_SQL, [target.backendPid]);
      for (const row of rows) {
        const known = strongest.get(row.relation);
        if (!known || lockStrength(row.mode as LockMode) > lockStrength(known.mode)) strongest.set(row.relation, { ...row, mode: row.mode as LockMode });
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await running;
    const scansAfter = await scans();
    const nodesAfter = await filenodes();
    const trace: StatementTrace = {
      sql,
      locks: [...strongest.values()]
        .map((l) => ({ relation: l.relation, relkind: l.relkind === 'i' ? ('index' as const) : ('table' as const), mode: l.mode }))
        .sort((a, b) => (a.relation < b.relation ? -1 : 1)),
      rewritten: [...nodesAfter].filter(([name, node]) => nodesBefore.has(name) && nodesBefore.get(name) !== node).map(([name]) => name).sort(),
      scanned: [...scansAfter].filter(([name, n]) => n > (scansBefore.get(name) ?? 0)).map(([name]) => name).sort(),
      observedVia: 'monitor',
    };
    if (failure !== undefined) {
      const e = failure as { message?: string; code?: string };
      trace.error = { message: e.message ?? String(failure), code: e.code ?? 'XX000' };
    }
    return trace;
  } finally {
    await target.close();
    await monitor.close();
  }
}

export interface LockViolation {
  file: string;
  statement: string;
  table: string;
  work: 'scans' | 'rewrites';
  lock: string;
  blocks: string[];
}

/**
 * Statements that scan or rewrite a table while their transaction holds a lock on it (or one of its indexes)
 * that makes reads or writes wait. In a transactional file the locks of earlier statements are still held.
 */
export function blockingScans(files: readonly FileTrace[], indexTable: ReadonlyMap<string, string>): LockViolation[] {
  const out: LockViolation[] = [];
  for (const file of files) {
    const held = new Map<string, string[]>();
    const existing = new Set(file.existing);
    for (const trace of file.traces) {
      if (!file.transactional) held.clear();
      for (const lock of trace.locks) {
        // Other sessions cannot see a relation before the transaction that creates it commits.
        if (!existing.has(lock.relation)) continue;
        const table = lock.relkind === 'index' ? indexTable.get(lock.relation) ?? lock.relation : lock.relation;
        held.set(table, [...(held.get(table) ?? []), lock.mode]);
      }
      const work: Array<[string, 'scans' | 'rewrites']> = [
        ...trace.scanned.map((t) => [t, 'scans'] as [string, 'scans']),
        ...trace.rewritten.map((t) => [indexTable.get(t) ?? t, 'rewrites'] as [string, 'rewrites']),
      ];
      for (const [table, kind] of work) {
        for (const mode of held.get(table) ?? []) {
          const blocks = blockedWorkloads(mode as LockMode).filter((w) => w === 'reads' || w === 'writes');
          if (blocks.length > 0) out.push({ file: file.path, statement: trace.sql, table, work: kind, lock: mode, blocks });
        }
      }
    }
  }
  return out;
}

/** The snapshot without the named indexes, after checking that each is there and valid. */
function withoutIndexes(snapshot: CatalogSnapshot, names: readonly string[] = []): CatalogSnapshot {
  for (const name of names) {
    const index = snapshot.relations.flatMap((r) => r.indexes).find((i) => i.name === name);
    expect(index, `the fix should have added index ${name}`).toMatchObject({ valid: true });
  }
  return {
    relations: snapshot.relations.map((r) => ({ ...r, indexes: r.indexes.filter((i) => !names.includes(i.name)) })),
  };
}

function columnsByName(snapshot: CatalogSnapshot): CatalogSnapshot {
  return { relations: snapshot.relations.map((r) => ({ ...r, columns: [...r.columns].sort((a, b) => (a.name < b.name ? -1 : 1)) })) };
}

/** Index → table, from a snapshot. */
export function indexTables(snapshot: CatalogSnapshot): Map<string, string> {
  const map = new Map<string, string>();
  for (const relation of snapshot.relations) for (const index of relation.indexes) map.set(index.name, relation.name);
  return map;
}

export async function tableData(session: DbSession, snapshot: CatalogSnapshot): Promise<Record<string, unknown[]>> {
  const data: Record<string, unknown[]> = {};
  for (const relation of snapshot.relations) {
    if (relation.kind !== 'table') continue;
    // By name, so a table whose columns sit in another order still lists its rows in the same order.
    const order = relation.columns.map((c) => c.name).sort().map((n) => `"${n.replace(/"/g, '""')}"`).join(', ');
    const { rows } = await session.query(`SELECT * FROM ${relation.name} ORDER BY ${order}`);
    data[relation.name] = rows;
  }
  return data;
}

export async function snapshotOf(driver: DbDriver): Promise<{ snapshot: CatalogSnapshot; data: Record<string, unknown[]> }> {
  const session = await driver.connect();
  try {
    const snapshot = await catalogSnapshot(session);
    return { snapshot, data: await tableData(session, snapshot) };
  } finally {
    await session.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One proof case

export interface ProofCase {
  name: string;
  runner: TestRunner;
  /** Schema and rows that exist before the migration (an earlier migration, committed). */
  setup: string;
  /** The migration file with the risky statement. */
  document: MigrationFile;
  /** Other migration files of the folder (not run; they decide the new files' versions). */
  siblings?: MigrationFile[];
  /** The finding to fix; without one, the fix is asked for the first statement of `statementKind`. */
  rule?: string;
  statementKind?: string;
  /** The recipe expected to fix it. */
  recipe: string;
  /**
   * Indexes (public.name) the phased version adds on purpose (the supporting index of a foreign key): they must
   * exist after it, and are then left out of the schema comparison.
   */
  addedIndexes?: string[];
  /**
   * Compare columns by name, not position: expand/contract adds the replacing column at the end of the table,
   * where the original statement changes it in place — the only legitimate difference.
   */
  columnsByName?: boolean;
  policy?: Partial<FixPolicy>;
  pgVersion?: number;
  /** sqitch: the project's sqitch.plan (the fix appends its changes to it). */
  sqitchPlan?: MigrationFile;
}

export interface ProofResult {
  fix: Fix;
  /** The phased migration: the edited document and the files the fix creates. */
  phased: MigrationFile[];
  original: FileTrace[];
  phasedTraces: FileTrace[];
  /** Statements that scan or rewrite a table while holding a lock that blocks reads or writes on it. */
  originalViolations: LockViolation[];
  phasedViolations: LockViolation[];
  /** Any lock on an existing table that blocks reads or writes. */
  originalBlocking: BlockingLock[];
  phasedBlocking: BlockingLock[];
  /** Warnings and errors in the phased files that the original did not have. */
  phasedFindings: Array<{ path: string; finding: Finding }>;
  /** Findings of the case's rule in the original and in the phased files (the fix must lower it). */
  originalRuleCount: number;
  phasedRuleCount: number;
}

export function analyzeCase(c: ProofCase): { input: FixInput; finding?: Finding; statement: number } {
  const pgVersion = c.pgVersion ?? 17;
  const base = replayMigrations([{ path: 'setup.sql', text: c.setup }]);
  const options = { pgVersion, migration: migrationInput(c.document, [c.document]) };
  const analysis = analyzeText(c.document.text, options, base);
  const input: FixInput = {
    text: c.document.text,
    analysis,
    options,
    base,
    path: c.document.path,
    ...(c.policy ? { policy: c.policy } : {}),
    ...(c.sqitchPlan ? { sqitchPlan: c.sqitchPlan, now: new Date(Date.UTC(2024, 0, 2, 12, 0, 0)) } : {}),
    siblings: [c.document.path, ...(c.siblings ?? []).map((s) => s.path)],
  };
  if (c.rule === undefined) {
    const statement = analysis.statements.findIndex((s) => s.kind === c.statementKind);
    if (statement < 0) throw new Error(`test bug: no ${c.statementKind} statement in ${c.document.path}`);
    return { input, statement };
  }
  const finding = analysis.findings.find((f) => f.rule === c.rule);
  if (!finding) throw new Error(`test bug: no ${c.rule} finding in ${c.document.path}: ${JSON.stringify(analysis.findings.map((f) => f.rule))}`);
  return { input, finding, statement: finding.statement };
}

export interface BlockingLock {
  file: string;
  statement: string;
  relation: string;
  lock: string;
  blocks: string[];
}

/** Locks on tables that existed before the file (not on indexes) that make reads or writes wait. */
export function blockingLocks(files: readonly FileTrace[]): BlockingLock[] {
  const out: BlockingLock[] = [];
  for (const file of files) {
    const existing = new Set(file.existing);
    for (const trace of file.traces) {
      for (const lock of trace.locks) {
        if (!existing.has(lock.relation) || lock.relkind !== 'table') continue;
        const blocks = blockedWorkloads(lock.mode).filter((w) => w === 'reads' || w === 'writes');
        if (blocks.length > 0) out.push({ file: file.path, statement: trace.sql, relation: lock.relation, lock: lock.mode, blocks });
      }
    }
  }
  return out;
}

export async function prove(c: ProofCase): Promise<ProofResult> {
  const { input, finding, statement } = analyzeCase(c);
  const offered = finding ? fixesForFinding(input, finding) : fixesForStatement(input, statement);
  const fix = offered.find((f) => f.recipe === c.recipe);
  if (!fix) throw new Error(`no ${c.recipe} fix offered for ${c.rule ?? c.statementKind} in ${c.document.path}: ${offered.map((f) => f.recipe).join(', ')}`);
  expect(fix.notes, 'the fix had to fall back to comments').toEqual([]);
  const phased: MigrationFile[] = [{ path: c.document.path, text: applyTextEdits(c.document.text, fix.edits) }, ...fix.files.map((f) => ({ path: f.path, text: f.text }))];
  if (c.sqitchPlan) {
    const planEdits = (fix.fileEdits ?? []).filter((e) => e.path === c.sqitchPlan!.path).flatMap((e) => e.edits);
    phased.push({ path: c.sqitchPlan.path, text: applyTextEdits(c.sqitchPlan.text, planEdits) });
  }
  const originalFiles = c.sqitchPlan ? [c.document, c.sqitchPlan] : [c.document];

  // The original, traced (each statement committed, as the migration would).
  const original = await withScratchDatabase(async ({ driver }) => {
    const traces = await traceFiles(driver, c.runner, originalFiles, c.setup);
    return { traces, ...(await snapshotOf(driver)) };
  });
  // The phased files, run exactly as the runner runs them (transaction boundaries included).
  const run = await withScratchDatabase(async ({ driver }) => {
    const session = await driver.connect();
    try {
      await session.query(c.setup);
      await runFiles(session, c.runner, phased);
    } finally {
      await session.close();
    }
    return snapshotOf(driver);
  });
  // The phased files, traced.
  const traced = await withScratchDatabase(async ({ driver }) => {
    const traces = await traceFiles(driver, c.runner, phased, c.setup);
    return { traces, ...(await snapshotOf(driver)) };
  });

  for (const file of [...original.traces, ...traced.traces]) {
    for (const t of file.traces) expect(t.error, `${file.path}: ${t.sql}`).toBeUndefined();
  }
  const normal = (s: CatalogSnapshot): CatalogSnapshot => (c.columnsByName ? columnsByName(s) : s);
  expect(normal(withoutIndexes(run.snapshot, c.addedIndexes))).toEqual(normal(original.snapshot));
  expect(normal(withoutIndexes(traced.snapshot, c.addedIndexes))).toEqual(normal(original.snapshot));
  expect(run.data).toEqual(original.data);
  expect(traced.data).toEqual(original.data);

  const tables = indexTables(original.snapshot);
  // Warnings and errors in the phased files that the original did not have: the same rule about the same table
  // (rules that report once per setting change, like missing-lock-timeout, may land on another statement of it),
  // or, for findings without a table, on the same statement text.
  const subject = (f: Finding, text: string | undefined): string => `${f.rule}\u0000${f.data?.table ?? text}`;
  const known = new Map<string, number>();
  for (const f of input.analysis.findings) {
    const key = subject(f, input.analysis.statements[f.statement]?.text);
    if (f.severity === 'warning' || f.severity === 'error') known.set(key, (known.get(key) ?? 0) + 1);
  }
  const phasedFindings: ProofResult['phasedFindings'] = [];
  let phasedRuleCount = 0;
  let schema = replayMigrations([{ path: 'setup.sql', text: c.setup }]);
  for (const file of upFilesInOrder(c.runner, phased)) {
    const result = analyzeText(file.text, { pgVersion: c.pgVersion ?? 17, migration: migrationInput(file, phased) }, schema);
    for (const finding of result.findings) {
      if (finding.severity !== 'warning' && finding.severity !== 'error') continue;
      const key = subject(finding, result.statements[finding.statement]?.text);
      const left = known.get(key) ?? 0;
      if (finding.rule === c.rule) phasedRuleCount++;
      if (left > 0 || known.has(key)) known.set(key, Math.max(0, left - 1));
      else phasedFindings.push({ path: file.path, finding });
    }
    schema = replayMigrations([file], schema);
  }
  return {
    fix,
    phased,
    original: original.traces,
    phasedTraces: traced.traces,
    originalViolations: blockingScans(original.traces, tables),
    phasedViolations: blockingScans(traced.traces, tables),
    originalBlocking: blockingLocks(original.traces),
    phasedBlocking: blockingLocks(traced.traces),
    phasedFindings,
    originalRuleCount: input.analysis.findings.filter((f) => f.rule === c.rule).length,
    phasedRuleCount,
  };
}
