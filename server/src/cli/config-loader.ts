/**
 * lockstep.json from disk, for the CLI and the language server alike, so both analyze a file with exactly the
 * same options: the nearest lockstep.json in the file's folder or above it (parsed and validated by the pure
 * analysis/config), the statsFile it names, and the runner metadata next to the migration (diesel's
 * metadata.toml, Flyway's `<script>.sql.conf`). This is the I/O half; analysis/config is the pure half.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  CONFIG_FILE_NAME,
  formatProblem,
  frameworkOf,
  parseConfig,
  validateStatsFile,
  type ConfigProblem,
  type LockstepConfig,
  type TableFacts,
} from '../analysis/config/config';
import { parseDuration } from '../analysis/config/durations';
import { allRuleMetas } from '../analysis/rules';
import { DEFAULT_PG_VERSION, type AnalysisOptions, type ProjectPolicy } from '../analysis/types';
import type { MigrationRunInput } from '../analysis/transactions/runners';
import { describeFsError } from './errors';

/** The file-system calls the loader needs; tests substitute their own. */
export interface ConfigFileSystem {
  /** A value that changes whenever the file may have changed; undefined when it is not a readable file. */
  stamp(path: string): string | undefined;
  /** UTF-8 text; throws with a reason. */
  readText(path: string): string;
}

export const nodeConfigFileSystem: ConfigFileSystem = {
  stamp(path) {
    try {
      const info = statSync(path);
      return info.isFile() ? `${info.mtimeMs}:${info.size}` : undefined;
    } catch {
      return undefined;
    }
  },
  readText(path) {
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  },
};

export interface ProjectConfig {
  /** Absolute path of the lockstep.json in use; undefined when there is none (defaults apply). */
  path: string | undefined;
  /** The validated configuration; empty when there is none or it is invalid. */
  config: LockstepConfig;
  /** Production table facts: `tables` merged over the statsFile's (lockstep.json wins). */
  tables: Record<string, TableFacts>;
  /** Why the configuration is invalid; when not empty, `config` is empty (defaults apply). */
  problems: ConfigProblem[];
  /** Changes whenever lockstep.json or its statsFile changes (stamps). */
  key: string;
}

const NONE: ProjectConfig = { path: undefined, config: {}, tables: {}, problems: [], key: '' };

export class ProjectConfigs {
  memoize: boolean;
  private readonly fs: ConfigFileSystem;
  private readonly knownRules: readonly string[];
  /** Parsed configurations by lockstep.json path, kept while its stamp (and its statsFile's) is unchanged. */
  private readonly parsed = new Map<string, { stamp: string; statsStamp: string; loaded: ProjectConfig }>();
  /** Folder → lockstep.json path found from it (or null), kept until `invalidate()` when memoizing. */
  private readonly located = new Map<string, string | null>();

  constructor(
    options: {
      fs?: ConfigFileSystem;
      /**
       * Keep "where is the nearest lockstep.json" per folder until `invalidate()`: right for one CLI run, and for a
       * language server told of created and deleted lockstep.json files. Stamps are checked on every call anyway.
       */
      memoize?: boolean;
    } = {},
  ) {
    this.fs = options.fs ?? nodeConfigFileSystem;
    this.memoize = options.memoize ?? false;
    this.knownRules = allRuleMetas.map((m) => m.id);
  }

  invalidate(): void {
    this.located.clear();
  }

  /**
   * Is `path` the statsFile of a configuration read so far? Its name is the project's choice, so the language server
   * watches every JSON file and asks this to tell a changed statsFile from an unrelated JSON file.
   */
  isStatsFile(path: string): boolean {
    const absolute = resolve(path);
    for (const [configPath, { loaded }] of this.parsed) {
      if (loaded.config.statsFile !== undefined && resolve(dirname(configPath), loaded.config.statsFile) === absolute) return true;
    }
    return false;
  }

  /** The configuration that applies to `filePath` (a file; its folder is searched, then each parent). */
  configFor(filePath: string): ProjectConfig {
    const found = this.locate(dirname(resolve(filePath)));
    return found === undefined ? NONE : this.load(found);
  }

  /** The configuration found from a folder (e.g. the working directory, for `lockstep lint` without paths). */
  configFromFolder(folder: string): ProjectConfig {
    const found = this.locate(resolve(folder));
    return found === undefined ? NONE : this.load(found);
  }

  private locate(start: string): string | undefined {
    const visited: string[] = [];
    let found: string | null = null;
    for (let dir = start; ; dir = dirname(dir)) {
      const memo = this.memoize ? this.located.get(dir) : undefined;
      if (memo !== undefined) {
        found = memo;
        break;
      }
      visited.push(dir);
      const candidate = join(dir, CONFIG_FILE_NAME);
      if (this.fs.stamp(candidate) !== undefined) {
        found = candidate;
        break;
      }
      if (dirname(dir) === dir) break;
    }
    if (this.memoize) for (const dir of visited) this.located.set(dir, found);
    return found ?? undefined;
  }

  private load(path: string): ProjectConfig {
    const stamp = this.fs.stamp(path) ?? 'missing';
    const cached = this.parsed.get(path);
    if (cached && cached.stamp === stamp && cached.statsStamp === this.statsStamp(cached.loaded.config, path)) return cached.loaded;
    const loaded = this.read(path);
    const statsStamp = this.statsStamp(loaded.config, path);
    loaded.key = `${path}@${stamp}|${statsStamp}`;
    this.parsed.set(path, { stamp, statsStamp, loaded });
    return loaded;
  }

  private statsStamp(config: LockstepConfig, path: string): string {
    return config.statsFile ? (this.fs.stamp(resolve(dirname(path), config.statsFile)) ?? 'missing') : '';
  }

  private read(path: string): ProjectConfig {
    let text: string;
    try {
      text = this.fs.readText(path);
    } catch (error) {
      return { ...NONE, path, problems: [{ path: '$', message: `cannot read the file: ${describeFsError(error)}` }] };
    }
    const parsed = parseConfig(text, { knownRules: this.knownRules });
    if (!parsed.ok) return { ...NONE, path, problems: parsed.problems };
    const config = parsed.config;
    let tables: Record<string, TableFacts> = {};
    if (config.statsFile !== undefined) {
      const statsPath = resolve(dirname(path), config.statsFile);
      const problems: ConfigProblem[] = [];
      try {
        const stats = JSON.parse(this.fs.readText(statsPath)) as unknown;
        tables = validateStatsFile(stats, `$.statsFile (${config.statsFile}): $`, problems)?.tables ?? {};
      } catch (error) {
        const reason = error instanceof SyntaxError ? `not valid JSON: ${error.message}` : describeFsError(error);
        problems.push({ path: '$.statsFile', message: `cannot read ${statsPath}: ${reason}; it should hold {"tables": {"orders": {"rows": 50000000}}}, as \`lockstep stats\` writes it` });
      }
      // Only statsFile is kept, so a fixed stats file is noticed by its stamp; nothing else of the configuration applies.
      if (problems.length > 0) return { ...NONE, path, config: { statsFile: config.statsFile }, problems };
    }
    return { path, config, tables: { ...tables, ...(config.tables ?? {}) }, problems: [], key: '' };
  }
}

/**
 * The analysis options for one migration file: the configuration's policy, the file's path and runner metadata,
 * and the PostgreSQL major (the command line's, else the configuration's, else the default). Reads the runner's
 * metadata files next to the migration.
 */
export function analysisOptionsFor(
  filePath: string,
  project: ProjectConfig,
  pgVersionOverride: number | undefined,
  fs: ConfigFileSystem = nodeConfigFileSystem,
): AnalysisOptions {
  const config = project.config;
  const migration: MigrationRunInput = { path: filePath };
  const framework = frameworkOf(config);
  if (framework !== undefined) migration.framework = framework;
  if (config.transaction !== undefined) migration.transaction = config.transaction;
  const name = basename(filePath);
  if (name === 'up.sql' || name === 'down.sql') {
    const metadata = readIfPresent(fs, join(dirname(filePath), 'metadata.toml'));
    if (metadata !== undefined) migration.dieselMetadata = metadata;
  }
  if (/^[VUR].*\.sql$/.test(name)) {
    const scriptConfig = readIfPresent(fs, `${filePath}.conf`);
    if (scriptConfig !== undefined) migration.flywayScriptConfig = scriptConfig;
  }
  const policy: ProjectPolicy = {};
  if (config.rules) policy.rules = config.rules;
  if (Object.keys(project.tables).length > 0) policy.tables = project.tables;
  const lock = config.lockTimeout !== undefined ? parseDuration(config.lockTimeout) : undefined;
  if (lock?.ok) policy.lockTimeoutMs = lock.ms;
  const statement = config.statementTimeout !== undefined ? parseDuration(config.statementTimeout) : undefined;
  if (statement?.ok) policy.statementTimeoutMs = statement.ms;
  return {
    pgVersion: pgVersionOverride ?? config.pgVersion ?? DEFAULT_PG_VERSION,
    migration,
    ...(Object.keys(policy).length > 0 ? { project: policy } : {}),
  };
}

/** "lockstep.json is invalid: …" with every problem on its own line and what to do, for the CLI and the LSP. */
export function describeConfigProblems(project: ProjectConfig): string {
  const lines = project.problems.map((p) => `  ${formatProblem(p)}`);
  return (
    `${project.path ?? CONFIG_FILE_NAME} is invalid:\n${lines.join('\n')}\n` +
    'Fix these settings (docs/configuration.md describes each one); until then Lockstep cannot use this configuration.'
  );
}

function readIfPresent(fs: ConfigFileSystem, path: string): string | undefined {
  if (fs.stamp(path) === undefined) return undefined;
  try {
    return fs.readText(path);
  } catch {
    return undefined;
  }
}
