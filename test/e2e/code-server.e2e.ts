// Lockstep in the real VS Code workbench: the packaged .vsix (`npm run package`) installed into code-server,
// the workbench driven in Debian's Chromium the way a person would use it, and what the screen shows checked
// against what the CLI and the server say about the same files. Screenshots go to test-artifacts/e2e/code-server/.
// One code-server and one browser serve every check; a new check (a quick fix, rehearsal) is one more `it`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodeServer, packagedVsix } from './code-server/code-server';
import { Workbench } from './code-server/workbench';
import { inlayHintsFromServer, labelText } from './support/server-oracle';
import {
  artifactsDir,
  createMigrationWorkspace,
  explainWithCli,
  lintWithCli,
  positionOf,
  UNICODE_MIGRATION,
  type CliFinding,
  type MigrationWorkspace,
} from './support/workspace';

const PG_VERSION = 17; // lockstep.pgVersion's default, which the test profile leaves alone
const INDEX_MIGRATION = '000002_index_orders_by_created_at.up.sql';
const INDEX_STATEMENT = 'CREATE INDEX orders_created_at_idx';

let workspace: MigrationWorkspace;
let artifacts: string;
let codeServer: CodeServer | undefined;
let workbench: Workbench | undefined;

beforeAll(async () => {
  const vsix = packagedVsix();
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
    for (const file of ['package.json', 'dist/client.js', 'dist/server.js', 'dist/libpg-query.wasm', 'docs/rules/create-index-nonconcurrent.md']) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
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
});
