import type { CliIo } from '../io';

/**
 * A `lockstep <name>` subcommand. Adding one (explain, rehearse, fix…) is a new file in this folder plus a
 * line in ./index.ts; help and dispatch come from the registry.
 */
export interface CliCommand {
  name: string;
  /** One line for `lockstep --help`. */
  summary: string;
  /** Full text for `lockstep <name> --help`. */
  help: string;
  /**
   * Runs with the arguments after the command name. Resolves to the exit code, or to `'running'` when
   * the command keeps the process alive and ends it itself (the language server).
   */
  run(args: string[], io: CliIo): Promise<number | 'running'>;
}
