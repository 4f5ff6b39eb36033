// `lockstep lint`: analyzes migration files and prints findings; the exit code says whether any is an error.
import { readFile } from 'node:fs/promises';
import { analyzeText, initParser } from '../../analysis/analyzer';
import { DEFAULT_PG_VERSION, type Finding } from '../../analysis/types';
import { parsePgVersion } from '../../lsp/settings';
import { parseCommandArgs } from '../args';
import { describeFsError, ExitCode, UsageError } from '../errors';
import { formatJson } from '../formatters/json';
import { formatText } from '../formatters/text';
import type { CliIo } from '../io';
import { displayPathFor, sortFindings, summaryLine, type LintedFile } from '../lint-report';
import { collectSqlFiles } from '../sql-files';
import type { CliCommand } from './command';

const formats = { text: formatText, json: formatJson } as const;
type FormatName = keyof typeof formats;

export const lintCommand: CliCommand = {
  name: 'lint',
  summary: 'check migration files for locks that block production traffic',
  help: `Usage: lockstep lint <file-or-folder>... [--format text|json] [--pg-version N]

Checks PostgreSQL migration files. Folders are searched recursively for *.sql
(node_modules and folders starting with '.' are skipped); each folder's files
are checked in name order.

Options:
  --format text|json   text (default): one finding per line,
                         file:line:col  severity  rule  message
                       json: {"version": 1, "files": [...]}, positions 0-based
                         UTF-16 like LSP
  --pg-version N       PostgreSQL major the migrations run on (default ${DEFAULT_PG_VERSION})
  -h, --help           show this help

Exit codes: 0 no finding at error severity, 1 at least one, 2 usage or I/O error.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('lint', args, {
      format: { type: 'string' },
      'pg-version': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(this.help);
      return ExitCode.ok;
    }
    const format = values.format ?? 'text';
    if (!(format in formats)) {
      throw new UsageError(`unknown --format '${format}'; use text or json`, 'lint');
    }
    let pgVersion = DEFAULT_PG_VERSION;
    if (values['pg-version'] !== undefined) {
      const parsed = parsePgVersion(values['pg-version']);
      if (!parsed.ok) throw new UsageError(`--pg-version: ${parsed.error}`, 'lint');
      pgVersion = parsed.value;
    }
    if (positionals.length === 0) {
      throw new UsageError('no files or folders given; e.g. lockstep lint migrations/', 'lint');
    }
    return lint(positionals, format as FormatName, pgVersion, io);
  },
};

async function lint(paths: string[], format: FormatName, pgVersion: number, io: CliIo): Promise<number> {
  const collected = await collectSqlFiles(paths, io.cwd);
  let failed = collected.problems.length > 0;
  for (const problem of collected.problems) io.err(`lockstep: ${problem}\n`);
  for (const folder of collected.emptyFolders) io.err(`lockstep: no .sql files in '${folder}'\n`);

  if (collected.files.length > 0) {
    try {
      await initParser();
    } catch (error) {
      io.err(
        `lockstep: could not load the PostgreSQL parser (libpg-query): ${message(error)}. ` +
          'Reinstall lockstep; if this persists, open an issue.\n',
      );
      return ExitCode.usageOrIo;
    }
  }

  const linted: LintedFile[] = [];
  for (const path of collected.files) {
    const displayPath = displayPathFor(path, io.cwd);
    let text: string;
    try {
      text = decodeUtf8(await readFile(path));
    } catch (error) {
      io.err(`lockstep: cannot read '${displayPath}': ${error instanceof NotUtf8Error ? error.message : describeFsError(error)}\n`);
      failed = true;
      continue;
    }
    let findings: Finding[];
    try {
      findings = analyzeText(text, { pgVersion }).findings;
    } catch (error) {
      io.err(
        `lockstep: internal error while analyzing '${displayPath}': ${message(error)}. ` +
          'This is a bug in Lockstep; please open an issue and attach the file.\n',
      );
      if (process.env.LOCKSTEP_DEBUG && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
      failed = true;
      continue;
    }
    linted.push({ displayPath, findings: sortFindings(findings) });
  }

  io.out(formats[format](linted));
  if (format === 'text' && linted.length > 0) io.err(`lockstep: ${summaryLine(linted)}\n`);

  if (failed) return ExitCode.usageOrIo;
  return linted.some((file) => file.findings.some((f) => f.severity === 'error')) ? ExitCode.findings : ExitCode.ok;
}

class NotUtf8Error extends Error {}

// fatal: positions would be wrong on replacement characters, so say so instead of guessing.
// The BOM is dropped, as editors drop it, so positions match what the user sees.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new NotUtf8Error('not valid UTF-8; convert the file to UTF-8 and try again');
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
