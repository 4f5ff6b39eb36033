/**
 * The per-file loop `lint` and `explain` share: collect the .sql files, load the parser, and for each file find its
 * lockstep.json, read it as UTF-8, build its schema context from the earlier migrations and analyze it. Every
 * problem is told on stderr once, in the same words for both commands; the caller turns results into output.
 */
import { readFile } from 'node:fs/promises';
import { analyzeText, initParser } from '../analysis/analyzer';
import type { Catalog } from '../analysis/catalog';
import type { AnalysisOptions, AnalysisResult } from '../analysis/types';
import { analysisOptionsFor, describeConfigProblems, type ProjectConfigs } from './config-loader';
import { describeFsError } from './errors';
import type { CliIo } from './io';
import { displayPathFor } from './lint-report';
import { decodeUtf8, MigrationContexts, NotUtf8Error, type ContextProblem } from './migration-context';
import { collectSqlFiles } from './sql-files';

export interface AnalyzedFile {
  path: string;
  displayPath: string;
  options: AnalysisOptions;
  result: AnalysisResult;
  /** The schema the earlier migrations produce (undefined when the file has no context). */
  base: Catalog | undefined;
}

export interface AnalyzeFilesOutcome {
  files: AnalyzedFile[];
  /** Some file could not be read, configured or analyzed (exit code 2 for the command). */
  failed: boolean;
  /** The parser could not be loaded: nothing was analyzed. */
  parserUnavailable: boolean;
}

/** `verb` names the command's work in error messages: "analyzing", "explaining". */
export async function analyzeSqlFiles(
  paths: readonly string[],
  options: { io: CliIo; configs: ProjectConfigs; pgVersionOverride: number | undefined; verb: string },
): Promise<AnalyzeFilesOutcome> {
  const { io, configs, pgVersionOverride, verb } = options;
  const collected = await collectSqlFiles([...paths], io.cwd);
  const outcome: AnalyzeFilesOutcome = { files: [], failed: collected.problems.length > 0, parserUnavailable: false };
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
      return { ...outcome, parserUnavailable: true };
    }
  }

  const contexts = new MigrationContexts({ memoizeFileSystem: true });
  const reportContextProblems = contextProblemReporter(collected.files, io);
  const toldConfigProblems = new Set<string>();
  for (const path of collected.files) {
    const displayPath = displayPathFor(path, io.cwd);
    const project = configs.configFor(path);
    if (project.problems.length > 0) {
      // An invalid configuration is a usage error: running with defaults would hide what the team configured.
      if (!toldConfigProblems.has(project.path ?? '')) io.err(`lockstep: ${describeConfigProblems(project)}\n`);
      toldConfigProblems.add(project.path ?? '');
      outcome.failed = true;
      continue;
    }
    let text: string;
    try {
      text = decodeUtf8(await readFile(path));
    } catch (error) {
      io.err(`lockstep: cannot read '${displayPath}': ${error instanceof NotUtf8Error ? error.message : describeFsError(error)}\n`);
      outcome.failed = true;
      continue;
    }
    try {
      const context = contexts.contextFor(path);
      reportContextProblems(context.problems);
      const analysisOptions = analysisOptionsFor(path, project, pgVersionOverride);
      const result = analyzeText(text, analysisOptions, context.base);
      outcome.files.push({ path, displayPath, options: analysisOptions, result, base: context.base });
    } catch (error) {
      io.err(
        `lockstep: internal error while ${verb} '${displayPath}': ${message(error)}. ` +
          'This is a bug in Lockstep; please open an issue and attach the file.\n',
      );
      if (process.env.LOCKSTEP_DEBUG && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
      outcome.failed = true;
    }
  }
  return outcome;
}

/**
 * Says once per file that an earlier migration could not be read, so the schema context of the files after it
 * is partial. Files on the command line already get their own "cannot read" line.
 */
export function contextProblemReporter(named: readonly string[], io: CliIo): (problems: readonly ContextProblem[]) => void {
  const told = new Set<string>(named);
  return (problems) => {
    for (const problem of problems) {
      if (told.has(problem.path)) continue;
      told.add(problem.path);
      io.err(
        `lockstep: note: cannot read earlier migration '${displayPathFor(problem.path, io.cwd)}': ${problem.reason}; ` +
          'the files after it are checked without its schema changes\n',
      );
    }
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
