// Runs headless Neovim with driver.lua against the built `lockstep lsp --stdio` and returns what Neovim saw.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeExit, GroupProcess, groupMembers } from '../support/process-group';
import { repoRoot, type Position } from '../support/workspace';

const driver = fileURLToPath(new URL('./driver.lua', import.meta.url));

export interface NeovimRequest {
  method: string;
  /** Absolute path of an opened file. */
  file: string;
  /** LSP position (0-based line, UTF-16 character), for position requests such as hover. */
  position?: Position;
  /** LSP range, for range requests such as inlay hints. */
  range?: { start: Position; end: Position };
}

export interface NeovimSpec {
  files: string[];
  rootDir: string;
  initOptions: Record<string, unknown>;
  requests?: NeovimRequest[];
  /** After the requests: ask for the code actions of the `rule` diagnostic in `file`, apply the preferred one, :wall. */
  fixes?: Array<{ file: string; rule: string }>;
  timeoutMs?: number;
}

/** A diagnostic as vim.diagnostic.get() holds it: 0-based lines, BYTE columns (converted from UTF-16 by Neovim). */
export interface NeovimDiagnostic {
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  severity: number;
  message: string;
  source?: string;
  code?: string | number;
  codeDescription?: { href: string };
}

export interface NeovimResult {
  nvimVersion: string;
  serverCapabilities: Record<string, unknown>;
  diagnostics: Record<string, NeovimDiagnostic[]>;
  publishCounts: Record<string, number>;
  requests: { method: string; file: string; position?: Position; range?: NeovimRequest['range']; result: unknown; error: unknown }[];
  /** One per spec.fixes entry: the title of the code action Neovim applied. */
  fixes?: Array<{ file: string; rule: string; title: string }>;
  serverExit: { code: number; signal: number };
  error?: string;
}

/** Fails with what to do when Neovim is not installed, instead of a spawn ENOENT. */
export function neovimVersion(): string {
  try {
    return execFileSync('nvim', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  } catch (error) {
    throw new Error(`nvim is not runnable (${(error as Error).message}); run \`bash scripts/install-e2e.sh\` (Debian's neovim, 0.7+)`);
  }
}

/**
 * Runs one Neovim session in `workDir`. Neovim's state, cache (lsp.log) and config go to workDir too, so nothing
 * is read from or written to the user's own. Kills Neovim's process group, language server included, after the
 * spec's timeout plus a margin, and fails if anything of it is still running afterwards.
 */
export async function runNeovim(spec: NeovimSpec, workDir: string, artifactsDir: string): Promise<NeovimResult> {
  const timeoutMs = spec.timeoutMs ?? 30_000;
  const specFile = join(workDir, 'spec.json');
  const output = join(workDir, 'result.json');
  mkdirSync(workDir, { recursive: true });
  writeFileSync(
    specFile,
    JSON.stringify({
      cmd: [process.execPath, join(repoRoot, 'bin', 'lockstep.js'), 'lsp', '--stdio'],
      rootDir: spec.rootDir,
      initOptions: spec.initOptions,
      files: spec.files,
      requests: spec.requests ?? [],
      fixes: spec.fixes ?? [],
      timeoutMs,
      output,
    }),
  );
  const xdg = (name: string) => join(workDir, 'xdg', name);
  const nvim = GroupProcess.start('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${driver}`], {
    cwd: spec.rootDir,
    env: {
      ...process.env,
      LOCKSTEP_E2E_SPEC: specFile,
      XDG_CONFIG_HOME: xdg('config'),
      XDG_DATA_HOME: xdg('data'),
      XDG_STATE_HOME: xdg('state'),
      XDG_CACHE_HOME: xdg('cache'),
    },
    logFile: join(artifactsDir, 'nvim.log'),
  });
  let status;
  try {
    status = await nvim.waitForExit(timeoutMs + 10_000);
  } finally {
    // Neovim has quit (or was killed); its language server must be gone with it.
    const left = groupMembers(nvim.pid);
    await nvim.stop();
    if (left.length > 0) throw new Error(`processes of Neovim's group were still running after it quit: ${left.join(', ')}`);
  }
  if (!existsSync(output)) {
    throw new Error(`Neovim (${describeExit(status)}) wrote no result to ${output}. Its output:\n${nvim.output}`);
  }
  const result = JSON.parse(readFileSync(output, 'utf8')) as NeovimResult;
  writeFileSync(join(artifactsDir, 'nvim-result.json'), JSON.stringify(result, null, 2));
  if (result.error !== undefined) {
    const lspLog = join(workDir, 'xdg', 'cache', 'nvim', 'lsp.log');
    const log = existsSync(lspLog) ? readFileSync(lspLog, 'utf8') : '(no lsp.log)';
    throw new Error(`the Neovim driver failed: ${result.error}\nNeovim's output:\n${nvim.output}\nlsp.log:\n${log}`);
  }
  if (status.code !== 0) throw new Error(`Neovim exited with ${describeExit(status)}. Its output:\n${nvim.output}`);
  return result;
}
