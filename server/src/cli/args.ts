// Thin wrapper over node:util parseArgs that turns its errors into usage errors for one command.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs messages are already precise ("Unknown option '--x'…"); only the stack must go.
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}
