// `lockstep lsp --stdio`: the same language server VS Code runs, for other editors (Neovim, Helix, Zed…).
import { applyServerHeapSettings } from '../../lsp/heap-settings';
import { startServer } from '../../lsp/server';
import { parseCommandArgs } from '../args';
import { ExitCode, UsageError } from '../errors';
import type { CliCommand } from './command';

export const lspCommand: CliCommand = {
  name: 'lsp',
  summary: 'run the language server over stdin/stdout (for editors other than VS Code)',
  help: `Usage: lockstep lsp --stdio

Runs the Lockstep language server, speaking LSP over stdin and stdout, until the
client sends exit. Settings go in initializationOptions:
  {"pgVersion": 17, "diagnosticsDelayMs": 200, "docsBaseUrl": "https://…/",
   "inlayHints": true}
Hover shows each statement's locks; inlay hints label the risky ones. A file in
a migrations folder is analyzed against the schema its earlier migrations
create (read from disk, or from the editor when open).

Options:
  --stdio      talk LSP over stdin/stdout (required: the only transport offered)
  -h, --help   show this help
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('lsp', args, {
      stdio: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      // Editors that launch servers generically pass their pid; the server reads it from process.argv.
      clientProcessId: { type: 'string' },
    });
    if (values.help) {
      io.out(this.help);
      return ExitCode.ok;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, 'lsp');
    if (!values.stdio) throw new UsageError('lsp needs --stdio (the only transport it offers)', 'lsp');
    applyServerHeapSettings();
    startServer({ input: process.stdin, output: process.stdout });
    return 'running';
  },
};
