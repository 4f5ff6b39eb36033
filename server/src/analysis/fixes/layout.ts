/**
 * Where the phases of a fix can land: which runner the document belongs to, how that runner executes it (one
 * transaction, one statement at a time, or the whole file as one query), and how new migration files must be
 * named and marked so the runner runs them right after the document, with the transaction mode each phase needs.
 *
 * Runner facts (from each tool's documentation and source; the ones that matter for CONCURRENTLY):
 * - golang-migrate, Prisma, numbered files: the file is sent as ONE query. PostgreSQL runs a multi-statement query
 *   as an implicit transaction block, so a statement that refuses a transaction block must be the file's only one.
 * - dbmate `-- migrate:up transaction:false` and diesel `run_in_transaction = false` (metadata.toml) also send the
 *   section / file as one query (dbmate issues #182, #285; diesel #4552): same single-statement rule.
 * - goose `-- +goose NO TRANSACTION` and Flyway `executeInTransaction=false` (`<script>.conf`) split the file and
 *   run each statement on its own, so several non-transactional statements may share a file.
 * - goose, dbmate, Flyway and diesel otherwise wrap each file in a transaction.
 * - Supabase CLI (`supabase/migrations/<timestamp>_<name>.sql`, forward only): the file's statements and the CLI's
 *   own insert into its migration history go as one pipelined batch, an implicit transaction; only statements
 *   matching its pipeline-incompatible patterns (CREATE/DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY…) are sent
 *   on their own (transactions/runners.ts). So a non-transactional phase is possible only when every statement of
 *   it is such a statement; a backfill that COMMITs per batch can never run there (the batch is a transaction).
 * - sqitch: a change is `deploy/<change>.sql` + `revert/<change>.sql` + `verify/<change>.sql`, run by psql
 *   statement by statement (a transaction only where the script writes BEGIN/COMMIT), in the order of the
 *   changes in sqitch.plan. A change's ID hashes its parent's, so new changes may only be appended after the
 *   plan's last change: inserted before a deployed change, they would change its ID and sqitch would refuse to go
 *   on. New phases are therefore offered only when the document's change is the plan's last one.
 * - On failure, every runner retries the failed FILE, never earlier ones: a guard meant to make a retry safe must
 *   sit in the same file as the statement it protects.
 */
import {
  classifyMigration,
  compareVersions,
  detectFrameworkFromText,
  type MigrationFile,
  type MigrationFramework,
} from '../migrations/ordering';
import { migrationSections } from '../migrations/sections';
import { RUNNER_STANDALONE_PATTERNS, runnerPlan, simplifiedStatementText, type MigrationRunInput } from '../transactions/runners';
import { planTransactions, type PlanStatement } from '../transactions/plan';
import type { FileEdit, NewFile } from './types';

export type Runner = 'goose' | 'dbmate' | 'golang-migrate' | 'flyway' | 'diesel' | 'prisma' | 'supabase' | 'sqitch' | 'numbered';

/** How the runner executes the document's statements. */
export type DocumentMode =
  /** All of them in one transaction (explicitly or as an implicit multi-statement block). */
  | 'transaction'
  /** Each on its own, autocommitted (goose NO TRANSACTION, Flyway executeInTransaction=false). */
  | 'statements'
  /** The file is sent as one query and holds one statement, so it runs outside any transaction block. */
  | 'single-statement';

/** A migration file a fix wants created, before it is named. */
export interface PlannedFile {
  /** Words for the file name: 'create_users_email_idx_concurrently'. */
  slug: string;
  mode: 'transaction' | 'no-transaction';
  /** Header comment lines (without `-- `). */
  header: string[];
  /** SQL statements without their terminating semicolon. */
  statements: string[];
  /** Statements that revert it, for runners with down migrations; empty = `downNote` says why none are needed. */
  down: string[];
  downNote?: string;
}

export interface Layout {
  /** The runner, when new files can be made for it. */
  runner: Runner | undefined;
  /** Why no migration file can be created (shown in the fallback text). */
  problem?: string;
  /** How the runner executes each statement of the document (by statement index). */
  modes: DocumentMode[];
  /** The runner runs each statement of a non-transactional file separately (goose, Flyway). */
  splitsStatements: boolean;
  /** Offsets [start, end) of the document's forward (up) part. */
  up: [number, number];
  /**
   * Names and writes the planned files so they run, in order, right after the document. `headerOf` gives each
   * file's header once the names (of the up files, in order) are known.
   */
  createFiles(
    planned: readonly PlannedFile[],
    headerOf?: (index: number, upNames: string[]) => string[],
  ): { files: NewFile[]; fileEdits?: FileEdit[] } | { problem: string };
}

export interface LayoutInput {
  text: string;
  path?: string;
  siblings?: readonly string[];
  /** How the document runs (path, runner metadata files, configuration), as the analyzer was told. */
  run?: MigrationRunInput;
  /** The document's statements, in order. */
  statements: readonly PlanStatement[];
  /** Number new files after this migration (created by an earlier fix for the document) instead of the document. */
  placeAfter?: string;
  /** sqitch: the project's sqitch.plan. */
  sqitchPlan?: { path: string; text: string };
  /** Time stamp of new sqitch plan entries. */
  now?: Date;
}

// ---------------------------------------------------------------------------------------------------------------
// Paths (no node:path: the core does no I/O and paths may use either separator)

interface PathParts {
  dir: string;
  base: string;
  sep: string;
}

function splitPath(path: string): PathParts {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const sep = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  return i < 0 ? { dir: '', base: path, sep } : { dir: path.slice(0, i), base: path.slice(i + 1), sep };
}

function joinPath(sep: string, ...parts: string[]): string {
  return parts.filter((p) => p !== '').join(sep);
}

/** The name a file is classified by: its base name, or `folder/base` for per-folder layouts (diesel, Prisma). */
function classificationName(path: string, sqitchPlanKnown = false): string {
  const { dir, base } = splitPath(path);
  const parent = splitPath(dir).base;
  if (base === 'up.sql' || base === 'down.sql' || base === 'migration.sql') return `${parent}/${base}`;
  // sqitch: the deploy/ revert/ verify/ tree and the change path under it. Changes in subfolders only with a
  // sqitch.plan, so a `deploy/` folder higher up in another runner's tree does not turn its files into sqitch.
  const segments = path.split(/[\\/]/);
  const sqitchAt = Math.max(segments.lastIndexOf('deploy'), segments.lastIndexOf('revert'), segments.lastIndexOf('verify'));
  if (sqitchAt >= 0 && base.endsWith('.sql') && (sqitchAt === segments.length - 2 || sqitchPlanKnown)) return segments.slice(sqitchAt).join('/');
  // The Supabase CLI is recognised by its folder: a bare timestamp name reads as goose or dbmate.
  if (parent === 'migrations' && splitPath(splitPath(dir).dir).base === 'supabase') return `supabase/migrations/${base}`;
  return base;
}

function runnerOf(framework: MigrationFramework, text: string): Runner | undefined {
  switch (framework) {
    case 'goose':
    case 'dbmate':
    case 'golang-migrate':
    case 'flyway':
    case 'diesel':
    case 'prisma':
    case 'supabase':
    case 'sqitch':
    case 'numbered':
      return framework;
    case 'goose-or-dbmate':
      return detectFrameworkFromText(text);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// How the document runs (the transaction planner decides; this only condenses its answer)

function modesOf(input: LayoutInput): DocumentMode[] {
  const runner = runnerPlan(input.text, input.run ?? (input.path !== undefined ? { path: input.path } : {}));
  const plan = planTransactions(runner, input.statements);
  return plan.statements.map((tx, i) => {
    if (tx.inTransaction) return 'transaction';
    const section = runner.sections.find((s) => input.statements[i]!.start >= s.start && input.statements[i]!.start < s.end);
    // Outside a transaction while the runner sends one query: the section holds this one statement.
    return section?.sends === 'one-query' ? 'single-statement' : 'statements';
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** `count` versions after `current` in its own format, or undefined when the format has no room before `next`. */
export function versionsAfter(
  runner: Runner,
  current: string,
  next: string | undefined,
  count: number,
): string[] | undefined {
  let candidates: string[];
  if (runner === 'flyway') {
    // Flyway compares versions part by part, so V5.1 … V5.k fit between V5 and V6.
    const sep = current.includes('_') ? '_' : '.';
    candidates = Array.from({ length: count }, (_, i) => `${current}${sep}${i + 1}`);
    if (next !== undefined && candidates.some((c) => compareVersions(c, next) >= 0)) return undefined;
    return candidates;
  }
  const digits = current.replace(/-/g, '');
  if (!/^\d+$/.test(digits)) return undefined;
  const stamp = TIMESTAMP.exec(digits);
  if (stamp) {
    // A timestamp version: the next seconds, so the name still reads as a time.
    const [, y, mo, d, h, mi, s] = stamp.map(Number) as number[];
    const base = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
    candidates = Array.from({ length: count }, (_, i) => formatStamp(new Date(base + (i + 1) * 1000)));
  } else {
    const width = digits.length;
    candidates = Array.from({ length: count }, (_, i) => (BigInt(digits) + BigInt(i + 1)).toString().padStart(width, '0'));
  }
  // Put the dashes back where the current version has them (diesel 2024-01-02-030405).
  if (current.includes('-')) candidates = candidates.map((c) => redash(c, current));
  const nextDigits = next?.replace(/-/g, '');
  if (nextDigits !== undefined && /^\d+$/.test(nextDigits)) {
    if (candidates.some((c) => BigInt(c.replace(/-/g, '')) >= BigInt(nextDigits))) return undefined;
  } else if (next !== undefined && candidates.some((c) => c >= next)) return undefined;
  return candidates;
}

function formatStamp(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

function redash(digits: string, like: string): string {
  let out = '';
  let k = 0;
  for (const ch of like) {
    if (ch === '-') out += '-';
    else out += digits[k++] ?? '';
  }
  return out + digits.slice(k);
}

function compareVersionStrings(runner: Runner, a: string, b: string): number {
  if (runner === 'flyway') return compareVersions(a, b);
  const x = a.replace(/-/g, '');
  const y = b.replace(/-/g, '');
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
    const d = BigInt(x) - BigInt(y);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing files

/** Up/down text per runner. goose needs StatementBegin/End around statements holding semicolons (DO blocks). */
function renderStatements(runner: Runner, statements: readonly string[]): string {
  return statements
    .map((s) => {
      const body = `${s};`;
      if (runner === 'goose' && s.includes(';')) return `-- +goose StatementBegin\n${body}\n-- +goose StatementEnd`;
      return body;
    })
    .join('\n\n');
}

function commentLines(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '--' : `-- ${l}`)).join('\n');
}

/** How headers and pointer comments name an up file: its base name, or `folder/file` for diesel and Prisma. */
function upFileName(runner: Runner, version: string, slug: string): string {
  switch (runner) {
    case 'golang-migrate':
      return `${version}_${slug}.up.sql`;
    case 'flyway':
      return `V${version}__${slug}.sql`;
    case 'diesel':
      return `${version}_${slug}/up.sql`;
    case 'prisma':
      return `${version}_${slug}/migration.sql`;
    default:
      return `${version}_${slug}.sql`;
  }
}

function filesFor(runner: Runner, parts: PathParts, version: string, file: PlannedFile, hasUndo: boolean): NewFile[] {
  const header = commentLines(file.header);
  const up = renderStatements(runner, file.statements);
  const downBody =
    file.down.length > 0 ? renderStatements(runner, file.down) : commentLines([file.downNote ?? 'Nothing to revert in this phase.']);
  const noTx = file.mode === 'no-transaction';
  const { dir, sep } = parts;
  switch (runner) {
    case 'golang-migrate': {
      const stem = `${version}_${file.slug}`;
      return [
        { path: joinPath(sep, dir, `${stem}.up.sql`), text: `${header}\n${up}\n`, purpose: 'up' },
        { path: joinPath(sep, dir, `${stem}.down.sql`), text: `${downBody}\n`, purpose: 'down' },
      ];
    }
    case 'goose':
      return [
        {
          path: joinPath(sep, dir, `${version}_${file.slug}.sql`),
          text: `${noTx ? '-- +goose NO TRANSACTION\n' : ''}${header}\n-- +goose Up\n${up}\n\n-- +goose Down\n${downBody}\n`,
          purpose: 'up',
        },
      ];
    case 'dbmate':
      return [
        {
          path: joinPath(sep, dir, `${version}_${file.slug}.sql`),
          text: `${header}\n-- migrate:up${noTx ? ' transaction:false' : ''}\n${up}\n\n-- migrate:down${noTx ? ' transaction:false' : ''}\n${downBody}\n`,
          purpose: 'up',
        },
      ];
    case 'flyway': {
      const name = `V${version}__${file.slug}.sql`;
      const out: NewFile[] = [{ path: joinPath(sep, dir, name), text: `${header}\n${up}\n`, purpose: 'up' }];
      if (noTx) out.push({ path: joinPath(sep, dir, `${name}.conf`), text: 'executeInTransaction=false\n', purpose: 'config' });
      // Undo scripts only where the project already keeps them (Flyway Teams).
      if (hasUndo) out.push({ path: joinPath(sep, dir, `U${version}__${file.slug}.sql`), text: `${downBody}\n`, purpose: 'down' });
      return out;
    }
    case 'diesel': {
      // diesel: {version}_{name}/up.sql, down.sql, metadata.toml in the folder holding the version folders.
      const root = splitPath(dir).dir;
      const folder = joinPath(sep, root, `${version}_${file.slug}`);
      const out: NewFile[] = [
        { path: joinPath(sep, folder, 'up.sql'), text: `${header}\n${up}\n`, purpose: 'up' },
        { path: joinPath(sep, folder, 'down.sql'), text: `${downBody}\n`, purpose: 'down' },
      ];
      if (noTx) out.push({ path: joinPath(sep, folder, 'metadata.toml'), text: 'run_in_transaction = false\n', purpose: 'config' });
      return out;
    }
    case 'prisma': {
      const root = splitPath(dir).dir;
      return [{ path: joinPath(sep, root, `${version}_${file.slug}`, 'migration.sql'), text: `${header}\n${up}\n`, purpose: 'up' }];
    }
    case 'sqitch':
      throw new Error('sqitch changes are written by sqitchLayout, not filesFor');
    case 'supabase':
      // Forward only: the CLI has no down migrations.
      return [{ path: joinPath(sep, dir, `${version}_${file.slug}.sql`), text: `${header}\n${up}\n`, purpose: 'up' }];
    case 'numbered': {
      const ext = /\.sql$/i.exec(parts.base)?.[0] ?? '.sql';
      return [{ path: joinPath(sep, dir, `${version}_${file.slug}${ext}`), text: `${header}\n${up}\n`, purpose: 'up' }];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// sqitch

/** One change line of sqitch.plan: `name [deps] 2024-01-02T03:04:05Z Planner Name <email> # note`. */
const PLAN_CHANGE = /^([^\s@%#][^\s]*)(?:\s+\[[^\]]*\])?\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\s+([^<]*<[^>]*>)/;

function sqitchLayout(
  input: LayoutInput,
  path: string,
  modes: DocumentMode[],
  up: [number, number],
  fileless: (problem: string) => Layout,
): Layout {
  const plan = input.sqitchPlan;
  if (!plan) return fileless('sqitch orders changes by sqitch.plan, which Lockstep was not given, so it cannot add changes for the phases');
  const segments = path.split(/[\\/]/);
  const deployAt = segments.lastIndexOf('deploy');
  const sep = splitPath(path).sep;
  const root = segments.slice(0, deployAt).join(sep);
  const change = segments.slice(deployAt + 1).join('/').replace(/\.sql$/, '');
  const lines = plan.text.split(/\r?\n/);
  const changes = lines.map((l) => PLAN_CHANGE.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null);
  const last = changes[changes.length - 1];
  if (!last || last[1] !== change) {
    return fileless(
      last && changes.some((m) => m[1] === change)
        ? `${change} is not the last change of sqitch.plan (${last[1]} follows it); a change inserted before a deployed one changes that one's ID, so add the phases as new changes at the end of the plan yourself`
        : `${change} is not a change of sqitch.plan, so Lockstep cannot tell where the phases go`,
    );
  }
  const planner = last[3]!.trim();
  const taken = new Set(changes.map((m) => m[1]));
  const folder = change.includes('/') ? change.slice(0, change.lastIndexOf('/') + 1) : '';
  return {
    runner: 'sqitch',
    modes,
    splitsStatements: true,
    up,
    createFiles(planned, headerOf) {
      if (planned.length === 0) return { files: [] };
      const names: string[] = [];
      for (const file of planned) {
        let name = `${folder}${file.slug}`;
        for (let n = 2; taken.has(name) || names.includes(name); n++) name = `${folder}${file.slug}_${n}`;
        names.push(name);
      }
      const stamp = (input.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const files: NewFile[] = planned.flatMap((file, i) => {
        const header = commentLines(headerOf ? headerOf(i, names.map((n) => `${n}.sql`)) : file.header);
        const body = renderStatements('sqitch', file.statements);
        // psql runs the script statement by statement: a transactional phase says BEGIN/COMMIT itself.
        const deploy = file.mode === 'transaction' ? `BEGIN;\n\n${body}\n\nCOMMIT;` : body;
        const revert = file.down.length > 0 ? renderStatements('sqitch', file.down) : commentLines([file.downNote ?? 'Nothing to revert in this phase.']);
        const at = (kind: string) => [root, kind, ...`${names[i]}.sql`.split('/')].join(sep);
        return [
          { path: at('deploy'), text: `${header}\n${deploy}\n`, purpose: 'up' as const },
          { path: at('revert'), text: `${revert}\n`, purpose: 'down' as const },
          { path: at('verify'), text: `${commentLines([`Verify ${names[i]}: nothing beyond the deploy script's own checks.`])}\n`, purpose: 'config' as const },
        ];
      });
      const entries = names.map((n, i) => `${n} ${stamp} ${planner} # Lockstep: step ${i + 1} of ${names.length} after ${change}`).join('\n');
      const end = plan.text.length;
      const newline = plan.text === '' || plan.text.endsWith('\n') ? '' : '\n';
      return { files, fileEdits: [{ path: plan.path, edits: [{ start: end, end, newText: `${newline}${entries}\n` }] }] };
    },
  };
}

/** The Supabase CLI sends this statement on its own, outside the file's batch (its text matches a pattern). */
function supabaseSendsAlone(statement: string): boolean {
  const normalized = simplifiedStatementText(statement);
  return (RUNNER_STANDALONE_PATTERNS.supabase ?? []).some((p) => p.test(normalized));
}

// ---------------------------------------------------------------------------------------------------------------

export function layoutOf(input: LayoutInput): Layout {
  const up = migrationSections(input.text).up;
  const modes = modesOf(input);
  const fileless = (problem: string): Layout => ({
    runner: undefined,
    problem,
    modes,
    splitsStatements: false,
    up,
    createFiles: () => ({ problem }),
  });
  if (input.path === undefined) return fileless('the document has no file path, so Lockstep cannot add migration files next to it');

  const path = input.path;
  const parts = splitPath(path);
  // goose and dbmate files say so in their text; a name like 00002_x.sql alone reads as a plain numbered file.
  const marked = detectFrameworkFromText(input.text);
  const current = classifyMigration(classificationName(path, input.sqitchPlan !== undefined), marked ? { framework: marked } : {});
  const runner = runnerOf(current.framework, input.text);
  if (runner === 'sqitch') {
    if (current.direction !== 'up') return fileless(`${parts.base} is a sqitch ${current.direction} script; phases belong in deploy scripts`);
    return sqitchLayout(input, path, modes, up, fileless);
  }
  if (runner === undefined || current.version === undefined) {
    return fileless(
      `Lockstep does not recognise how ${parts.base} is run (supported: golang-migrate, goose, dbmate, Flyway, diesel, Prisma, Supabase, numbered files), so it cannot name new migration files for it`,
    );
  }
  if (current.direction === 'down' || current.repeatable) {
    return fileless(`${parts.base} is a ${current.repeatable ? 'repeatable' : 'down'} migration; phases belong in forward migrations`);
  }
  // Runners that send a non-transactional file statement by statement (numbered files run like psql does).
  const splitsStatements = runner === 'goose' || runner === 'flyway' || runner === 'numbered';
  const siblings: MigrationFile[] = (input.siblings ?? [])
    .filter((s) => s !== path)
    .map((s) => classifyMigration(classificationName(s), { framework: current.framework }))
    .filter((f) => f.version !== undefined && !f.repeatable);
  const hasUndo = runner === 'flyway' && siblings.some((f) => f.direction === 'down');

  return {
    runner,
    modes,
    splitsStatements,
    up,
    createFiles(planned, headerOf) {
      if (planned.length === 0) return { files: [] };
      if (runner === 'supabase') {
        const batched = planned.find((f) => f.mode === 'no-transaction' && f.statements.some((st) => !supabaseSendsAlone(st)));
        if (batched) {
          return {
            problem:
              `the Supabase CLI sends a migration file as one batch together with its insert into the migration history, an implicit transaction, ` +
              `so the phase "${batched.slug}" (which must run outside a transaction) cannot be a Supabase migration; run it with psql (\`psql -f\`) ` +
              `after deploying the migration before it, then add the phases after it as migrations`,
          };
        }
      }
      const anchor =
        (input.placeAfter !== undefined
          ? classifyMigration(classificationName(input.placeAfter), { framework: current.framework }).version
          : undefined) ?? current.version!;
      const later = siblings
        .map((f) => f.version!)
        .filter((v) => compareVersionStrings(runner, v, anchor) > 0)
        .sort((a, b) => compareVersionStrings(runner, a, b));
      const versions = versionsAfter(runner, anchor, later[0], planned.length);
      if (!versions) {
        return {
          problem:
            `there is no free version between ${anchor} and the next migration (${later[0]}) for ${planned.length} more file(s); ` +
            'renumbering migrations that may already have run is unsafe, so add the phases as new migrations yourself',
        };
      }
      const taken = new Set(siblings.map((f) => f.version));
      const clash = versions.find((v) => taken.has(v));
      if (clash) return { problem: `version ${clash} is already used by another migration` };
      const names = planned.map((file, i) => upFileName(runner, versions[i]!, file.slug));
      return {
        files: planned.flatMap((file, i) =>
          filesFor(runner, parts, versions[i]!, headerOf ? { ...file, header: headerOf(i, names) } : file, hasUndo),
        ),
      };
    },
  };
}
