import type { CliCommand } from './command';
import { lintCommand } from './lint';
import { lspCommand } from './lsp';

/** Every `lockstep <command>`, in the order `lockstep --help` lists them. */
export const commands: readonly CliCommand[] = [lintCommand, lspCommand];
