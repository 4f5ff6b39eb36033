/**
 * Runs a seed plan inside a database, and keeps seeded databases as templates: one per (schema, data plan), so a
 * second rehearsal of the same schema at the same size copies the template (CREATE DATABASE … TEMPLATE) instead
 * of seeding again.
 *
 * A template is built under a temporary name and renamed once complete, so a half-seeded database (a run that
 * was killed) is never mistaken for a template. After loading, every seeded table is VACUUM (FREEZE, ANALYZE)d:
 * a production table has its hint bits set, its visibility map filled and statistics gathered; without that the
 * first statement to read the fresh rows would pay for writing all of it, and its timing would be wrong.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isDbError, type DbSession } from '../driver.js';
import { RehearsalFailure } from '../report.js';
import type { RehearsalServer } from '../server.js';
import { SEED_GENERATOR_VERSION, type SeedPlan, type TableSeed } from './plan.js';

export interface SeededTable {
  table: string;
  rows: number;
  ms: number;
}

export interface SeedOptions {
  /** Skip foreign-key and user triggers while loading (superuser only); the plan satisfies FKs by construction. */
  replicationRoleReplica: boolean;
  signal?: AbortSignal;
  onTable?: (table: TableSeed) => void;
}

export async function seedDatabase(session: DbSession, plan: SeedPlan, options: SeedOptions): Promise<SeededTable[]> {
  const seeded: SeededTable[] = [];
  if (options.replicationRoleReplica) await session.query('SET session_replication_role = replica');
  // Our own session only: the rows are throwaway, waiting for the WAL flush at every commit is not.
  await session.query('SET synchronous_commit = off');
  for (const table of plan.tables) {
    options.signal?.throwIfAborted();
    options.onTable?.(table);
    const started = performance.now();
    let inserted: number | null;
    try {
      inserted = table.filter ? await filteredInsert(session, table) : (await session.query(table.insert)).rowCount;
      for (const sql of table.afterInsert) await session.query(sql);
    } catch (error) {
      if (error instanceof RehearsalFailure) throw error;
      throw seedingFailure(table, error);
    }
    if (inserted !== null && inserted < table.rows) {
      throw new RehearsalFailure({
        phase: 'seed',
        message: `seeding ${table.table} produced ${inserted} of ${table.rows} rows`,
        hint: 'Its CHECK constraints let too few generated rows through. Give the table fewer rows, or 0 to leave it empty (--rows table=0).',
      });
    }
    seeded.push({ table: table.table, rows: table.rows, ms: Math.round(performance.now() - started) });
  }
  if (plan.tables.length > 0) {
    options.signal?.throwIfAborted();
    await session.query(`VACUUM (FREEZE, ANALYZE) ${plan.tables.map((t) => t.table).join(', ')}`);
  }
  if (options.replicationRoleReplica) await session.query('RESET session_replication_role');
  return seeded;
}

/** CHECKs we cannot read: measure how many generated rows pass, generate enough, keep the first `rows` that pass. */
async function filteredInsert(session: DbSession, table: TableSeed): Promise<number | null> {
  const filter = table.filter!;
  const { rows } = await session.query<Record<string, string>>(filter.passRateSql);
  const counts = rows[0]!;
  const pass = Number(counts.pass);
  if (pass === 0) {
    const blocking = filter.checks.filter((_, i) => Number(counts[`check_${i}`]) === 0);
    const named = (blocking.length > 0 ? blocking : filter.checks).map((c) => `${c.name} CHECK ${c.sql}`).join('; ');
    throw new RehearsalFailure({
      phase: 'seed',
      message: `cannot seed ${table.table}: none of ${filter.sampleRows} generated rows satisfies ${named}`,
      hint:
        'Lockstep generates values from column types and simple CHECK forms (ranges, IN lists, lengths); this constraint needs ' +
        `values it cannot guess. Leave the table empty with --rows ${table.table}=0, or rehearse on a server (--url) whose data you seeded.`,
    });
  }
  const generate = Math.ceil((table.rows * filter.sampleRows) / pass * 1.3) + 100;
  const result = await session.query(filter.insertTemplate.replace('{{generate}}', String(generate)));
  return result.rowCount;
}

/** Failures of the server's resources, not of the generated rows: the hint is about the server, not the schema. */
const RESOURCE_FAILURES: Readonly<Record<string, string>> = {
  '53100': 'the server ran out of disk space',
  '53200': 'the server ran out of memory',
  '53400': 'a configured limit of the server was exceeded (temp_file_limit?)',
  '57014': 'the statement was cancelled (statement_timeout, or someone cancelled it)',
};

function seedingFailure(table: TableSeed, error: unknown): RehearsalFailure {
  if (isDbError(error) && RESOURCE_FAILURES[error.code] !== undefined) {
    return new RehearsalFailure({
      phase: 'seed',
      message: `seeding ${table.table} (${table.rows.toLocaleString('en-US')} rows) stopped: ${RESOURCE_FAILURES[error.code]}: ${error.message} (SQLSTATE ${error.code})`,
      hint:
        'Nothing is wrong with the schema or the migration. Free disk space or memory on the server (a --url server: its data directory or ' +
        'tablespace; the embedded one: the temp directory), lift the limit for the rehearsal role, or rehearse at smaller --sizes. ' +
        'Sizes that ran before are kept in the report.',
    });
  }
  if (!isDbError(error)) {
    return new RehearsalFailure({ phase: 'seed', message: `seeding ${table.table} failed: ${error instanceof Error ? error.message : String(error)}` });
  }
  const blocker = error.constraint ? `constraint ${error.constraint}` : error.column ? `column ${error.column}` : undefined;
  const what: Record<string, string> = {
    '23514': 'a CHECK constraint (or partition bound) rejected a generated row',
    '23505': 'a unique constraint rejected a generated row',
    '23503': 'a foreign key rejected a generated row',
    '23502': 'a NOT NULL column got no value',
    '23P01': 'an exclusion constraint rejected a generated row (Lockstep cannot satisfy exclusion constraints by construction)',
    '22001': 'a generated value was too long for its column',
    '22003': 'a generated number was out of range for its column',
  };
  return new RehearsalFailure({
    phase: 'seed',
    message:
      `cannot seed ${table.table}: ${what[error.code] ?? 'the server rejected the generated rows'}` +
      `${blocker ? ` (${blocker})` : ''}: ${error.message} (SQLSTATE ${error.code})`,
    hint:
      `Lockstep could not generate rows that satisfy ${blocker ?? 'this table'}. Leave the table empty with --rows ${table.table}=0, ` +
      'or rehearse on a server (--url) whose data you seeded. Please report the constraint: it is a gap in the generator.',
  });
}

export interface TemplateOutcome {
  /** The template database (complete; copy it with CREATE DATABASE … TEMPLATE). */
  name: string;
  reused: boolean;
  ms: number;
  tables: SeededTable[];
}

/** The template's name: lockstep_tpl_ + a hash of the schema, the data plan and the generator version. */
export function templateName(schemaFingerprint: string, plan: SeedPlan): string {
  const hash = createHash('sha256');
  hash.update(`v${SEED_GENERATOR_VERSION}\u0000${schemaFingerprint}\u0000`);
  for (const table of plan.tables) hash.update(`${table.table}\u0000${table.rows}\u0000${table.insert}\u0000${table.afterInsert.join(';')}\u0001`);
  return `lockstep_tpl_${hash.digest('hex').slice(0, 20)}`;
}

/** Seeds `database` (a copy of the schema) in place. */
export async function seedInto(server: RehearsalServer, database: string, plan: SeedPlan, options: SeedOptions): Promise<SeededTable[]> {
  const session = await server.driver.connect(database);
  try {
    return await seedDatabase(session, plan, options);
  } finally {
    await session.close();
  }
}

export async function ensureTemplate(
  server: RehearsalServer,
  source: string,
  name: string,
  plan: SeedPlan,
  options: SeedOptions,
): Promise<TemplateOutcome> {
  const started = performance.now();
  if (await server.databaseExists(name)) return { name, reused: true, ms: Math.round(performance.now() - started), tables: [] };
  const building = `${name}_wip_${randomBytes(3).toString('hex')}`;
  await server.createDatabase(building, source);
  const tables = await seedInto(server, building, plan, options);
  try {
    await server.renameDatabase(building, name);
  } catch (error) {
    // Another rehearsal finished the same template first (42P04 duplicate_database): use theirs.
    if (!(isDbError(error) && error.code === '42P04')) throw error;
    await server.dropDatabase(building);
    return { name, reused: true, ms: Math.round(performance.now() - started), tables: [] };
  }
  if (server.keepTemplates) server.keep(name);
  return { name, reused: false, ms: Math.round(performance.now() - started), tables };
}
