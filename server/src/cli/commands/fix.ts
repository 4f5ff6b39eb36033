// `lockstep fix`: applies the preferred fix of every finding that has one — rewriting the file in place where the
// fix allows, creating new migration files for phases that must run later — as a dry run (a unified diff of the
// changed files and the new files) or, with --write, on disk. The fixes come from analysis/fixes, the same ones the
// editor offers as quick fixes; a fix a recipe refuses (see BlockedFix) is reported with its reasons instead.
// --rule / --fix choose fixes that are not preferred (expand/contract, drop in a later release): those change how
// the application must be deployed, so the editor never marks them preferred and only an explicit choice applies them.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { analyzeText, initParser } from '../../analysis/analyzer';
import { applyTextEdits, blockedFixesForFinding, fixesForFinding, type BlockedFix, type Fix, type FileEdit, type FixInput, type NewFile } from '../../analysis/fixes';
import { replayMigrations } from '../../analysis/schema-context';
import { DEFAULT_PG_VERSION, type AnalysisOptions, type Finding } from '../../analysis/types';
import type { Catalog } from '../../analysis/catalog';
import { parsePgVersion } from '../../lsp/settings';
import { migrationSiblings, sqitchPlanFor } from '../../lsp/code-actions';
import { analysisOptionsFor, describeConfigProblems, ProjectConfigs } from '../config-loader';
import { parseCommandArgs } from '../args';
import { describeFsError, ExitCode, UsageError } from '../errors';
import type { CliIo } from '../io';
import { displayPathFor } from '../lint-report';
import { decodeUtf8, MigrationContexts, NotUtf8Error } from '../migration-context';
import { collectSqlFiles } from '../sql-files';
import type { CliCommand } from './command';
import { ruleMeta } from '../../analysis/rules';
import { recipes } from '../../analysis/fixes/recipes';

/** Fixes applied per file at most: each one re-analyzes the file, and a fix never re-creates its own finding. */
const MAX_FIXES_PER_FILE = 50;

export const fixCommand: CliCommand = {
  name: 'fix',
  summary: 'split risky migration statements into safe phases (dry run unless --write)',
  help: `Usage: lockstep fix <file-or-folder>... [--write] [--pg-version N]
                    [--rule <rule-id>]... [--fix <recipe-id>]...

For every finding that has a fix, applies the preferred one — the quick fix the
editor offers — to the migration files given (folders are searched for *.sql):
CREATE INDEX becomes CREATE INDEX CONCURRENTLY in a migration that runs outside
a transaction, a foreign key is added NOT VALID and validated in a later
migration, SET NOT NULL is proven by a validated CHECK first, and so on
(docs/fixes.md). Phases that must run in another transaction or deploy become
new migration files, named so the framework runs them right after the file
(next version, before the next existing migration), with a header that says
which phase each is and what must be deployed before it.

Without --write nothing is written: the changes are printed as a unified diff
(new files as additions to /dev/null), which \`git apply\` accepts. sqitch
projects get new changes (deploy/, revert/, verify/) and their lines appended
to sqitch.plan.

A finding whose fix Lockstep refuses (a view or an index depends on the column,
an identity column…) is left alone, and a note on stderr says why.

Some fixes are never preferred, because they change how the application must
be deployed: RENAME COLUMN / RENAME TO and a rewriting ALTER COLUMN … TYPE
become expand/contract over several releases, DROP COLUMN / DROP TABLE moves
to a later release. --rule and --fix choose them: with either, only the chosen
findings are fixed, each with the fix the editor offers for it (preferred or
not), and a note on stderr names the recipe applied.

Options:
  --write              apply the changes: rewrite the files, create new ones
                         (an existing file is never overwritten)
  --rule <rule-id>     fix only findings of this rule, with the recipe that
                         resolves it even when it is not the preferred fix
                         (repeatable; e.g. --rule rename-column --rule drop-table)
  --fix <recipe-id>    fix only findings this recipe resolves, with it
                         (repeatable); the recipes:
${wrapList(recipeIds(), 25, 80)}
  --pg-version N       PostgreSQL major the migrations run on (default: the
                         configuration's pgVersion, else ${DEFAULT_PG_VERSION})
  -h, --help           show this help

Exit codes: 0 done (also when nothing needed fixing), 2 usage or I/O error, an
invalid lockstep.json, or a file that would be overwritten.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('fix', args, {
      write: { type: 'boolean' },
      'pg-version': { type: 'string' },
      rule: { type: 'string', multiple: true },
      fix: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(this.help);
      return ExitCode.ok;
    }
    let pgVersion: number | undefined;
    if (values['pg-version'] !== undefined) {
      const parsed = parsePgVersion(values['pg-version']);
      if (!parsed.ok) throw new UsageError(`--pg-version: ${parsed.error}`, 'fix');
      pgVersion = parsed.value;
    }
    if (positionals.length === 0) throw new UsageError('no files or folders given; e.g. lockstep fix migrations/000042_add_index.up.sql', 'fix');
    return fix(positionals, values.write === true, pgVersion, selectionOf(values.rule ?? [], values.fix ?? []), io);
  },
};

/** What --rule / --fix chose; undefined (neither given): the preferred fix of every finding. */
interface Selection {
  rules: ReadonlySet<string>;
  recipes: ReadonlySet<string>;
}

/** Recipe ids `--fix` accepts: the fix engine's recipes ("ignore" comments are not fixes of the migration). */
function recipeIds(): string[] {
  return recipes.map((r) => r.id);
}

/** `items`, comma separated, in lines indented by `indent` no longer than `width` (for --help). */
function wrapList(items: readonly string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const [i, item] of items.entries()) {
    const word = item + (i < items.length - 1 ? ',' : '');
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

function selectionOf(rules: string[], recipeNames: string[]): Selection | undefined {
  if (rules.length === 0 && recipeNames.length === 0) return undefined;
  for (const rule of rules) {
    if (!ruleMeta(rule)) throw new UsageError(`--rule: no rule '${rule}'; \`lockstep lint\` names the rule of each finding (docs/rules/ lists them all)`, 'fix');
  }
  const known = recipeIds();
  for (const recipe of recipeNames) {
    if (!known.includes(recipe)) throw new UsageError(`--fix: no recipe '${recipe}'; the recipes are ${known.join(', ')}`, 'fix');
  }
  return { rules: new Set(rules), recipes: new Set(recipeNames) };
}

/**
 * The fix to apply for a finding: without a selection its preferred fix; with one, for a chosen finding, the first
 * of the fixes the editor offers for it (preferred first, each resolving its rule) that the selection allows.
 */
function chosenFix(fixes: readonly Fix[], finding: Finding, selection: Selection | undefined): Fix | undefined {
  const recipeFixes = fixes.filter((f) => f.recipe !== 'ignore-statement' && f.recipe !== 'ignore-file');
  if (!selection) return recipeFixes.find((f) => f.preferred);
  return recipeFixes.find((f) => selection.rules.has(finding.rule) || selection.recipes.has(f.recipe));
}

/** Whether a refused fix concerns what the user chose (without a selection: every finding). */
function blockedChosen(blocked: BlockedFix, finding: Finding, selection: Selection | undefined): boolean {
  return !selection || selection.rules.has(finding.rule) || selection.recipes.has(blocked.recipe);
}

/** A file the run works on: one from disk (with its original text) or one a fix created. */
interface WorkFile {
  path: string;
  text: string;
  /** The text on disk; undefined for a file this run creates. */
  original: string | undefined;
  /** What a file this run creates is for (only 'up' files are migrations that run and hold statements). */
  purpose?: NewFile['purpose'];
}

interface Outcome {
  /** Every file touched or created, in the order they were produced. */
  files: WorkFile[];
  /** `finding`/`text` as in `skipped`: the finding the fix was applied for, in the file's text at that time. */
  applied: Array<{ path: string; fix: Fix; finding: Finding; text: string }>;
  /** `text`: the file's text the finding's position refers to (earlier fixes may have changed it since the disk). */
  skipped: Array<{ path: string; finding: Finding; reason: string; text: string }>;
}

async function fix(paths: string[], write: boolean, pgVersionOverride: number | undefined, selection: Selection | undefined, io: CliIo): Promise<number> {
  const collected = await collectSqlFiles(paths, io.cwd);
  let failed = collected.problems.length > 0;
  for (const problem of collected.problems) io.err(`lockstep: ${problem}\n`);
  if (collected.files.length === 0) return failed ? ExitCode.usageOrIo : ExitCode.ok;
  try {
    await initParser();
  } catch (error) {
    io.err(`lockstep: could not load the PostgreSQL parser (libpg-query): ${message(error)}. Reinstall lockstep; if this persists, open an issue.\n`);
    return ExitCode.usageOrIo;
  }

  const configs = new ProjectConfigs({ memoize: true });
  const contexts = new MigrationContexts({ memoizeFileSystem: true });
  const outcome: Outcome = { files: [], applied: [], skipped: [] };
  for (const path of collected.files) {
    const project = configs.configFor(path);
    if (project.problems.length > 0) {
      io.err(`lockstep: ${describeConfigProblems(project)}\n`);
      failed = true;
      continue;
    }
    let text: string;
    try {
      text = decodeUtf8(await readFile(path));
    } catch (error) {
      io.err(`lockstep: cannot read '${displayPathFor(path, io.cwd)}': ${error instanceof NotUtf8Error ? error.message : describeFsError(error)}\n`);
      failed = true;
      continue;
    }
    const options = (p: string, created: readonly WorkFile[]): AnalysisOptions => {
      const base = analysisOptionsFor(p, project, pgVersionOverride);
      return { ...base, migration: withCreatedMetadata(base.migration ?? { path: p }, p, created) };
    };
    try {
      fixDocument({ path, text, original: text }, contexts.contextFor(path).base, options, selection, outcome);
    } catch (error) {
      io.err(`lockstep: internal error while fixing '${displayPathFor(path, io.cwd)}': ${message(error)}. This is a bug in Lockstep; please open an issue and attach the file.\n`);
      if (process.env.LOCKSTEP_DEBUG && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
      failed = true;
    }
  }

  const changed = outcome.files.filter((f) => f.text !== f.original);
  for (const file of changed) io.out(unifiedDiff(displayPathFor(file.path, io.cwd), file.original, file.text));
  const where = (s: { path: string; finding: Finding; text: string }): string => {
    // The line in the file as the user will open it: on disk unchanged after a dry run, else as fixed.
    const file = outcome.files.find((f) => f.path === s.path);
    const shown = file ? (write || file.original === undefined ? file.text : file.original) : s.text;
    const line = lineIn(s.text, shown, s.finding.range.start.line);
    return `${displayPathFor(s.path, io.cwd)}:${line + 1}:${s.finding.range.start.character + 1}`;
  };
  // Only for a chosen fix: it may not be the one the editor marks preferred, so say which recipe did what.
  if (selection) {
    for (const a of outcome.applied) io.err(`lockstep: ${where(a)}: ${a.finding.rule} fixed by recipe ${a.fix.recipe}: ${a.fix.title}\n`);
  }
  for (const s of outcome.skipped) io.err(`lockstep: ${where(s)}: ${s.finding.rule} not fixed: ${s.reason}\n`);
  if (write) {
    const clash = changed.find((f) => f.original === undefined && existsSync(f.path));
    if (clash) {
      io.err(`lockstep: '${displayPathFor(clash.path, io.cwd)}' already exists; nothing was written. Move it away or fix the files one at a time.\n`);
      return ExitCode.usageOrIo;
    }
    for (const file of changed) {
      try {
        await mkdir(dirname(file.path), { recursive: true });
        await writeFile(file.path, file.text, file.original === undefined ? { flag: 'wx' } : {});
      } catch (error) {
        io.err(`lockstep: cannot write '${displayPathFor(file.path, io.cwd)}': ${describeFsError(error)}\n`);
        return ExitCode.usageOrIo;
      }
    }
  }
  const created = changed.filter((f) => f.original === undefined).length;
  const edited = changed.length - created;
  io.err(
    `lockstep: ${outcome.applied.length} fix${outcome.applied.length === 1 ? '' : 'es'}: ${edited} file(s) changed, ${created} new` +
      (write ? '' : ' (dry run; --write applies them)') +
      '\n',
  );
  return failed ? ExitCode.usageOrIo : ExitCode.ok;
}

/**
 * Applies fixes to one document until none is left: each fix re-analyzes, later fixes are numbered after the files
 * earlier ones created, and a file a fix created that holds statements moved out of the document (the "rest") is
 * fixed in turn, since the remaining findings travelled with those statements.
 */
function fixDocument(
  document: WorkFile,
  base: Catalog | undefined,
  optionsFor: (path: string, created: readonly WorkFile[]) => AnalysisOptions,
  selection: Selection | undefined,
  outcome: Outcome,
): void {
  const created: WorkFile[] = [];
  const queue: Array<{ file: WorkFile; base: Catalog | undefined }> = [{ file: document, base }];
  outcome.files.push(document);
  const siblings = new Set(migrationSiblings(document.path));
  siblings.add(document.path);
  for (let item = queue.shift(); item; item = queue.shift()) {
    const { file } = item;
    const tried = new Set<string>();
    for (let n = 0; n < MAX_FIXES_PER_FILE; n++) {
      const options = optionsFor(file.path, created);
      const analysis = analyzeText(file.text, options, item.base);
      // New files go after everything this run created for the document (the file itself, when it is one of them).
      const lastUp = [...created].reverse().find((f) => f.purpose === 'up');
      // sqitch: the plan as this run has changed it so far, so a later fix appends after the changes added before.
      const plan = sqitchPlanOf(file.path, outcome);
      const input: FixInput = {
        text: file.text,
        analysis,
        options,
        ...(item.base ? { base: item.base } : {}),
        path: file.path,
        siblings: [...siblings],
        ...(lastUp ? { placeAfter: lastUp.path } : {}),
        ...(plan ? { sqitchPlan: { path: plan.path, text: plan.text } } : {}),
      };
      let next: { finding: Finding; fix: Fix } | undefined;
      for (const finding of analysis.findings) {
        const key = `${finding.rule}\u0000${analysis.statements[finding.statement]?.text}`;
        if (tried.has(key)) continue;
        tried.add(key);
        const recipe = chosenFix(fixesForFinding(input, finding), finding, selection);
        if (!recipe) {
          for (const blocked of blockedFixesForFinding(input, finding)) {
            if (!blockedChosen(blocked, finding, selection)) continue;
            outcome.skipped.push({
              path: file.path,
              finding,
              reason: `Lockstep refuses to ${lowerFirst(blocked.title)}: ${blocked.reasons.join('; ')}`,
              text: file.text,
            });
          }
          continue;
        }
        if (recipe.notes.length > 0) {
          outcome.skipped.push({ path: file.path, finding, reason: recipe.notes.join('; '), text: file.text });
          continue;
        }
        next = { finding, fix: recipe };
        break;
      }
      if (!next) break;
      outcome.applied.push({ path: file.path, fix: next.fix, finding: next.finding, text: file.text });
      file.text = applyTextEdits(file.text, next.fix.edits);
      // Other existing files (sqitch.plan) are edited with the new files, never without them.
      for (const other of next.fix.fileEdits ?? []) applyFileEdit(other, outcome);
      for (const newFile of next.fix.files) {
        const work: WorkFile = { path: newFile.path, text: newFile.text, original: undefined, purpose: newFile.purpose };
        created.push(work);
        outcome.files.push(work);
        siblings.add(newFile.path);
        if (isRest(newFile)) {
          // Its schema context: the document as fixed so far, then the files created before it.
          const earlier = created.filter((f) => f !== work && f.purpose === 'up');
          queue.push({ file: work, base: replayMigrations([{ path: file.path, text: file.text }, ...earlier], item.base) });
        }
      }
    }
  }
}

/**
 * sqitch: the plan of a deploy script's project — the text this run has produced so far when an earlier fix edited
 * it, else the file on disk (undefined for other runners).
 */
function sqitchPlanOf(path: string, outcome: Outcome): WorkFile | undefined {
  const onDisk = sqitchPlanFor(path);
  if (!onDisk) return undefined;
  const known = outcome.files.find((f) => f.path === onDisk.path);
  if (known) return known;
  const plan: WorkFile = { path: onDisk.path, text: onDisk.text, original: onDisk.text };
  outcome.files.push(plan);
  return plan;
}

/** Applies a fix's edit to an existing file other than the document; its offsets refer to the run's current text. */
function applyFileEdit(edit: FileEdit, outcome: Outcome): void {
  let file = outcome.files.find((f) => f.path === edit.path);
  if (!file) {
    // The engine only edits files it was given (the plan, loaded above), so this is a fallback for future ones.
    const text = readFileSync(edit.path, 'utf8').replace(/^\uFEFF/, '');
    file = { path: edit.path, text, original: text };
    outcome.files.push(file);
  }
  file.text = applyTextEdits(file.text, edit.edits);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A file holding statements moved out of the document (plan.ts names it `<last phase>_rest`). */
function isRest(file: NewFile): boolean {
  return file.purpose === 'up' && /_rest(\.up)?\.sql$|_rest[\\/](up|migration)\.sql$/.test(file.path);
}

/** New files of this run that are runner metadata (Flyway .conf, diesel metadata.toml) count for `path`. */
function withCreatedMetadata(
  migration: NonNullable<AnalysisOptions['migration']>,
  path: string,
  created: readonly WorkFile[],
): NonNullable<AnalysisOptions['migration']> {
  const conf = created.find((f) => f.path === `${path}.conf`);
  const metadata = created.find((f) => f.path === `${dirname(path)}/metadata.toml` || f.path === `${dirname(path)}\\metadata.toml`);
  return {
    ...migration,
    ...(conf ? { flywayScriptConfig: conf.text } : {}),
    ...(metadata ? { dieselMetadata: metadata.text } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Unified diff (line based, 3 lines of context), enough for migration files

export function unifiedDiff(displayPath: string, before: string | undefined, after: string): string {
  const a = before === undefined ? [] : splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a, b);
  const header = `--- ${before === undefined ? '/dev/null' : `a/${displayPath}`}\n+++ b/${displayPath}\n`;
  const hunks: string[] = [];
  const context = 3;
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2 × context of each other.
    while (end < ops.length) {
      if (ops[end]!.kind !== ' ') {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && ops[run]!.kind === ' ') run++;
      if (run === ops.length || run - end > 2 * context) {
        end = Math.min(ops.length, end + context);
        break;
      }
      end = run;
    }
    const slice = ops.slice(start, end);
    const aStart = ops.slice(0, start).filter((o) => o.kind !== '+').length;
    const bStart = ops.slice(0, start).filter((o) => o.kind !== '-').length;
    const aCount = slice.filter((o) => o.kind !== '+').length;
    const bCount = slice.filter((o) => o.kind !== '-').length;
    const range = (from: number, count: number) => `${count === 0 ? from : from + 1}${count === 1 ? '' : `,${count}`}`;
    hunks.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n` + slice.map((o) => `${o.kind}${o.line}\n`).join(''));
    i = end;
    start = end;
  }
  return header + hunks.join('');
}

/** Where line `line` (0-based) of `from` is in `to`: the same line unchanged by the diff; `line` itself if it changed. */
function lineIn(from: string, to: string, line: number): number {
  if (from === to) return line;
  let a = 0;
  let b = 0;
  for (const op of diffLines(splitLines(from), splitLines(to))) {
    if (op.kind === ' ' && a === line) return b;
    if (op.kind !== '+') a++;
    if (op.kind !== '-') b++;
    if (a > line) break;
  }
  return line;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Myers-free LCS diff: migration files are small, O(n·m) is fine. */
function diffLines(a: string[], b: string[]): Array<{ kind: ' ' | '-' | '+'; line: string }> {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: Array<{ kind: ' ' | '-' | '+'; line: string }> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: ' ', line: a[i]! });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ kind: '+', line: b[j]! });
      j++;
    } else {
      out.push({ kind: '-', line: a[i]! });
      i++;
    }
  }
  return out;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
