// The migration folder every end-to-end test opens, and the CLI's verdict on it: the editors must show what
// `lockstep lint` and `lockstep explain` say about the same files, so no expected finding is written by hand.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Screenshots, logs and results of the e2e runs (kept by CI; test-artifacts/ is git-ignored). */
export function artifactsDir(suite: string): string {
  const dir = join(repoRoot, 'test-artifacts', 'e2e', suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A file Lockstep flags whose statement starts after non-ASCII text on its line, so UTF-16 columns (LSP), byte
 * columns (Neovim) and what VS Code shows all differ from a naive count. It comes after examples/migrations'
 * last migration, so `orders` exists in its schema context.
 */
export const UNICODE_MIGRATION = {
  name: '000008_index_orders_by_country.up.sql',
  text:
    "-- Müller's request: find orders by shipping country.\n" +
    '/* ünïcödé */ CREATE INDEX orders_shipping_country_idx ON orders (shipping_country);\n',
};

export interface MigrationWorkspace {
  /** The workspace folder (what the editor opens): `orders-service` in a fresh temporary directory. */
  root: string;
  /** A scratch folder beside the workspace, for the editor's own state; removed with it. */
  scratch: string;
  /** `<root>/db/migrations`, holding examples/migrations/*.sql and UNICODE_MIGRATION. */
  migrations: string;
  /** Absolute path of a migration by file name. */
  file(name: string): string;
  dispose(): void;
}

export function createMigrationWorkspace(prefix: string): MigrationWorkspace {
  const parent = mkdtempSync(join(tmpdir(), `lockstep-e2e-${prefix}-`));
  // mkdtemp makes it 0700. Run as root, the embedded PostgreSQL runs as the OS user postgres, who must reach the
  // binaries of the extension installed under scratch/ (the platform .vsix carries them).
  chmodSync(parent, 0o755);
  // A project-like name: it is what the editor shows as the folder, screenshots included.
  const root = join(parent, 'orders-service');
  const scratch = join(parent, 'scratch');
  mkdirSync(scratch);
  const migrations = join(root, 'db', 'migrations');
  mkdirSync(migrations, { recursive: true });
  const examples = join(repoRoot, 'examples', 'migrations');
  for (const name of readdirSync(examples)) {
    if (name.endsWith('.sql')) copyFileSync(join(examples, name), join(migrations, name));
  }
  writeFileSync(join(migrations, UNICODE_MIGRATION.name), UNICODE_MIGRATION.text);
  return {
    root,
    scratch,
    migrations,
    file: (name) => join(migrations, name),
    dispose: () => rmSync(parent, { recursive: true, force: true }),
  };
}

export interface Position {
  line: number;
  character: number;
}

export interface CliFinding {
  rule: string;
  severity: string;
  message: string;
  range: { start: Position; end: Position };
}

/** `lockstep lint --format json` on `paths`: findings by absolute path (exit 1 only means an error-level finding). */
export function lintWithCli(paths: string[], pgVersion: number): Map<string, CliFinding[]> {
  const report = JSON.parse(runCli(['lint', ...paths, '--format', 'json', '--pg-version', String(pgVersion)], [0, 1])) as {
    files: { path: string; findings: CliFinding[] }[];
  };
  return new Map(report.files.map((file) => [file.path, file.findings]));
}

export interface ExplainedStatement {
  range: { start: Position; end: Position };
  text: string;
  locks: { relation: string; kind: string; mode: string }[];
  unknown: boolean;
}

/** `lockstep explain --format json` on one file: its statements with the locks they take. */
export function explainWithCli(path: string, pgVersion: number): ExplainedStatement[] {
  const report = JSON.parse(runCli(['explain', path, '--format', 'json', '--pg-version', String(pgVersion)], [0])) as {
    files: { path: string; statements: ExplainedStatement[] }[];
  };
  const file = report.files.find((f) => f.path === path);
  if (file === undefined) throw new Error(`lockstep explain reported no file ${path}: ${JSON.stringify(report).slice(0, 500)}`);
  return file.statements;
}

function runCli(args: string[], okExitCodes: number[]): string {
  try {
    return execFileSync(process.execPath, [join(repoRoot, 'bin', 'lockstep.js'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    if (failed.status !== undefined && okExitCodes.includes(failed.status) && failed.stdout) return failed.stdout;
    throw new Error(`lockstep ${args.join(' ')} failed (exit ${failed.status}): ${failed.stderr ?? String(error)}`);
  }
}

/** The LSP (UTF-16) position of the first occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string): Position {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`"${needle}" does not occur in the fixture`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
}

/** The byte column Neovim shows for a UTF-16 position in `text` (vim.diagnostic columns are byte indexes). */
export function byteColumn(text: string, position: Position): number {
  const line = text.split('\n')[position.line] ?? '';
  return Buffer.byteLength(line.slice(0, position.character), 'utf8');
}
