// Dispatches `lockstep <command> …` and turns usage errors into one line on stderr plus exit code 2.
import packageJson from '../../../package.json';
import { commands } from './commands/index';
import { ExitCode, UsageError } from './errors';
import type { CliIo } from './io';

export const VERSION: string = packageJson.version;

export function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: lockstep <command> [options]

Lock-aware checks for PostgreSQL migrations.

Commands:
${lines.join('\n')}

Options:
  -h, --help     show this help (lockstep <command> --help for a command's options)
  -v, --version  print the version

Exit codes: 0 no finding at error severity, 1 at least one, 2 usage or I/O error.
`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number | 'running'> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined) {
      io.err(topLevelHelp());
      return ExitCode.usageOrIo;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      io.out(topLevelHelp());
      return ExitCode.ok;
    }
    if (first === '--version' || first === '-v') {
      io.out(`${VERSION}\n`);
      return ExitCode.ok;
    }
    const command = commands.find((c) => c.name === first);
    if (command === undefined) {
      const known = commands.map((c) => c.name).join(', ');
      throw new UsageError(
        first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}' (commands: ${known})`,
      );
    }
    return await command.run(rest, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const help = error.command ? `lockstep ${error.command} --help` : 'lockstep --help';
    io.err(`lockstep: ${error.message}\nRun '${help}' for usage.\n`);
    return ExitCode.usageOrIo;
  }
}
