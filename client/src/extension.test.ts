// The bundled client (dist/client.js) driven by a stand-in extension host (client/test/fake-extension-host.cjs)
// against the real bundled server (dist/server.js), both built by `npm test`. VS Code itself cannot be
// downloaded here, so this is what proves the client's wiring: transport, document selector,
// initializationOptions, restart, crash handling and clean shutdown.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(__dirname, '..', '..');
const distDir = join(repoRoot, 'dist');
const fakeHost = join(repoRoot, 'client', 'test', 'fake-extension-host.cjs');

interface HostEvent {
  event: string;
  level?: string;
  message?: string;
  uri?: string;
  diagnostics?: { code: { value: string; target: string } | string; message: string }[];
  serverProcessesLeft?: number[];
}

interface Scenario {
  settings?: Record<string, unknown>;
  documents: { path: string; languageId: string; text: string }[];
  steps: ({ wait: 'running' | 'diagnostics'; count?: number } | { command: string; times?: number } | { killServer: true })[];
}

let workDir: string;

beforeAll(() => {
  for (const file of ['client.js', 'server.js', 'libpg-query.wasm']) {
    if (!existsSync(join(distDir, file))) throw new Error(`${join(distDir, file)} is missing: run \`npm run build\` first`);
  }
  workDir = mkdtempSync(join(tmpdir(), 'lockstep-client-test-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * An extension root whose dist/ holds the real client and, unless replaced, the real server. Keeping it apart
 * from the repository makes its docs/rules/ URL differ from the server's own default, so a diagnostic link
 * under it proves the initializationOptions arrived.
 */
function extensionRoot(name: string, server: 'real' | 'missing' | { source: string }): string {
  const root = join(workDir, name);
  mkdirSync(join(root, 'dist'), { recursive: true });
  symlinkSync(join(distDir, 'client.js'), join(root, 'dist', 'client.js'));
  if (server === 'real') symlinkSync(join(distDir, 'server.js'), join(root, 'dist', 'server.js'));
  else if (server !== 'missing') writeFileSync(join(root, 'dist', 'server.js'), server.source);
  return root;
}

function runHost(root: string, scenario: Scenario): Promise<{ events: HostEvent[]; exitCode: number | null; stderr: string }> {
  const scenarioFile = join(root, 'scenario.json');
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  return new Promise((resolvePromise, reject) => {
    const host = spawn(process.execPath, [fakeHost, root, scenarioFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    host.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    host.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => host.kill('SIGKILL'), 30_000);
    host.on('error', reject);
    host.on('close', (exitCode) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as HostEvent);
      resolvePromise({ events, exitCode, stderr });
    });
  });
}

const outputLines = (events: HostEvent[]): string[] => events.filter((e) => e.event === 'output').map((e) => e.message ?? '');
const stateChanges = (events: HostEvent[]): string[] => outputLines(events).filter((m) => m.startsWith('Server ') && m.includes(' → '));
const notifications = (events: HostEvent[]): HostEvent[] => events.filter((e) => e.event === 'error-message');
const failure = (run: { events: HostEvent[]; stderr: string }): string =>
  `${run.events.map((e) => JSON.stringify(e)).join('\n')}\n${run.stderr}`;

const indexWithoutConcurrently = 'CREATE INDEX orders_customer_idx ON orders (customer_id);\n';

describe('VS Code client', () => {
  it('starts the server over IPC and analyzes SQL documents and .sql files under migrations/ only', async () => {
    const root = extensionRoot('real', 'real');
    const project = join(workDir, 'project');
    const migration = join(project, 'db', 'migrations', '001_orders.sql');
    const scratch = join(project, 'scratch.sql');
    const notes = join(project, 'notes.txt');
    const run = await runHost(root, {
      settings: { 'lockstep.diagnosticsDelayMs': 0 },
      documents: [
        // Another extension may own .sql files under its own language id; migration folders are still ours.
        { path: migration, languageId: 'postgres', text: indexWithoutConcurrently },
        { path: scratch, languageId: 'sql', text: indexWithoutConcurrently },
        { path: notes, languageId: 'plaintext', text: indexWithoutConcurrently },
      ],
      steps: [{ wait: 'running' }, { wait: 'diagnostics', count: 2 }],
    });
    expect(run.exitCode, failure(run)).toBe(0);

    const published = run.events.filter((e) => e.event === 'diagnostics' && (e.diagnostics?.length ?? 0) > 0);
    expect(new Set(published.map((e) => e.uri))).toEqual(new Set([pathToFileURL(migration).href, pathToFileURL(scratch).href]));
    expect(run.events.some((e) => e.uri === pathToFileURL(notes).href)).toBe(false);

    const code = published[0]!.diagnostics![0]!.code;
    expect(code).toEqual({
      value: 'create-index-nonconcurrent',
      target: `${pathToFileURL(join(root, 'docs', 'rules')).href}/create-index-nonconcurrent.md`,
    });
    expect(stateChanges(run.events).slice(0, 2)).toEqual(['Server stopped → starting', 'Server starting → running']);
    expect(notifications(run.events)).toEqual([]);
    expect(run.events.at(-1)).toEqual({ event: 'deactivated', serverProcessesLeft: [] });
  });

  it('passes lockstep.maxDocumentBytes to the server, which then analyzes a larger file only up to it', async () => {
    const root = extensionRoot('max-bytes', 'real');
    // 40 statements of ~60 bytes: about 2.4 kB, over the 1000-byte limit set here, far under the default.
    const text = indexWithoutConcurrently + Array.from({ length: 40 }, (_, k) => `ALTER TABLE orders ADD COLUMN note_${k} text;\n`).join('');
    const run = await runHost(root, {
      settings: { 'lockstep.diagnosticsDelayMs': 0, 'lockstep.maxDocumentBytes': 1000 },
      documents: [{ path: join(workDir, 'large.sql'), languageId: 'sql', text }],
      steps: [{ wait: 'running' }, { wait: 'diagnostics' }],
    });
    expect(run.exitCode, failure(run)).toBe(0);
    const diagnostics = run.events.filter((e) => e.event === 'diagnostics').flatMap((e) => e.diagnostics ?? []);
    const tooLarge = diagnostics.find((d) => (typeof d.code === 'string' ? d.code : d.code.value) === 'document-too-large');
    expect(tooLarge?.message, failure(run)).toContain('lockstep.maxDocumentBytes');
  });

  it('restarts the server on "Lockstep: Restart Server" and analyzes the open documents again', async () => {
    const root = extensionRoot('restart', 'real');
    const run = await runHost(root, {
      documents: [{ path: join(workDir, 'restart.sql'), languageId: 'sql', text: indexWithoutConcurrently }],
      steps: [
        { wait: 'running' },
        { wait: 'diagnostics' },
        { command: 'lockstep.restartServer' },
        { wait: 'running', count: 2 },
        { wait: 'diagnostics', count: 2 },
      ],
    });
    expect(run.exitCode, failure(run)).toBe(0);
    expect(stateChanges(run.events)).toEqual([
      'Server stopped → starting',
      'Server starting → running',
      'Server running → stopped',
      'Server stopped → starting',
      'Server starting → running',
      'Server running → stopped', // deactivate
    ]);
    expect(run.events.at(-1)).toEqual({ event: 'deactivated', serverProcessesLeft: [] });
  });

  it('runs two restarts requested at once one after the other, leaving one server', async () => {
    const root = extensionRoot('double-restart', 'real');
    const run = await runHost(root, {
      documents: [{ path: join(workDir, 'double.sql'), languageId: 'sql', text: indexWithoutConcurrently }],
      steps: [{ wait: 'running' }, { command: 'lockstep.restartServer', times: 2 }, { wait: 'running', count: 3 }],
    });
    expect(run.exitCode, failure(run)).toBe(0);
    expect(stateChanges(run.events).filter((m) => m.endsWith('→ running'))).toHaveLength(3);
    // A second client started beside the first would leave its server behind after deactivate.
    expect(run.events.at(-1)).toEqual({ event: 'deactivated', serverProcessesLeft: [] });
  });

  it('restarts a server that crashes after it has been running', async () => {
    const root = extensionRoot('crash', 'real');
    const run = await runHost(root, {
      documents: [{ path: join(workDir, 'crash.sql'), languageId: 'sql', text: indexWithoutConcurrently }],
      steps: [{ wait: 'running' }, { wait: 'diagnostics' }, { killServer: true }, { wait: 'running', count: 2 }, { wait: 'diagnostics', count: 2 }],
    });
    expect(run.exitCode, failure(run)).toBe(0);
    expect(outputLines(run.events)).toContain('Server process exited with signal SIGKILL.');
    // Restarted silently: the crash is in the output channel, not in a notification.
    expect(notifications(run.events)).toEqual([]);
    expect(run.events.at(-1)).toEqual({ event: 'deactivated', serverProcessesLeft: [] });
  });

  it('reports a server that dies during start-up once per attempt, with its stderr, and tries again on restart', async () => {
    const root = extensionRoot('broken', { source: "process.stderr.write('cannot load the analysis core\\n'); process.exit(3);\n" });
    const run = await runHost(root, {
      documents: [{ path: join(workDir, 'broken.sql'), languageId: 'sql', text: 'SELECT 1;\n' }],
      steps: [{ command: 'lockstep.restartServer' }],
    });
    expect(run.exitCode, failure(run)).toBe(0);
    const lines = outputLines(run.events);
    expect(lines.filter((m) => m === 'cannot load the analysis core')).toHaveLength(2);
    expect(lines.filter((m) => m === 'Server process exited with code 3.')).toHaveLength(2);
    expect(lines.filter((m) => m.startsWith('The server did not start:'))).toHaveLength(2);
    // Not restarted behind the user's back: exactly one start at activation and one per restart command.
    expect(stateChanges(run.events).filter((m) => m.endsWith('→ starting'))).toHaveLength(2);
    expect(notifications(run.events)).toHaveLength(2);
    expect(run.events.at(-1)).toEqual({ event: 'deactivated', serverProcessesLeft: [] });
  });

  it('says to build when dist/server.js is missing, without failing activation', async () => {
    const root = extensionRoot('unbuilt', 'missing');
    const run = await runHost(root, { documents: [], steps: [] });
    expect(run.exitCode, failure(run)).toBe(0);
    expect(run.events.map((e) => e.event)).toContain('activated');
    const [notification, ...others] = notifications(run.events);
    expect(others).toEqual([]);
    expect(notification?.message).toBe(`Lockstep: ${join(root, 'dist', 'server.js')} does not exist. Run \`npm run build\` in ${root}.`);
  });
});
