/**
 * lockstep.json: the project's configuration, parsed and validated. Pure: the text comes from the caller
 * (cli/config-loader.ts reads it for the CLI and the language server alike). Every problem names the JSON path
 * and says what to write instead; schemas/lockstep.schema.json describes the same shape for editors.
 */
import type { Severity } from '../types';
import { MAX_PG_VERSION, MIN_PG_VERSION } from '../types';
import type { MigrationFramework } from '../migrations/ordering';
import type { TransactionOverride } from '../transactions/runners';
import { parseDuration } from './durations';

export const CONFIG_FILE_NAME = 'lockstep.json';

export type RuleSetting = 'off' | Exclude<Severity, 'hint'>;

/** Framework names as users write them in lockstep.json. */
export const CONFIG_FRAMEWORKS = ['golang-migrate', 'goose', 'dbmate', 'flyway', 'diesel', 'prisma', 'supabase', 'sqitch', 'plain'] as const;
export type ConfigFramework = (typeof CONFIG_FRAMEWORKS)[number];

export const TRANSACTION_OVERRIDES: readonly TransactionOverride[] = ['per-file', 'none', 'single-query'];
export const RULE_SETTINGS: readonly RuleSetting[] = ['off', 'info', 'warning', 'error'];

export interface TableFacts {
  /** Estimated row count in production; sizes the severity of rules whose cost grows with the table. */
  rows?: number;
  /** Size on disk with indexes and TOAST (pg_total_relation_size), as `lockstep stats` records it. Informational. */
  bytes?: number;
}

/** A statsFile (`lockstep stats` output): `tables` plus where and when the numbers were taken. */
export interface StatsFile {
  tables: Record<string, TableFacts>;
  /** ISO 8601 time of collection. */
  collectedAt?: string;
  /** server_version of the PostgreSQL the numbers come from ("17.2"). */
  server?: string;
  /** The database they come from. */
  database?: string;
  /** What `lockstep stats` could not measure exactly (never-analyzed tables…), one sentence each. */
  notes?: string[];
}

const TABLE_FACTS = ['rows', 'bytes'] as const;
const STATS_KEYS = ['tables', 'collectedAt', 'server', 'database', 'notes'] as const;

export interface LockstepConfig {
  /** PostgreSQL major the migrations run on. */
  pgVersion?: number;
  framework?: ConfigFramework;
  /** Migration folders, relative to the configuration file. */
  migrations?: string[];
  /** Rule id → severity, or 'off'. */
  rules?: Record<string, RuleSetting>;
  /** Table name (as in SQL: `orders`, `app.orders`, `"Order"`) → facts about it in production. */
  tables?: Record<string, TableFacts>;
  /** A JSON file of the same shape as `tables` ({"tables": {…}}), relative to the configuration file. */
  statsFile?: string;
  /** Longest acceptable lock_timeout, e.g. "2s"; missing-lock-timeout reports a longer one. */
  lockTimeout?: string;
  /** Longest acceptable statement_timeout, e.g. "5min"; missing-statement-timeout reports a longer one. */
  statementTimeout?: string;
  /** How statements are grouped into transactions, overriding what the framework does by default. */
  transaction?: TransactionOverride;
}

export interface ConfigProblem {
  /** JSON path of the offending value: `$.rules["create-index-nonconcurrent"]`; `$` for the whole file. */
  path: string;
  message: string;
  /** 1-based, when known (JSON syntax errors). */
  line?: number;
  column?: number;
}

export type ConfigParse = { ok: true; config: LockstepConfig } | { ok: false; problems: ConfigProblem[] };

export interface ConfigParseOptions {
  /** Every rule id the analyzer knows, to catch typos in `rules`. */
  knownRules: readonly string[];
}

const KEYS = [
  '$schema',
  'pgVersion',
  'framework',
  'migrations',
  'rules',
  'tables',
  'statsFile',
  'lockTimeout',
  'statementTimeout',
  'transaction',
] as const;

export function parseConfig(text: string, options: ConfigParseOptions): ConfigParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, problems: [jsonSyntaxProblem(text, error)] };
  }
  const problems: ConfigProblem[] = [];
  const config = validateConfig(raw, options, problems);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** Validates an already parsed value (tests, or configuration handed over in another form). */
export function validateConfig(raw: unknown, options: ConfigParseOptions, problems: ConfigProblem[]): LockstepConfig {
  const config: LockstepConfig = {};
  if (!isObject(raw)) {
    problems.push({ path: '$', message: `expected a JSON object like {"pgVersion": 16}, got ${describe(raw)}` });
    return config;
  }
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      problems.push({ path: pathOf('$', key), message: `unknown setting "${key}"${suggest(key, KEYS)}; the settings are ${KEYS.filter((k) => k !== '$schema').join(', ')}` });
    }
  }
  if (raw.$schema !== undefined && typeof raw.$schema !== 'string') {
    problems.push({ path: '$.$schema', message: `expected a URL or path string, got ${describe(raw.$schema)}` });
  }
  if (raw.pgVersion !== undefined) {
    const v = raw.pgVersion;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_PG_VERSION || v > MAX_PG_VERSION) {
      problems.push({ path: '$.pgVersion', message: `expected a PostgreSQL major version from ${MIN_PG_VERSION} to ${MAX_PG_VERSION} (a number, e.g. 16), got ${describe(v)}` });
    } else config.pgVersion = v;
  }
  if (raw.framework !== undefined) {
    const v = raw.framework;
    if (typeof v !== 'string' || !(CONFIG_FRAMEWORKS as readonly string[]).includes(v)) {
      problems.push({ path: '$.framework', message: `expected one of ${CONFIG_FRAMEWORKS.map((f) => `"${f}"`).join(', ')}, got ${describe(v)}${typeof v === 'string' ? suggest(v, CONFIG_FRAMEWORKS) : ''}` });
    } else config.framework = v as ConfigFramework;
  }
  if (raw.migrations !== undefined) {
    const v = raw.migrations;
    if (!Array.isArray(v) || v.some((f) => typeof f !== 'string' || f === '')) {
      problems.push({ path: '$.migrations', message: `expected a list of folder paths relative to lockstep.json, e.g. ["db/migrations"], got ${describe(v)}` });
    } else config.migrations = v as string[];
  }
  if (raw.rules !== undefined) {
    if (!isObject(raw.rules)) {
      problems.push({ path: '$.rules', message: `expected an object of rule id → "off" | "info" | "warning" | "error", got ${describe(raw.rules)}` });
    } else {
      const rules: Record<string, RuleSetting> = {};
      for (const [id, setting] of Object.entries(raw.rules)) {
        const path = pathOf('$.rules', id);
        if (!options.knownRules.includes(id)) {
          problems.push({ path, message: `unknown rule "${id}"${suggest(id, options.knownRules)}; the rules are listed in docs/rules/README.md` });
        } else if (typeof setting !== 'string' || !(RULE_SETTINGS as readonly string[]).includes(setting)) {
          problems.push({ path, message: `expected "off", "info", "warning" or "error", got ${describe(setting)}` });
        } else rules[id] = setting as RuleSetting;
      }
      config.rules = rules;
    }
  }
  if (raw.tables !== undefined) {
    const tables = validateTables(raw.tables, '$.tables', problems);
    if (tables) config.tables = tables;
  }
  if (raw.statsFile !== undefined) {
    if (typeof raw.statsFile !== 'string' || raw.statsFile === '') {
      problems.push({ path: '$.statsFile', message: `expected a path to a JSON file relative to lockstep.json, got ${describe(raw.statsFile)}` });
    } else config.statsFile = raw.statsFile;
  }
  for (const key of ['lockTimeout', 'statementTimeout'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    const parsed = typeof v === 'string' ? parseDuration(v) : { ok: false as const, error: `expected a duration string such as "2s", got ${describe(v)}` };
    if (!parsed.ok) problems.push({ path: `$.${key}`, message: parsed.error });
    else if (parsed.ms === 0) problems.push({ path: `$.${key}`, message: `"${v}" means no limit; give the longest acceptable value, e.g. "2s"` });
    else config[key] = v as string;
  }
  if (raw.transaction !== undefined) {
    const v = raw.transaction;
    if (typeof v !== 'string' || !(TRANSACTION_OVERRIDES as readonly string[]).includes(v)) {
      problems.push({
        path: '$.transaction',
        message: `expected "per-file" (the runner wraps each file in a transaction), "none" (each statement on its own) or "single-query" (the file is sent as one query), got ${describe(v)}`,
      });
    } else config.transaction = v as TransactionOverride;
  }
  return config;
}

/** `{"orders": {"rows": 50000000}}`, also the shape of a statsFile's `tables`. */
export function validateTables(raw: unknown, path: string, problems: ConfigProblem[]): Record<string, TableFacts> | undefined {
  if (!isObject(raw)) {
    problems.push({ path, message: `expected an object of table name → {"rows": number}, e.g. {"orders": {"rows": 50000000}}, got ${describe(raw)}` });
    return undefined;
  }
  const tables: Record<string, TableFacts> = {};
  for (const [name, facts] of Object.entries(raw)) {
    const at = pathOf(path, name);
    if (!isObject(facts)) {
      problems.push({ path: at, message: `expected {"rows": number}, got ${describe(facts)}` });
      continue;
    }
    const entry: TableFacts = {};
    for (const key of Object.keys(facts)) {
      if (!(TABLE_FACTS as readonly string[]).includes(key)) {
        problems.push({ path: pathOf(at, key), message: `unknown table fact "${key}"${suggest(key, TABLE_FACTS)}; the facts are "rows" (row count) and "bytes" (size on disk)` });
      }
    }
    if (facts.rows !== undefined) {
      if (typeof facts.rows !== 'number' || !Number.isFinite(facts.rows) || facts.rows < 0) {
        problems.push({ path: pathOf(at, 'rows'), message: `expected a row count ≥ 0, got ${describe(facts.rows)}` });
      } else entry.rows = facts.rows;
    }
    if (facts.bytes !== undefined) {
      if (typeof facts.bytes !== 'number' || !Number.isFinite(facts.bytes) || facts.bytes < 0) {
        problems.push({ path: pathOf(at, 'bytes'), message: `expected a size in bytes ≥ 0, got ${describe(facts.bytes)}` });
      } else entry.bytes = facts.bytes;
    }
    tables[name] = entry;
  }
  return tables;
}

/**
 * A statsFile's content (already parsed JSON), as `lockstep stats` writes it. `path` prefixes the problems' paths
 * so they say which file they are about.
 */
export function validateStatsFile(raw: unknown, path: string, problems: ConfigProblem[]): StatsFile | undefined {
  if (!isObject(raw)) {
    problems.push({ path, message: `expected {"tables": {"orders": {"rows": 50000000}}} as \`lockstep stats\` writes it, got ${describe(raw)}` });
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!(STATS_KEYS as readonly string[]).includes(key)) {
      problems.push({ path: pathOf(path, key), message: `unknown key "${key}"${suggest(key, STATS_KEYS)}; a stats file holds ${STATS_KEYS.map((k) => `"${k}"`).join(', ')}` });
    }
  }
  const tables = validateTables(raw.tables, pathOf(path, 'tables'), problems);
  if (!tables) return undefined;
  const stats: StatsFile = { tables };
  for (const key of ['collectedAt', 'server', 'database'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') problems.push({ path: pathOf(path, key), message: `expected a string, got ${describe(v)}` });
    else stats[key] = v;
  }
  if (raw.notes !== undefined) {
    if (!Array.isArray(raw.notes) || raw.notes.some((n) => typeof n !== 'string')) {
      problems.push({ path: pathOf(path, 'notes'), message: `expected a list of strings, got ${describe(raw.notes)}` });
    } else stats.notes = raw.notes as string[];
  }
  return stats;
}

/** A rule's severity under the configuration: its configured setting, else its default. */
export function resolveSeverity(rule: string, defaultSeverity: Severity, rules: LockstepConfig['rules']): Severity | 'off' {
  return rules?.[rule] ?? defaultSeverity;
}

/** lockstep.json's framework names → the names migrations/ordering.ts uses. */
export function frameworkOf(config: LockstepConfig): MigrationFramework | undefined {
  if (config.framework === undefined) return undefined;
  return config.framework === 'plain' ? 'numbered' : config.framework;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line !== undefined ? ` (line ${problem.line}, column ${problem.column ?? 1})` : '';
  return `${problem.path}${where}: ${problem.message}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

function pathOf(parent: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function jsonSyntaxProblem(text: string, error: unknown): ConfigProblem {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  const problem: ConfigProblem = {
    path: '$',
    message: `not valid JSON: ${message.replace(/\s*\(line \d+ column \d+\)/, '')}. lockstep.json is plain JSON: no comments, no trailing commas`,
  };
  if (position) {
    const before = text.replace(/^\uFEFF/, '').slice(0, Number(position[1]));
    problem.line = before.split('\n').length;
    problem.column = before.length - before.lastIndexOf('\n');
  }
  return problem;
}

/** " (did you mean "x"?)" for a near miss. */
function suggest(word: string, candidates: readonly string[]): string {
  const best = closestMatch(word, candidates);
  return best !== undefined ? ` (did you mean "${best}"?)` : '';
}

/** The candidate closest to `word` by edit distance, when it is close enough to be a typo of it. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
