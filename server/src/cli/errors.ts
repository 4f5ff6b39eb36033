/** Exit codes are a contract with CI scripts; keep them stable. */
export const ExitCode = {
  /** Nothing at error severity. */
  ok: 0,
  /** At least one finding at error severity. */
  findings: 1,
  /** Bad command line, unreadable input, or Lockstep itself failed. */
  usageOrIo: 2,
} as const;

/** A mistake on the command line: reported as one line plus a pointer to --help, never a stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Command whose help to point at, e.g. 'lint'; undefined for the top level. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Short, stack-free reason for a failed file-system call, e.g. "no such file". */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent of it is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
