/**
 * How each migration runner hands a file to PostgreSQL: whether it wraps the file in a transaction of its own, and
 * whether it sends the file as one query or statement by statement. Together with PostgreSQL's own rules
 * (postgres-behaviour.ts) this decides which statements share a transaction (plan.ts). Pure: the file's path, text
 * and the metadata files the caller read in; data out.
 *
 * Each runner's behaviour, from its source or documentation:
 * - golang-migrate (postgres driver): `Run` reads the whole file and calls `conn.ExecContext(file)` once, no
 *   transaction of its own; `x-multi-statement=true` splits on `;` and sends each part alone
 *   (github.com/golang-migrate/migrate database/postgres/postgres.go). One query → one implicit transaction.
 * - goose: each migration in a transaction, statements sent one by one; `-- +goose NO TRANSACTION` runs them
 *   without one (pressly.github.io/goose/documentation/annotations/).
 * - dbmate: a section (`-- migrate:up` / `-- migrate:down`) is executed as one `Exec` inside a transaction;
 *   `transaction:false` drops the transaction but still sends the section as one query, so PostgreSQL runs a
 *   section of several statements as one implicit transaction (github.com/amacneil/dbmate issues 182, 285).
 * - Flyway: each migration in a transaction, statements sent one by one over JDBC. Its PostgreSQL parser marks
 *   some statements non-transactional by regular expression; a migration of only such statements runs without a
 *   transaction, a migration mixing both is refused unless `mixed=true`. `executeInTransaction=false` in the
 *   script configuration file `V1__x.sql.conf` drops the transaction (flyway-core SqlScriptMetadata reads only
 *   that sidecar file; the inline `-- flyway:` comment form is not read by flyway-core).
 * - diesel: each migration in a transaction unless `run_in_transaction = false` in the migration's
 *   metadata.toml; the file is sent with `batch_execute`, i.e. as one query.
 * - Prisma Migrate: `migration.sql` is sent as one script, so several statements run as one implicit transaction
 *   (prisma/prisma issue 14456: a migration of only CREATE INDEX CONCURRENTLY works, one with two statements
 *   fails). Newer releases may split scripts; configure `"transaction": "none"` if yours does.
 * - Supabase CLI: a file's statements (plus the CLI's own insert into its migration table) are sent as one
 *   pipelined batch, an implicit transaction; since CLI 2.109 statements matching its "pipeline-incompatible"
 *   patterns are sent on their own outside the batch (supabase/cli pull requests 5671 and 6276).
 * - sqitch: deploy scripts run through `psql -f`, which sends each statement alone: only the script's own
 *   BEGIN/COMMIT group statements.
 * - Anything else is taken as psql would run it: statement by statement, BEGIN/COMMIT as written.
 */
import { classifyMigration, detectFrameworkFromText, type MigrationFramework } from '../migrations/ordering';
import { migrationSections } from '../migrations/sections';

/** How the configuration may override the runner's transaction handling (lockstep.json `transaction`). */
export type TransactionOverride = 'per-file' | 'none' | 'single-query';

/** What the analyzer needs to know about where a file runs; all optional. */
export interface MigrationRunInput {
  /** The file's path (any separator); its name and folders identify the framework. */
  path?: string;
  /** The framework, when configured (lockstep.json `framework`); otherwise detected from path and text. */
  framework?: MigrationFramework;
  /** Overrides how the runner groups the file's statements into transactions (lockstep.json `transaction`). */
  transaction?: TransactionOverride;
  /** diesel: text of the migration folder's metadata.toml. */
  dieselMetadata?: string;
  /** Flyway: text of the script configuration file `<script>.sql.conf`. */
  flywayScriptConfig?: string;
}

export type RunnerName = Exclude<MigrationFramework, 'goose-or-dbmate' | 'numbered' | 'unknown'> | 'psql';

export interface SectionPlan {
  direction: 'up' | 'down';
  /** UTF-16 offsets of the section in the file: [start, end). */
  start: number;
  end: number;
  /** The runner opens a transaction before the section and commits it after. */
  wraps: boolean;
  /** 'one-query': the section is sent as one query (or one pipelined batch); 'each-statement': one query each. */
  sends: 'one-query' | 'each-statement';
  /** Statements the runner adds to the same query or batch (Supabase's insert into its migration table). */
  addedStatements: number;
  /** Why, in words, for messages: "goose runs each migration in a transaction". */
  why: string;
}

export interface RunnerPlan {
  runner: RunnerName;
  /** The runner's name as users know it. */
  label: string;
  sections: SectionPlan[];
  /**
   * Flyway and Supabase decide per statement, by matching the statement's text: which statements the runner
   * treats as non-transactional (see RUNNER_STANDALONE_PATTERNS).
   */
  standalonePatterns: readonly RegExp[];
  /** True when the configuration decided the transaction handling rather than the runner's defaults. */
  overridden: boolean;
}

/**
 * Statements a runner recognizes by text and runs outside the file's transaction, matched against the statement
 * with comments removed, whitespace collapsed and letters upper-cased (as both runners do).
 * - Flyway: PostgreSQLParser.detectCanExecuteInTransaction (flyway-database-postgresql); ALTER TYPE … ADD VALUE
 *   counts only on PostgreSQL < 12, which is left out here.
 * - Supabase CLI: isPipelineIncompatible (pkg/migration/file.go), DROP INDEX CONCURRENTLY added in PR 6276.
 */
export const RUNNER_STANDALONE_PATTERNS: Partial<Record<RunnerName, readonly RegExp[]>> = {
  flyway: [
    /^(CREATE|DROP) (DATABASE|TABLESPACE|SUBSCRIPTION)\b/,
    /^ALTER SYSTEM\b/,
    /^(CREATE|DROP)( UNIQUE)? INDEX CONCURRENTLY\b/,
    /^REINDEX( VERBOSE)? (SCHEMA|DATABASE|SYSTEM)\b/,
    /^VACUUM\b/,
    /^DISCARD ALL\b/,
  ],
  supabase: [
    /^CREATE( UNIQUE)? INDEX CONCURRENTLY\b/,
    /^DROP INDEX CONCURRENTLY\b/,
    /^REINDEX\b.*\bCONCURRENTLY\b/,
    /^VACUUM\b/,
    /^ALTER SYSTEM\b/,
    /^CLUSTER\b/,
  ],
};

const LABELS: Record<RunnerName, string> = {
  'golang-migrate': 'golang-migrate',
  goose: 'goose',
  dbmate: 'dbmate',
  flyway: 'Flyway',
  diesel: 'diesel',
  prisma: 'Prisma Migrate',
  supabase: 'the Supabase CLI',
  sqitch: 'sqitch (psql)',
  psql: 'psql',
};

/** Which runner runs the file, and how it groups the statements of each of its sections into transactions. */
export function runnerPlan(text: string, input: MigrationRunInput = {}): RunnerPlan {
  const runner = runnerOf(text, input);
  const label = LABELS[runner];
  const sections = migrationSections(text);
  const hasMarkers = runner === 'goose' || runner === 'dbmate';
  const ranges: Array<{ direction: 'up' | 'down'; range: [number, number] }> = [{ direction: 'up', range: sections.up }];
  if (sections.down && hasMarkers) ranges.push({ direction: 'down', range: sections.down });
  if (!hasMarkers) ranges[0]!.range = [0, text.length];
  const direction = input.path !== undefined ? classifyMigration(namingPart(input.path), framework(input)).direction : 'up';
  const fileDirection: 'up' | 'down' = direction === 'down' ? 'down' : 'up';

  const plans = ranges.map(({ direction: sectionDirection, range }) => {
    const plan = defaultSection(runner, label, text, range, input);
    return { ...plan, direction: hasMarkers ? sectionDirection : fileDirection, start: range[0], end: range[1] };
  });
  const override = input.transaction;
  if (override !== undefined) {
    for (const plan of plans) {
      const why = `lockstep.json sets "transaction": "${override}"`;
      if (override === 'per-file') Object.assign(plan, { wraps: true, sends: 'each-statement', addedStatements: 0, why });
      else if (override === 'none') Object.assign(plan, { wraps: false, sends: 'each-statement', addedStatements: 0, why });
      else Object.assign(plan, { wraps: false, sends: 'one-query', addedStatements: 0, why });
    }
  }
  return {
    runner,
    label,
    sections: plans,
    standalonePatterns: override === undefined ? (RUNNER_STANDALONE_PATTERNS[runner] ?? []) : [],
    overridden: override !== undefined,
  };
}

/**
 * The part of a path that names a migration: the file and its two parent folders (`supabase/migrations/x.sql`,
 * `migrations/2024-01-01-000000_x/up.sql`). Folders further up — a `deploy/` or `supabase/` somewhere in the
 * user's home — must not change how a file is classified.
 */
function namingPart(path: string): string {
  return path.replace(/\\/g, '/').split('/').filter((s) => s !== '').slice(-3).join('/');
}

function framework(input: MigrationRunInput): { framework?: MigrationFramework } {
  return input.framework !== undefined ? { framework: input.framework } : {};
}

function runnerOf(text: string, input: MigrationRunInput): RunnerName {
  const byText = detectFrameworkFromText(text);
  let detected: MigrationFramework = input.framework ?? 'unknown';
  if (input.framework === undefined && input.path !== undefined) detected = classifyMigration(namingPart(input.path)).framework;
  // goose and dbmate announce themselves in the file; a marker beats a name that merely looks numbered.
  if ((detected === 'goose-or-dbmate' || detected === 'numbered' || detected === 'unknown') && byText) detected = byText;
  if (detected === 'goose-or-dbmate' || detected === 'numbered' || detected === 'unknown') return 'psql';
  return detected;
}

type SectionDefaults = Omit<SectionPlan, 'direction' | 'start' | 'end'>;

function defaultSection(runner: RunnerName, label: string, text: string, range: [number, number], input: MigrationRunInput): SectionDefaults {
  switch (runner) {
    case 'golang-migrate':
      return { wraps: false, sends: 'one-query', addedStatements: 0, why: 'golang-migrate sends the whole file as one query' };
    case 'goose':
      return /^[ \t]*--[ \t]*\+goose[ \t]+NO[ \t]+TRANSACTION\b/im.test(text)
        ? { wraps: false, sends: 'each-statement', addedStatements: 0, why: 'the file says -- +goose NO TRANSACTION' }
        : { wraps: true, sends: 'each-statement', addedStatements: 0, why: 'goose runs each migration in a transaction' };
    case 'dbmate':
      return dbmateNoTransaction(text, range)
        ? { wraps: false, sends: 'one-query', addedStatements: 0, why: 'dbmate sends a transaction:false section as one query' }
        : { wraps: true, sends: 'one-query', addedStatements: 0, why: 'dbmate runs each migration section in a transaction' };
    case 'flyway':
      return /^\s*executeInTransaction\s*=\s*false\s*$/im.test(input.flywayScriptConfig ?? '')
        ? { wraps: false, sends: 'each-statement', addedStatements: 0, why: 'the script configuration sets executeInTransaction=false' }
        : { wraps: true, sends: 'each-statement', addedStatements: 0, why: 'Flyway runs each migration in a transaction' };
    case 'diesel':
      return /^\s*run_in_transaction\s*=\s*false\s*(#.*)?$/m.test(input.dieselMetadata ?? '')
        ? { wraps: false, sends: 'one-query', addedStatements: 0, why: 'diesel sends a run_in_transaction = false migration as one query' }
        : { wraps: true, sends: 'one-query', addedStatements: 0, why: 'diesel runs each migration in a transaction' };
    case 'prisma':
      return { wraps: false, sends: 'one-query', addedStatements: 0, why: 'Prisma Migrate sends migration.sql as one script' };
    case 'supabase':
      return {
        wraps: false,
        sends: 'one-query',
        addedStatements: 1,
        why: 'the Supabase CLI sends a migration file as one batch, together with its own insert into the migration history',
      };
    case 'sqitch':
    case 'psql':
      return { wraps: false, sends: 'each-statement', addedStatements: 0, why: `${label} sends each statement on its own` };
  }
}

/** dbmate options follow the section's marker: `-- migrate:up transaction:false`. */
function dbmateNoTransaction(text: string, range: [number, number]): boolean {
  const lineStart = text.lastIndexOf('\n', Math.max(0, range[0] - 1)) + 1;
  const marker = text.slice(lineStart, range[0]);
  return /migrate:(up|down)\b.*\btransaction:false\b/i.test(marker);
}

/** A statement's text as Flyway and the Supabase CLI match it: no comments, single spaces, upper case. */
export function simplifiedStatementText(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
}
