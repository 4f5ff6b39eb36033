// `lockstep lint`: analyzes migration files and prints findings; the exit code says whether any is an error.
import { resolve } from 'node:path';
import packageJson from '../../../../package.json';
import { allRuleMetas } from '../../analysis/rules';
import { DEFAULT_PG_VERSION, type Severity } from '../../analysis/types';
import { defaultDocsBaseUrl, parsePgVersion } from '../../lsp/settings';
import { describeConfigProblems, ProjectConfigs } from '../config-loader';
import { lintSqlFiles } from '../analyze-files';
import { parseCommandArgs } from '../args';
import { ExitCode, UsageError } from '../errors';
import { formatGithub } from '../formatters/github';
import { formatJson } from '../formatters/json';
import { formatSarif } from '../formatters/sarif';
import { formatText } from '../formatters/text';
import type { CliIo } from '../io';
import { sortFindings, summaryLine, type LintedFile } from '../lint-report';
import type { CliCommand } from './command';

const formats = {
  text: formatText,
  json: formatJson,
  sarif: (files: readonly LintedFile[]) => formatSarif(files, { rules: allRuleMetas, docsBaseUrl: defaultDocsBaseUrl(), version: packageJson.version }),
  github: formatGithub,
} as const;
type FormatName = keyof typeof formats;

/** Severities from least to most severe: --fail-on X fails on X and above. */
const SEVERITY_ORDER: readonly Severity[] = ['hint', 'info', 'warning', 'error'];
type FailOn = 'info' | 'warning' | 'error';

export const lintCommand: CliCommand = {
  name: 'lint',
  summary: 'check migration files for locks that block production traffic',
  help: `Usage: lockstep lint [<file-or-folder>...] [--format text|json|sarif|github]
                     [--fail-on info|warning|error] [--pg-version N]

Checks PostgreSQL migration files. Folders are searched recursively for *.sql
(node_modules and folders starting with '.' are skipped); each folder's files
are checked in name order.

Each versioned migration is checked against the schema the migrations before
it (in its framework's order: golang-migrate, goose, dbmate, Flyway, diesel,
Prisma, Supabase, sqitch, numbered files) create, read from its folder whether
or not they are named on the command line. A down migration is checked against
the schema right after its own up migration.

Each file is checked with the settings of the nearest lockstep.json in its
folder or above (docs/configuration.md): rule severities, pgVersion, the
framework and how it groups statements into transactions, table sizes, the
longest acceptable lock_timeout. Without paths, the folders listed in the
"migrations" setting of ./lockstep.json (or above) are checked. Comments
-- lockstep-ignore <rule>: <reason> (next statement) and
-- lockstep-ignore-file <rule>: <reason> (whole file) suppress findings.

Options:
  --format text|json|sarif|github
                       text (default): one finding per line,
                         file:line:col  severity  rule  message
                       json: {"version": 1, "files": [...]}, positions 0-based
                         UTF-16 like LSP
                       sarif: SARIF 2.1.0 for code scanning (GitHub, GitLab…)
                       github: GitHub Actions annotations (::warning file=…)
  --fail-on info|warning|error
                       lowest severity that makes the exit code 1 (default error)
  --pg-version N       PostgreSQL major the migrations run on (default: the
                         configuration's pgVersion, else ${DEFAULT_PG_VERSION})
  -h, --help           show this help

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 usage or I/O
error or an invalid lockstep.json.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('lint', args, {
      format: { type: 'string' },
      'fail-on': { type: 'string' },
      'pg-version': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(this.help);
      return ExitCode.ok;
    }
    const format = values.format ?? 'text';
    if (!(format in formats)) {
      throw new UsageError(`unknown --format '${format}'; use text, json, sarif or github`, 'lint');
    }
    const failOn = values['fail-on'] ?? 'error';
    if (failOn !== 'info' && failOn !== 'warning' && failOn !== 'error') {
      throw new UsageError(`unknown --fail-on '${failOn}'; use info, warning or error`, 'lint');
    }
    let pgVersion: number | undefined;
    if (values['pg-version'] !== undefined) {
      const parsed = parsePgVersion(values['pg-version']);
      if (!parsed.ok) throw new UsageError(`--pg-version: ${parsed.error}`, 'lint');
      pgVersion = parsed.value;
    }
    const configs = new ProjectConfigs({ memoize: true });
    let paths = positionals;
    if (paths.length === 0) {
      const project = configs.configFromFolder(io.cwd);
      if (project.problems.length > 0) {
        io.err(`lockstep: ${describeConfigProblems(project)}\n`);
        return ExitCode.usageOrIo;
      }
      const folders = project.config.migrations ?? [];
      if (folders.length === 0) {
        throw new UsageError('no files or folders given, and no lockstep.json with "migrations" here or above; e.g. lockstep lint migrations/', 'lint');
      }
      paths = folders.map((f) => resolve(project.path ? resolve(project.path, '..') : io.cwd, f));
    }
    return lint(paths, format as FormatName, failOn, pgVersion, configs, io);
  },
};

async function lint(
  paths: string[],
  format: FormatName,
  failOn: FailOn,
  pgVersionOverride: number | undefined,
  configs: ProjectConfigs,
  io: CliIo,
): Promise<number> {
  const run = await lintSqlFiles(paths, { io, configs, pgVersionOverride });
  if (run.parserUnavailable) return ExitCode.usageOrIo;
  const linted: LintedFile[] = run.files.map((file) => ({
    displayPath: file.displayPath,
    findings: sortFindings(file.findings),
    suppressed: file.suppressed,
  }));

  io.out(formats[format](linted));
  if (format === 'text' && linted.length > 0) io.err(`lockstep: ${summaryLine(linted)}\n`);

  if (run.failed) return ExitCode.usageOrIo;
  const threshold = SEVERITY_ORDER.indexOf(failOn);
  const fails = linted.some((file) => file.findings.some((f) => SEVERITY_ORDER.indexOf(f.severity) >= threshold));
  return fails ? ExitCode.findings : ExitCode.ok;
}
