// Code actions: the fix engine's fixes (analysis/fixes) as LSP code actions — quick fixes per finding and per
// statement, "ignore" comments, a command that opens the rule's documentation, and source.fixAll.lockstep. The
// engine is pure; this file converts offsets to positions, fixes to WorkspaceEdits, and reads what the engine needs
// from disk: the sibling migrations new files are numbered against and, for sqitch, the project's sqitch.plan. Fixes
// a recipe refuses come back as disabled code actions that say why.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  type ClientCapabilities,
  type CodeAction,
  type CancellationToken,
  type CodeActionParams,
  type Connection,
  type CreateFile,
  type Diagnostic,
  type ServerCapabilities,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import {
  blockedFixesForFinding,
  blockedFixesForStatement,
  fixAllEdits,
  fixesForFinding,
  fixesForStatement,
  type BlockedFix,
  type Fix,
  type FixInput,
  type TextEdit as CoreTextEdit,
} from '../analysis/fixes';
import { ruleMeta } from '../analysis/rules';
import { TextIndex } from '../analysis/text/text-index';
import type { AnalysisOptions, Finding, Statement } from '../analysis/types';
import type { DocumentAnalysis } from './document-diagnostics';
import { DIAGNOSTIC_SOURCE } from './diagnostics';

/** `source.fixAll.lockstep`: the mechanical, always-safe fixes of a document, applied together. */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.lockstep`;

/** The command a "show documentation" code action runs; the server opens the page with window/showDocument. */
export const SHOW_RULE_DOCS_COMMAND = 'lockstep.showRuleDocumentation';

export interface CodeActionHost {
  /**
   * The analysis of an open document's current version, waited for (without blocking the server) while it runs;
   * undefined when the request was cancelled or the document cannot be analyzed.
   */
  analysis(uri: string, token?: CancellationToken): Promise<DocumentAnalysis | undefined>;
  /** The options the document was analyzed with (path, runner metadata, lockstep.json). */
  options(uri: string, pgVersion: number): AnalysisOptions;
  /** The file-system path of a file: URI. */
  filePath(uri: string): string | undefined;
  /** URL of a rule's documentation page. */
  docsUrl(rule: string): string;
  /** Migration files of the folder tree the document belongs to; default: read from disk. */
  siblings?(path: string): string[];
  /** sqitch: the project's sqitch.plan for a deploy script (an open document's text wins); default: read from disk. */
  sqitchPlan?(path: string): { path: string; text: string } | undefined;
  /** The version of an open document, for edits to files other than the one asked about; undefined: not open. */
  openVersion?(uri: string): number | undefined;
}

export interface CodeActionSupport {
  /** The client applies CreateFile operations in a WorkspaceEdit's documentChanges. */
  createFiles: boolean;
  /** The client understands WorkspaceEdit.documentChanges (versioned edits). */
  documentChanges: boolean;
  /**
   * The client shows code actions with `disabled: { reason }` (LSP 3.16). Without it a refused fix is left out: an
   * older client would list it as an action that does nothing.
   */
  disabled?: boolean;
}

export function codeActionSupport(capabilities: ClientCapabilities): CodeActionSupport {
  const edit = capabilities.workspace?.workspaceEdit;
  const documentChanges = edit?.documentChanges === true;
  return {
    documentChanges,
    createFiles: documentChanges && (edit?.resourceOperations ?? []).includes('create'),
    disabled: capabilities.textDocument?.codeAction?.disabledSupport === true,
  };
}

export const codeActionServerCapabilities: Pick<ServerCapabilities, 'codeActionProvider' | 'executeCommandProvider'> = {
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
  executeCommandProvider: { commands: [SHOW_RULE_DOCS_COMMAND] },
};

/** Whether the request's `only` filter lets actions of `kind` through (a filter of `a` admits `a.b`). */
function wanted(params: CodeActionParams, kind: string): boolean {
  const only = params.context.only;
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/**
 * The code actions for a request, given the document's analysis; pure apart from `host.siblings` and
 * `host.sqitchPlan` (the disk by default).
 */
export function codeActionsFor(
  params: CodeActionParams,
  analysis: DocumentAnalysis,
  host: Omit<CodeActionHost, 'analysis'>,
  support: CodeActionSupport,
): CodeAction[] {
  const uri = params.textDocument.uri;
  const input = fixInput(uri, analysis, host);
  const index = new TextIndex(analysis.text);
  const actions: CodeAction[] = [];

  if (wanted(params, FIX_ALL_KIND) && params.context.only?.length) {
    // Only on explicit request (editor.codeActionsOnSave, "Fix all"): never among the light-bulb quick fixes.
    const edits = fixAllEdits(input);
    if (edits.length > 0) {
      actions.push({
        title: 'Lockstep: apply all safe fixes',
        kind: FIX_ALL_KIND,
        edit: documentEdit(uri, analysis.version, edits.map((e) => toLsp(e, index)), support),
      });
    }
  }
  if (!wanted(params, CodeActionKind.QuickFix)) return actions;

  const start = index.offsetAt(params.range.start);
  const end = index.offsetAt(params.range.end);
  const seen = new Set<string>();
  const ownDiagnostics = params.context.diagnostics
    .filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string')
    .slice(0, MAX_FIXED_PER_REQUEST);
  const findings = ownDiagnostics.length > 0 ? findingsByPlace(analysis, index) : undefined;
  // Per diagnostic: the recipes that resolve its rule, "ignore" comments, the rule's documentation.
  for (const diagnostic of ownDiagnostics) {
    const finding = findings!.get(placeKey(String(diagnostic.code), index.offsetAt(diagnostic.range.start), index.offsetAt(diagnostic.range.end)));
    if (!finding) continue;
    for (const fix of fixesForFinding(input, finding)) {
      seen.add(`${fix.statement}\u0000${fix.recipe}`);
      actions.push(toCodeAction(fix, uri, analysis, index, support, [diagnostic], input, host.openVersion?.bind(host)));
    }
    if (support.disabled) {
      for (const blocked of blockedFixesForFinding(input, finding)) {
        seen.add(`${blocked.statement}\u0000${blocked.recipe}`);
        actions.push(toDisabledCodeAction(blocked, [diagnostic]));
      }
    }
    if (ruleMeta(finding.rule)) {
      actions.push({
        title: `Show documentation for ${finding.rule}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: `Show documentation for ${finding.rule}`, command: SHOW_RULE_DOCS_COMMAND, arguments: [finding.rule] },
      });
    }
  }
  // Statements under the cursor: recipes no diagnostic asked for (DROP INDEX, REINDEX, … have no rule yet).
  for (const statement of statementsInRange(analysis, start, end).slice(0, MAX_FIXED_PER_REQUEST)) {
    for (const fix of fixesForStatement(input, statement.index)) {
      const key = `${fix.statement}\u0000${fix.recipe}`;
      if (seen.has(key)) continue;
      seen.add(key);
      actions.push(toCodeAction(fix, uri, analysis, index, support, [], input, host.openVersion?.bind(host)));
    }
    if (!support.disabled) continue;
    for (const blocked of blockedFixesForStatement(input, statement.index)) {
      const key = `${blocked.statement}\u0000${blocked.recipe}`;
      if (seen.has(key)) continue;
      seen.add(key);
      actions.push(toDisabledCodeAction(blocked, []));
    }
  }
  return actions;
}

/** A fix a recipe refuses: listed, greyed out, with the reasons, so the user learns why there is no quick fix. */
function toDisabledCodeAction(blocked: BlockedFix, diagnostics: Diagnostic[]): CodeAction {
  return {
    title: blocked.title,
    kind: CodeActionKind.QuickFix,
    ...(diagnostics.length > 0 ? { diagnostics } : {}),
    disabled: { reason: disabledReason(blocked) },
  };
}

/** The reasons as one line per blocking object, led by what cannot be done (the editor shows only this text). */
export function disabledReason(blocked: BlockedFix): string {
  return blocked.reasons.length === 0 ? 'Lockstep cannot do this safely here.' : blocked.reasons.join('\n');
}

function fixInput(uri: string, analysis: DocumentAnalysis, host: Omit<CodeActionHost, 'analysis'>): FixInput {
  const path = host.filePath(uri);
  const options = host.options(uri, analysis.pgVersion);
  const sqitchPlan = path !== undefined ? (host.sqitchPlan ?? sqitchPlanFor)(path) : undefined;
  return {
    text: analysis.text,
    analysis: analysis.result,
    options,
    ...(analysis.context?.base ? { base: analysis.context.base } : {}),
    ...(path !== undefined ? { path, siblings: (host.siblings ?? migrationSiblings)(path) } : {}),
    ...(sqitchPlan ? { sqitchPlan } : {}),
  };
}

/**
 * sqitch: the sqitch.plan of the project a deploy/revert/verify script belongs to — the nearest such ancestor folder
 * whose parent holds a sqitch.plan, as the schema context finds it (cli/migration-context.ts). Undefined for other
 * files, or when the plan cannot be read (the fix then explains that it needs the plan). `openText`: the editor's
 * unsaved text of a file open in it, which wins over the disk (the fix edits what the user sees).
 */
export function sqitchPlanFor(path: string, openText?: (path: string) => string | undefined): { path: string; text: string } | undefined {
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    const kind = basename(dir);
    if (kind !== 'deploy' && kind !== 'revert' && kind !== 'verify') continue;
    const planPath = join(dirname(dir), 'sqitch.plan');
    const open = openText?.(planPath);
    // As the editor holds it: the fix's edits are offsets into this text.
    if (open !== undefined) return { path: planPath, text: open };
    try {
      // The BOM is dropped as for migrations, so offsets match what an editor shows.
      return { path: planPath, text: readFileSync(planPath, 'utf8').replace(/^\uFEFF/, '') };
    } catch {
      // No plan here: a `deploy/` folder of something else; keep looking further up.
    }
  }
  return undefined;
}

/** The finding a diagnostic was published for: same rule, same range. */
/**
 * A cap on the diagnostics, and on the statements under the range, a code-action request computes fixes
 * for: a selection over a whole generated file (20,000 statements) asked for thousands of phased fixes, each built
 * in full, and held the server for seconds. The light bulb shows a handful anyway; the first 50 (in file order) are
 * those nearest the start of the selection, and a narrower selection reaches the others.
 */
export const MAX_FIXED_PER_REQUEST = 50;

function placeKey(rule: string, start: number, end: number): string {
  return `${rule}\u0000${start}\u0000${end}`;
}

/** The findings by rule and place, so each diagnostic of a request finds its own without a scan of them all. */
function findingsByPlace(analysis: DocumentAnalysis, index: TextIndex): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const f of analysis.result.findings) {
    const key = placeKey(f.rule, index.offsetAt(f.range.start), index.offsetAt(f.range.end));
    // The first finding at a place wins, as a search in file order would have it.
    if (!out.has(key)) out.set(key, f);
  }
  return out;
}

/** The statements overlapping [start, end], in file order (statements are sorted: binary search for the first). */
function statementsInRange(analysis: DocumentAnalysis, start: number, end: number): Statement[] {
  const statements = analysis.result.statements;
  let lo = 0;
  let hi = statements.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (statements[mid]!.end < start) lo = mid + 1;
    else hi = mid;
  }
  const out: Statement[] = [];
  for (let i = lo; i < statements.length && statements[i]!.start <= end; i++) {
    if (statements[i]!.end >= start) out.push(statements[i]!);
    if (out.length >= MAX_FIXED_PER_REQUEST) break;
  }
  return out;
}

function toLsp(edit: CoreTextEdit, index: TextIndex): TextEdit {
  return { range: index.rangeOf(edit.start, edit.end), newText: edit.newText };
}

function documentEdit(uri: string, version: number, edits: TextEdit[], support: CodeActionSupport): WorkspaceEdit {
  return support.documentChanges
    ? { documentChanges: [{ textDocument: { uri, version }, edits }] }
    : { changes: { [uri]: edits } };
}

/**
 * A fix as a code action. With files to create and a client that can: documentChanges = the document's edits,
 * then per new file a CreateFile and a TextDocumentEdit inserting its text, then the edits to other existing files
 * (sqitch.plan), versioned when the file is open in the editor. Otherwise the fix's fallback: the phases inserted as
 * commented text, and the title says so.
 */
export function toCodeAction(
  fix: Fix,
  uri: string,
  analysis: DocumentAnalysis,
  index: TextIndex,
  support: CodeActionSupport,
  diagnostics: Diagnostic[],
  input?: Pick<FixInput, 'sqitchPlan'>,
  openVersion?: (uri: string) => number | undefined,
): CodeAction {
  const createsFiles = fix.files.length > 0;
  const asComments = createsFiles && !support.createFiles;
  const edits = (asComments ? fix.fallbackEdits : fix.edits).map((e) => toLsp(e, index));
  let edit: WorkspaceEdit;
  if (createsFiles && support.createFiles) {
    const changes: Array<TextDocumentEdit | CreateFile> = [{ textDocument: { uri, version: analysis.version }, edits }];
    for (const file of fix.files) {
      const fileUri = pathToFileURL(file.path).href;
      changes.push({ kind: 'create', uri: fileUri, options: { overwrite: false, ignoreIfExists: false } });
      changes.push({
        textDocument: { uri: fileUri, version: null },
        edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: file.text }],
      });
    }
    for (const other of fix.fileEdits ?? []) {
      const text = textOfEditedFile(other.path, input);
      const otherIndex = new TextIndex(text);
      const otherUri = pathToFileURL(other.path).href;
      changes.push({
        // Open in the editor: its version, so the client refuses the edit if the buffer changed since the plan was
        // read. Otherwise null: the edit applies to the file as it is on disk.
        textDocument: { uri: otherUri, version: openVersion?.(otherUri) ?? null },
        edits: other.edits.map((e) => toLsp(e, otherIndex)),
      });
    }
    edit = { documentChanges: changes };
  } else {
    edit = documentEdit(uri, analysis.version, edits, support);
  }
  const title = asComments ? `${fix.title} (phases as comments: this editor cannot create files)` : fix.title;
  return {
    title,
    kind: CodeActionKind.QuickFix,
    ...(diagnostics.length > 0 ? { diagnostics } : {}),
    ...(fix.preferred ? { isPreferred: true } : {}),
    edit,
  };
}

/**
 * The text a fix's `fileEdits` offsets refer to: the sqitch.plan the engine was given, else the file on disk. The
 * engine only edits files it was given, so a mismatch is a bug; reading the disk keeps positions right anyway.
 */
function textOfEditedFile(path: string, input: Pick<FixInput, 'sqitchPlan'> | undefined): string {
  if (input?.sqitchPlan?.path === path) return input.sqitchPlan.text;
  try {
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new Error(`the fix edits ${path}, which cannot be read: ${describe(error)}`);
  }
}

/**
 * The migration files of the folder tree `path` belongs to: its folder's .sql files, or, for one-folder-per-version
 * layouts (diesel `…/up.sql`, Prisma `…/migration.sql`), the files of its sibling folders.
 */
export function migrationSiblings(path: string): string[] {
  const name = basename(path);
  const perVersion = name === 'up.sql' || name === 'down.sql' || name === 'migration.sql';
  const root = perVersion ? dirname(dirname(path)) : dirname(path);
  try {
    if (!perVersion) return readdirSync(root).filter((n) => n.toLowerCase().endsWith('.sql')).map((n) => join(root, n));
    return readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .flatMap((d) => {
        try {
          return readdirSync(join(root, d.name)).filter((n) => /^(up|down|migration)\.sql$/.test(n)).map((n) => join(root, d.name, n));
        } catch {
          return [];
        }
      });
  } catch {
    // An unreadable folder: versions are then chosen without knowing the later migrations, which the fix's header
    // still tells the user to check; the document itself is known.
    return [path];
  }
}

/** Wires textDocument/codeAction and the documentation command to the connection. */
export function listenForCodeActions(connection: Connection, host: CodeActionHost, support: () => CodeActionSupport): void {
  connection.onCodeAction(async (params, token) => {
    try {
      // Waits for the current version's analysis: the diagnostics the client sends are that version's.
      const analysis = await host.analysis(params.textDocument.uri, token);
      return analysis ? codeActionsFor(params, analysis, host, support()) : [];
    } catch (error) {
      connection.console.error(`Lockstep: could not compute code actions for ${params.textDocument.uri}: ${describe(error)}`);
      return [];
    }
  });
  connection.onExecuteCommand(async ({ command, arguments: args }) => {
    if (command !== SHOW_RULE_DOCS_COMMAND) return;
    const rule = typeof args?.[0] === 'string' ? args[0] : undefined;
    if (!rule) return;
    const uri = host.docsUrl(rule);
    try {
      await connection.window.showDocument({ uri, external: !uri.startsWith('file:') });
    } catch (error) {
      connection.console.error(`Lockstep: could not open the documentation of ${rule} (${uri}): ${describe(error)}`);
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
