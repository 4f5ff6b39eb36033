// Entry point bundled to dist/cli.js (bin/lockstep.js runs it).
import { ExitCode } from './errors';
import { processIo } from './io';
import { isLintWorker, runLintWorker } from './analyze-files';

// `lockstep lint … | head` closes stdout early; that is the reader's choice, not a failure worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// The same bundle runs lint's worker threads (cli/analyze-files.ts): they analyze their share of files, no command.
// The commands are imported only here, so a worker does not initialize what only commands use (the language
// server, the rehearsal's pg driver, whose load alone starts node's fetch implementation): ~40 ms per worker.
if (isLintWorker()) {
  void runLintWorker();
} else {
  import('./run').then(({ runCli }) => runCli(process.argv.slice(2), processIo)).then(
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
