// `lockstep explain`: what each statement of a migration locks, rewrites and scans, and what waits meanwhile —
// the lock model's answer, per statement, for people (text) and tools (json).
import { summarizeStatements } from '../../analysis/presentation/statement-summary';
import { DEFAULT_PG_VERSION } from '../../analysis/types';
import { parsePgVersion } from '../../lsp/settings';
import { parseCommandArgs } from '../args';
import { ProjectConfigs } from '../config-loader';
import { analyzeSqlFiles } from '../analyze-files';
import { ExitCode, UsageError } from '../errors';
import { formatExplainJson, type ExplainedFile } from '../formatters/explain-json';
import { formatExplainText } from '../formatters/explain-text';
import type { CliIo } from '../io';
import type { CliCommand } from './command';

type FormatName = 'text' | 'json';

export const explainCommand: CliCommand = {
  name: 'explain',
  summary: 'show which locks each statement takes and what waits while it runs',
  help: `Usage: lockstep explain <file-or-folder>... [--format text|json] [--pg-version N]

Prints, for every statement, the locks it takes (strongest mode per relation),
the relations it rewrites or scans, and which concurrent work waits: reads
(SELECT), writes (INSERT/UPDATE/DELETE), SELECT ... FOR UPDATE, DDL, VACUUM.
Files are found as for 'lockstep lint', and each versioned migration is
explained against the schema its earlier migrations create.

A statement no verified lock fact covers (or that is not SQL: a syntax error,
a psql meta-command) is reported as unknown, with the reason; Lockstep never
guesses.

Transactions ("inTransaction"): whether the statement runs inside a transaction
block, as the file's migration runner sends it (detected from the path and
lockstep.json, like 'lockstep lint'; see "transactionSource"). Where no runner
plan is available, a file is assumed to run in ONE implicit transaction, as
most runners do (and as PostgreSQL runs a multi-statement query) - so a file
holding a single statement runs on its own - unless it contains explicit
BEGIN/COMMIT, which is taken at its word.

Options:
  --format text|json   text (default): one line per statement,
                         file:line:col  Kind  locks · blocks … · rewrite … · scan …
                       json: {"version": 1, "pgVersion": N, "files": [{"path",
                         "statements": [{"index", "range", "text", "kind",
                         "inTransaction", "locks": [{"relation", "kind", "mode"}],
                         "rewrites", "scans", "blocks": {"reads", "writes",
                         "selectForUpdate", "ddl", "maintenance"},
                         "transaction": "allowed"|"forbidden"|"unknown",
                         "transactionSource"?, "facts", "newRelations",
                         "unknown", "reason"?}], "pgVersion"}]}
                       Positions are 0-based UTF-16 like LSP; relations are
                       schema-qualified. A file's "pgVersion" is the one it was
                       explained for (--pg-version, else its lockstep.json).
                       "blocks" is the lock model's answer;
                       "newRelations" lists the relations this file created,
                       on which no existing work waits.
  --pg-version N       PostgreSQL major the migrations run on (default: the
                         configuration's pgVersion, else ${DEFAULT_PG_VERSION})
  -h, --help           show this help

Exit codes: 0 explained, 2 usage or I/O error or an invalid lockstep.json.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('explain', args, {
      format: { type: 'string' },
      'pg-version': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(this.help);
      return ExitCode.ok;
    }
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') {
      throw new UsageError(`unknown --format '${format}'; use text or json`, 'explain');
    }
    let pgVersion: number | undefined;
    if (values['pg-version'] !== undefined) {
      const parsed = parsePgVersion(values['pg-version']);
      if (!parsed.ok) throw new UsageError(`--pg-version: ${parsed.error}`, 'explain');
      pgVersion = parsed.value;
    }
    if (positionals.length === 0) {
      throw new UsageError('no files or folders given; e.g. lockstep explain migrations/002_add_index.up.sql', 'explain');
    }
    return explain(positionals, format, pgVersion, io);
  },
};

async function explain(paths: string[], format: FormatName, pgVersionOverride: number | undefined, io: CliIo): Promise<number> {
  const configs = new ProjectConfigs({ memoize: true });
  const run = await analyzeSqlFiles(paths, { io, configs, pgVersionOverride, verb: 'explaining' });
  if (run.parserUnavailable) return ExitCode.usageOrIo;
  const explained: ExplainedFile[] = run.files.map((file) => ({
    displayPath: file.displayPath,
    pgVersion: file.options.pgVersion,
    statements: summarizeStatements(file.result.statements, file.base),
  }));

  // The report's pgVersion: the one asked for, else the one every file shares, else the default.
  const versions = new Set(explained.map((f) => f.pgVersion));
  const pgVersion = pgVersionOverride ?? (versions.size === 1 ? [...versions][0]! : DEFAULT_PG_VERSION);
  io.out(format === 'json' ? formatExplainJson(explained, pgVersion) : formatExplainText(explained));
  return run.failed ? ExitCode.usageOrIo : ExitCode.ok;
}
