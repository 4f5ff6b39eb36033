// Lockstep in a workspace VS Code does not trust (Restricted Mode): the extension declares
// `capabilities.untrustedWorkspaces: limited`, so analysis must work there and rehearsal — which runs the
// workspace's SQL on a database — must be refused with the reason. A code-server of its own, with workspace trust
// on (the main suite turns it off), on a folder nobody has trusted. Screenshots go to test-artifacts/e2e/code-server-restricted/.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodeServer, packagedVsix } from './code-server/code-server';
import { Workbench } from './code-server/workbench';
import { postgresProcesses } from './support/process-group';
import { artifactsDir, createMigrationWorkspace, lintWithCli, type MigrationWorkspace } from './support/workspace';

const PG_VERSION = 17;
const INDEX_MIGRATION = '000002_index_orders_by_created_at.up.sql';
/** Rewrites orders: the server puts a "— Rehearse" CodeLens above it. */
const REWRITE_MIGRATION = '000003_add_order_public_id.up.sql';
const REFUSAL = 'rehearsal is disabled in an untrusted workspace';

let workspace: MigrationWorkspace;
let codeServer: CodeServer | undefined;
let workbench: Workbench | undefined;

beforeAll(async () => {
  // The platform .vsix, which could start PostgreSQL on its own: that nothing starts is then worth checking.
  const artifacts = artifactsDir('code-server-restricted');
  workspace = createMigrationWorkspace('vscode-restricted');
  codeServer = await CodeServer.start(packagedVsix('linux-x64'), workspace.scratch, artifacts, { workspaceTrust: true });
  workbench = await Workbench.open(codeServer.folderUrl(workspace.root), artifacts);
});

afterAll(async () => {
  const failures: unknown[] = [];
  await workbench?.close().catch((error: unknown) => failures.push(error));
  await codeServer?.stop().catch((error: unknown) => failures.push(error));
  workspace?.dispose();
  if (failures.length > 0) throw failures[0];
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await workbench?.screenshot(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('VS Code (code-server) in Restricted Mode (untrusted workspace)', () => {
  it('opens the folder in Restricted Mode and still shows the analysis in the Problems panel', async () => {
    await workbench!.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor();
    const path = workspace.file(INDEX_MIGRATION);
    const findings = (lintWithCli([path], PG_VERSION).get(path) ?? []).filter((f) => f.rule === 'create-index-nonconcurrent');
    expect(findings).toHaveLength(1);
    await workbench!.openFile(INDEX_MIGRATION);
    const rows = await workbench!.problems(findings[0]!.rule);
    await workbench!.screenshot('restricted-problems');
    const position = `[Ln ${findings[0]!.range.start.line + 1}, Col ${findings[0]!.range.start.character + 1}]`;
    expect(rows.some((r) => r.text.includes(findings[0]!.rule) && r.text.includes(position)), JSON.stringify(rows)).toBe(true);
  });

  it('refuses to rehearse, says why, and starts no PostgreSQL', async () => {
    // The palette leaves out a command whose enablement (isWorkspaceTrusted) is false; the others are there.
    const listed = await workbench!.paletteEntries('Lockstep:');
    console.log(`e2e: in Restricted Mode the palette lists ${JSON.stringify(listed)} for "Lockstep:"`);
    expect(listed).toContain('Lockstep: Explain Locks in File');
    expect(listed).not.toContain('Lockstep: Rehearse Migration');
    expect(listed).not.toContain('Lockstep: Rehearse Statement at Cursor');

    // The server's CodeLens runs the command directly (no enablement check on that path): the extension refuses.
    await workbench!.openFile(REWRITE_MIGRATION);
    const lens = await workbench!.clickCodeLens('Rehearse');
    expect(lens).toContain('AccessExclusive');
    const refusal = await workbench!.notification(REFUSAL);
    expect(refusal).toContain('Trust the workspace to rehearse; analysis works either way');
    await workbench!.screenshot('restricted-rehearse-refused');
    // Nothing ran: no progress notification, no PostgreSQL in code-server's process group, no report.
    await workbench!.page.waitForTimeout(2_000);
    expect(await workbench!.page.locator('.notification-toast', { hasText: 'Lockstep: rehearsing' }).count()).toBe(0);
    expect(postgresProcesses(codeServer!.pgid)).toEqual([]);
    expect(await workbench!.page.locator('.tab', { hasText: 'Rehearsal:' }).count()).toBe(0);
  });
});
