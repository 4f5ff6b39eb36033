// Turns the paths given on the command line into the list of migration files to check.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeFsError } from './errors';

export interface SqlFileList {
  /** Absolute paths, in command-line order; each folder's files sorted so migrations run in name order. */
  files: string[];
  /** One line per path that could not be read, e.g. "cannot read 'x.sql': no such file". */
  problems: string[];
  /** Folders that held no .sql file: not an error (a new project), but worth a note. */
  emptyFolders: string[];
}

/**
 * Folders are searched recursively for `*.sql`, skipping node_modules and dot-folders (.git, .venv…).
 * A file named explicitly is checked whatever its extension: the user asked for it.
 */
export async function collectSqlFiles(paths: readonly string[], cwd: string): Promise<SqlFileList> {
  const result: SqlFileList = { files: [], problems: [], emptyFolders: [] };
  const seen = new Set<string>();
  const add = (file: string) => {
    if (!seen.has(file)) {
      seen.add(file);
      result.files.push(file);
    }
  };
  for (const given of paths) {
    const absolute = resolve(cwd, given);
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      result.problems.push(`cannot read '${given}': ${describeFsError(error)}`);
      continue;
    }
    if (!info.isDirectory()) {
      add(absolute);
      continue;
    }
    const found: string[] = [];
    await walk(absolute, given, found, result.problems, new Set());
    if (found.length === 0) result.emptyFolders.push(given);
    // Code-unit order, not locale order: the same on every machine, and what migration tools use.
    found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    found.forEach(add);
  }
  return result;
}

async function walk(
  dir: string,
  shownAs: string,
  found: string[],
  problems: string[],
  visited: Set<string>,
): Promise<void> {
  // Symbolic links to folders are followed, so remember real paths to stop on a cycle.
  let real: string;
  let entries;
  try {
    real = await realpath(dir);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    problems.push(`cannot read folder '${shownAs}': ${describeFsError(error)}`);
    return;
  }
  if (visited.has(real)) return;
  visited.add(real);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const childShownAs = join(shownAs, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(path);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      } catch (error) {
        // A dangling link to a .sql file is a migration we cannot check; anything else is not ours.
        if (isSqlName(entry.name)) problems.push(`cannot read '${childShownAs}': ${describeFsError(error)}`);
        continue;
      }
    }
    if (isDirectory) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      await walk(path, childShownAs, found, problems, visited);
    } else if (isFile && isSqlName(entry.name)) {
      found.push(path);
    }
  }
}

function isSqlName(name: string): boolean {
  return name.toLowerCase().endsWith('.sql');
}
