// Lockstep in a real Neovim (0.7+, headless): Neovim's built-in LSP client starts `lockstep lsp --stdio` the way
// the README tells users to, opens a migration folder, and what Neovim ends up holding is checked against the
// CLI's own findings and lock report for the same files. One Neovim session serves every check below; a new
// check (code actions, …) adds a request to `requests` and an `it`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neovimVersion, runNeovim, type NeovimDiagnostic, type NeovimResult } from './neovim/neovim';
import { preferredFixFromServer, type FixOutcome } from './support/server-oracle';
import {
  artifactsDir,
  byteColumn,
  createMigrationWorkspace,
  explainWithCli,
  lintWithCli,
  positionOf,
  UNICODE_MIGRATION,
  type CliFinding,
  type MigrationWorkspace,
} from './support/workspace';

/** vim.diagnostic.severity: ERROR 1, WARN 2, INFO 3, HINT 4 (LSP's DiagnosticSeverity numbering). */
const NVIM_SEVERITY: Record<string, number> = { error: 1, warning: 2, info: 3, hint: 4 };

const INDEX_MIGRATION = '000002_index_orders_by_created_at.up.sql';
const INDEX_STATEMENT = 'CREATE INDEX orders_created_at_idx';
const PG_VERSION = 17;
/** ADD FOREIGN KEY without NOT VALID: its phased fix adds the key NOT VALID, then validates it separately. */
const FK_MIGRATION = '000005_add_orders_billing_customer_fk.up.sql';
const FK_RULE = 'fk-without-not-valid';

let workspace: MigrationWorkspace;
let files: string[];
let result: NeovimResult;
let hoverPosition: { line: number; character: number };
/** `lockstep lint` on the files as Neovim opened them (the fix below changes them). */
let lintBefore: ReturnType<typeof lintWithCli>;
/** The server's preferred fix and the files it produces, asked before Neovim applies it. */
let expectedFix: FixOutcome;

beforeAll(async () => {
  neovimVersion();
  workspace = createMigrationWorkspace('nvim');
  const artifacts = artifactsDir('neovim');
  files = readdirSync(workspace.migrations)
    .filter((name) => name.endsWith('.sql'))
    .map((name) => workspace.file(name))
    .sort();
  // The cursor inside the statement, not on its first character: hover covers the whole statement.
  const start = positionOf(readFileSync(workspace.file(INDEX_MIGRATION), 'utf8'), INDEX_STATEMENT);
  hoverPosition = { line: start.line, character: start.character + 'CREATE INDEX '.length };
  lintBefore = lintWithCli(files, PG_VERSION);
  expectedFix = await preferredFixFromServer(workspace.file(FK_MIGRATION), FK_RULE, PG_VERSION);
  result = await runNeovim(
    {
      rootDir: workspace.root,
      files,
      initOptions: { diagnosticsDelayMs: 0, pgVersion: PG_VERSION },
      requests: [{ method: 'textDocument/hover', file: workspace.file(INDEX_MIGRATION), position: hoverPosition }],
      fixes: [{ file: workspace.file(FK_MIGRATION), rule: FK_RULE }],
    },
    workspace.scratch,
    artifacts,
  );
});

afterAll(() => workspace?.dispose());

/** A finding as Neovim must show it: byte columns, Neovim's severity numbers. */
function expectedInNeovim(path: string, finding: CliFinding) {
  const text = readFileSync(path, 'utf8');
  return {
    code: finding.rule,
    source: 'lockstep',
    severity: NVIM_SEVERITY[finding.severity],
    lnum: finding.range.start.line,
    col: byteColumn(text, finding.range.start),
    end_lnum: finding.range.end.line,
    end_col: byteColumn(text, finding.range.end),
    message: finding.message,
  };
}

function shown(diagnostic: NeovimDiagnostic) {
  const { code, source, severity, lnum, col, end_lnum, end_col, message } = diagnostic;
  return { code, source, severity, lnum, col, end_lnum, end_col, message };
}

function byPlace<T extends { lnum: number; col: number; code?: string | number; message: string }>(list: T[]): T[] {
  const key = (d: T) => [String(d.lnum).padStart(8, '0'), String(d.col).padStart(8, '0'), String(d.code), d.message].join('\u0000');
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('Neovim (vim.lsp) with lockstep lsp --stdio', () => {
  it('runs a real Neovim 0.7 or later', () => {
    const [major, minor] = result.nvimVersion.split('.').map(Number);
    expect(major! > 0 || minor! >= 7, `Neovim ${result.nvimVersion}`).toBe(true);
  });

  it('analyzes every opened migration and shows exactly what `lockstep lint` reports', () => {
    const cli = lintBefore;
    expect(Object.keys(result.diagnostics).sort()).toEqual(files);
    let findings = 0;
    for (const path of files) {
      const expected = (cli.get(path) ?? []).map((f) => expectedInNeovim(path, f));
      findings += expected.length;
      // The same set; the order of findings on one position is not part of either contract.
      expect(byPlace(result.diagnostics[path]!.map(shown)), path).toEqual(byPlace(expected));
    }
    // The fixture is chosen to be risky: a run in which nothing is found proves nothing.
    expect(findings).toBeGreaterThanOrEqual(3);
  });

  it('puts a diagnostic after non-ASCII text at the right byte column (UTF-16 from the server, bytes in Neovim)', () => {
    const path = workspace.file(UNICODE_MIGRATION.name);
    const start = positionOf(UNICODE_MIGRATION.text, 'CREATE INDEX');
    const expectedColumn = byteColumn(UNICODE_MIGRATION.text, start);
    expect(expectedColumn).toBeGreaterThan(start.character); // the fixture really has multi-byte characters first
    const diagnostic = result.diagnostics[path]!.find((d) => d.code === 'create-index-nonconcurrent');
    expect(diagnostic, JSON.stringify(result.diagnostics[path])).toMatchObject({ lnum: start.line, col: expectedColumn, source: 'lockstep' });
  });

  it("links each rule's diagnostic to its documentation page, which exists", () => {
    const linked = Object.values(result.diagnostics).flat();
    expect(linked.length).toBeGreaterThan(0);
    for (const diagnostic of linked) {
      const href = diagnostic.codeDescription?.href;
      expect(href, `${diagnostic.code}`).toMatch(new RegExp(`/docs/rules/${diagnostic.code}\\.md$`));
      expect(existsSync(fileURLToPath(href!)), href).toBe(true);
    }
  });

  it('shows, on hover over a statement, the locks `lockstep explain` reports for it', (context) => {
    if (result.serverCapabilities.hoverProvider === undefined || result.serverCapabilities.hoverProvider === false) {
      context.skip('the server does not advertise hoverProvider');
    }
    const statement = explainWithCli(workspace.file(INDEX_MIGRATION), PG_VERSION).find((s) => s.text.startsWith(INDEX_STATEMENT));
    expect(statement, 'lockstep explain lists the CREATE INDEX statement').toBeDefined();
    const tableLocks = statement!.locks.filter((lock) => lock.kind === 'table');
    expect(tableLocks.length).toBeGreaterThan(0);
    const hover = result.requests.find((r) => r.method === 'textDocument/hover')!;
    expect(hover.error).toBeNull();
    const contents = (hover.result as { contents?: { value?: string } } | null)?.contents?.value;
    expect(contents, JSON.stringify(hover.result)).toBeTypeOf('string');
    for (const lock of tableLocks) expect(contents).toContain(lock.mode);
  });

  it('applies the phased fix through Neovim\'s own client: the file and the created migration are what the server\'s edit gives', () => {
    expect(result.fixes).toEqual([{ file: workspace.file(FK_MIGRATION), rule: FK_RULE, title: expectedFix.title }]);
    // Every file the edit touches or creates (in this folder, with later migrations after it, the phases stay in
    // the file: NOT VALID, then VALIDATE in its own transaction).
    for (const [file, content] of expectedFix.files) {
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8'), file).toBe(content);
    }
    const fixed = readFileSync(workspace.file(FK_MIGRATION), 'utf8');
    expect(fixed).toContain('NOT VALID');
    expect(fixed).toContain('VALIDATE CONSTRAINT orders_billing_customer_id_fkey');
  });

  it('shuts the server down cleanly when Neovim quits (shutdown, exit, exit code 0)', () => {
    expect(result.serverExit).toEqual({ code: 0, signal: 0 });
  });
});
