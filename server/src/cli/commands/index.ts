import type { CliCommand } from './command';
import { explainCommand } from './explain';
import { fixCommand } from './fix';
import { lintCommand } from './lint';
import { lspCommand } from './lsp';
import { rehearseCommand } from './rehearse';
import { statsCommand } from './stats';

/** Every `lockstep <command>`, in the order `lockstep --help` lists them. */
export const commands: readonly CliCommand[] = [lintCommand, fixCommand, explainCommand, rehearseCommand, statsCommand, lspCommand];
