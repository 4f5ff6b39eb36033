// code-server (VS Code's workbench served to a browser) with the packaged Lockstep .vsix installed, in a
// throw-away user-data and extensions directory, listening on 127.0.0.1 only. scripts/install-e2e.sh installs it.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeExit, GroupProcess } from '../support/process-group';
import { repoRoot } from '../support/workspace';

const INSTALL_HINT = 'run `bash scripts/install-e2e.sh` (docs/e2e.md)';

/** code-server's entry point in the cache scripts/install-e2e.sh fills; fails with what to do when it is not there. */
export function codeServerEntry(): { entry: string; version: string } {
  const version = (JSON.parse(readFileSync(join(repoRoot, 'test', 'e2e', 'versions.json'), 'utf8')) as { codeServer: string }).codeServer;
  const cacheRoot = process.env.LOCKSTEP_E2E_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lockstep-e2e');
  const installDir = join(cacheRoot, `code-server-${version}`);
  const marker = join(installDir, '.lockstep-e2e-ready');
  if (!existsSync(marker)) throw new Error(`code-server ${version} is not installed in ${installDir}: ${INSTALL_HINT}`);
  const stamp = readFileSync(marker, 'utf8').trim();
  const expected = `code-server ${version} node-abi ${process.versions.modules}`;
  if (stamp !== expected) throw new Error(`${installDir} was built for "${stamp}", this is "${expected}": ${INSTALL_HINT}`);
  return { entry: join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'), version };
}

/**
 * The .vsix `npm run package` made (or, with a target, `npm run package:<target>`: the one carrying that platform's
 * PostgreSQL), refusing one older than the bundles in dist/ (it would test stale code).
 */
export function packagedVsix(target?: string): string {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const vsix = join(repoRoot, target === undefined ? `lockstep-${version}.vsix` : `lockstep-${target}-${version}.vsix`);
  const script = target === undefined ? 'npm run package' : `npm run package:${target}`;
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`${script}\` (\`npm run test:e2e\` does)`);
  for (const bundle of ['client.js', 'server.js']) {
    const built = join(repoRoot, 'dist', bundle);
    if (existsSync(built) && statSync(built).mtimeMs > statSync(vsix).mtimeMs + 1000) {
      throw new Error(`${vsix} is older than ${built}: run \`${script}\` again (\`npm run test:e2e\` does)`);
    }
  }
  return vsix;
}

/**
 * User settings for the test profile: nothing that opens on its own (welcome page, tips, walkthroughs,
 * notifications about updates or telemetry) may cover the editor or steal the keyboard focus.
 */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  // Lockstep: diagnostics right away, so the test waits for analysis rather than for a debounce.
  'lockstep.diagnosticsDelayMs': 0,
  // Lockstep: a rehearsal of a few thousand rows, one run per size, so the rehearsal check takes seconds.
  'lockstep.rehearsal.sizes': [1000, 3000],
  'lockstep.rehearsal.rows': { orders: 1_000_000 },
  'lockstep.rehearsal.repeat': 1,
};

/**
 * With workspace trust on, a folder nobody trusted yet opens in Restricted Mode; `startupPrompt: never` opens it
 * there without the modal "Do you trust the authors…?" dialog, which would otherwise cover the workbench.
 */
const TRUST_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'always',
};

export interface CodeServerOptions {
  /** Workspace trust on (folders open in Restricted Mode) instead of off (every folder trusted). */
  workspaceTrust?: boolean;
  /** An extensions folder another instance already installed the .vsix into: no second install. */
  extensionsDir?: string;
}

export class CodeServer {
  private constructor(
    private readonly server: GroupProcess,
    readonly url: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
  ) {}

  /** Installs `vsix` into a fresh extensions directory under `runDir`, then starts code-server on 127.0.0.1. */
  static async start(vsix: string, runDir: string, artifacts: string, options: CodeServerOptions = {}): Promise<CodeServer> {
    const { entry } = codeServerEntry();
    const userDataDir = join(runDir, 'user-data');
    const extensionsDir = options.extensionsDir ?? join(runDir, 'extensions');
    const configFile = join(runDir, 'config.yaml');
    const settings = options.workspaceTrust === true ? { ...USER_SETTINGS, ...TRUST_SETTINGS } : USER_SETTINGS;
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(extensionsDir, { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    // An explicit config file: without one code-server writes ~/.config/code-server/config.yaml. Port 0: any free one.
    writeFileSync(configFile, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
    const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

    if (options.extensionsDir === undefined) {
      const install = GroupProcess.start(process.execPath, [entry, ...common, '--install-extension', vsix], {
        logFile: join(artifacts, 'code-server-install.log'),
      });
      const installed = await install.waitForExit(60_000);
      await install.stop();
      if (installed.code !== 0 || !/was successfully installed/.test(install.output)) {
        throw new Error(`code-server --install-extension ${vsix} failed (${describeExit(installed)}):\n${install.output}`);
      }
    }

    const server = GroupProcess.start(
      process.execPath,
      [
        entry,
        ...common,
        '--disable-telemetry',
        '--disable-update-check',
        ...(options.workspaceTrust === true ? [] : ['--disable-workspace-trust']),
        '--disable-getting-started-override',
      ],
      { logFile: join(artifacts, options.workspaceTrust === true ? 'code-server-trust.log' : 'code-server.log') },
    );
    try {
      const [, url] = await server.waitForOutput(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//, 30_000);
      return new CodeServer(server, url!, userDataDir, extensionsDir);
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  /** Process group of code-server and of everything it started: the extension host, the Lockstep server, its PostgreSQL. */
  get pgid(): number {
    return this.server.pid;
  }

  get output(): string {
    return this.server.output;
  }

  /** The workbench URL opening `folder`. */
  folderUrl(folder: string): string {
    return `${this.url}/?folder=${encodeURIComponent(folder)}`;
  }

  /** Stops code-server and everything it started (extension host, the Lockstep server it forked, watchers). */
  stop(): Promise<void> {
    return this.server.stop();
  }
}
