// Entry point bundled to dist/cli.js (bin/lockstep.js runs it).
import { ExitCode } from './errors';
import { processIo } from './io';
import { isLintWorker, runLintWorker } from './analyze-files';
import { runCli } from './run';

// `lockstep lint … | head` closes stdout early; that is the reader's choice, not a failure worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// The same bundle runs lint's worker threads (cli/analyze-files.ts): they analyze their share of files, no command.
if (isLintWorker()) {
  void runLintWorker();
} else {
  runCli(process.argv.slice(2), processIo).then(
    (code) => {
      // exitCode rather than exit(): stdout may be a pipe still draining a long report.
      if (code !== 'running') process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `lockstep: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` +
          'This is a bug in Lockstep; please open an issue with the command you ran.\n',
      );
      process.exitCode = ExitCode.usageOrIo;
    },
  );
}
