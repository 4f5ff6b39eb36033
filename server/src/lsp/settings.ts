// Settings the server accepts from its client: initializationOptions at start-up, then `lockstep.*`
// workspace settings. Everything arrives as untyped JSON, so every value is checked here, once.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_PG_VERSION, MAX_PG_VERSION, MIN_PG_VERSION } from '../analysis/types';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './document-limit';

export { MAX_PG_VERSION, MIN_PG_VERSION };

export const DEFAULT_DIAGNOSTICS_DELAY_MS = 200;

export interface ServerSettings {
  pgVersion: number;
  /** Debounce between an edit and its analysis; 0 analyzes synchronously on every change. */
  diagnosticsDelayMs: number;
  /** Prefix of rule documentation links; `${docsBaseUrl}${ruleId}.md`. Ends with '/'. */
  docsBaseUrl: string;
  /** Larger documents are analyzed only up to this many UTF-8 bytes (whole statements), see document-limit.ts. */
  maxDocumentBytes: number;
  /** Lock labels at the end of risky statements (textDocument/inlayHint); `lockstep.inlayHints.enabled`. */
  inlayHints: boolean;
}

/**
 * Whether inlay hints are on: `true`/`false`, or `{ enabled: boolean }` — the shape VS Code gives for the
 * `lockstep.inlayHints.enabled` setting, so both initializationOptions spellings work.
 */
export function parseInlayHints(value: unknown): { ok: true; value: boolean } | { ok: false; error: string } {
  if (typeof value === 'boolean') return { ok: true, value };
  const enabled = (value as { enabled?: unknown } | null)?.enabled;
  if (typeof value === 'object' && value !== null && typeof enabled === 'boolean') return { ok: true, value: enabled };
  return { ok: false, error: `expected true, false or { "enabled": true|false }, got ${JSON.stringify(value)}` };
}

/** Returns the limit, or why `value` is not one: a whole number of bytes, at least 1 KB. */
export function parseMaxDocumentBytes(value: unknown): { ok: true; value: number } | { ok: false; error: string } {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1000) return { ok: true, value };
  return { ok: false, error: `expected a whole number of bytes ≥ 1000, got ${JSON.stringify(value)}` };
}

/** Returns the major version, or an explanation of why `value` is not one we support. */
export function parsePgVersion(value: unknown): { ok: true; value: number } | { ok: false; error: string } {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    return { ok: false, error: `expected a PostgreSQL major version number (${MIN_PG_VERSION}–${MAX_PG_VERSION}), got ${JSON.stringify(value)}` };
  }
  if (n < MIN_PG_VERSION || n > MAX_PG_VERSION) {
    return { ok: false, error: `PostgreSQL ${n} is not supported; use a major version from ${MIN_PG_VERSION} to ${MAX_PG_VERSION}` };
  }
  return { ok: true, value: n };
}

/**
 * Reads initializationOptions. Invalid values fall back to defaults and are reported through `warn`
 * rather than failing initialization: a typo in a setting should not cost the user all diagnostics.
 */
export function settingsFromInitializationOptions(options: unknown, warn: (message: string) => void): ServerSettings {
  const settings: ServerSettings = {
    pgVersion: DEFAULT_PG_VERSION,
    diagnosticsDelayMs: DEFAULT_DIAGNOSTICS_DELAY_MS,
    docsBaseUrl: defaultDocsBaseUrl(),
    maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES,
    inlayHints: true,
  };
  if (options === null || options === undefined) return settings;
  if (typeof options !== 'object') {
    warn(`Lockstep: ignoring initializationOptions: expected an object, got ${JSON.stringify(options)}`);
    return settings;
  }
  const o = options as Record<string, unknown>;
  if (o.pgVersion !== undefined) {
    const parsed = parsePgVersion(o.pgVersion);
    if (parsed.ok) settings.pgVersion = parsed.value;
    else warn(`Lockstep: initializationOptions.pgVersion: ${parsed.error}; using ${settings.pgVersion}`);
  }
  if (o.diagnosticsDelayMs !== undefined) {
    const d = o.diagnosticsDelayMs;
    if (typeof d === 'number' && Number.isFinite(d) && d >= 0) settings.diagnosticsDelayMs = d;
    else warn(`Lockstep: initializationOptions.diagnosticsDelayMs: expected a number ≥ 0, got ${JSON.stringify(d)}; using ${settings.diagnosticsDelayMs}`);
  }
  if (o.docsBaseUrl !== undefined) {
    if (typeof o.docsBaseUrl === 'string' && o.docsBaseUrl.length > 0) {
      settings.docsBaseUrl = o.docsBaseUrl.endsWith('/') ? o.docsBaseUrl : `${o.docsBaseUrl}/`;
    } else {
      warn(`Lockstep: initializationOptions.docsBaseUrl: expected a URL string, got ${JSON.stringify(o.docsBaseUrl)}; using ${settings.docsBaseUrl}`);
    }
  }
  if (o.maxDocumentBytes !== undefined) {
    const parsed = parseMaxDocumentBytes(o.maxDocumentBytes);
    if (parsed.ok) settings.maxDocumentBytes = parsed.value;
    else warn(`Lockstep: initializationOptions.maxDocumentBytes: ${parsed.error}; using ${settings.maxDocumentBytes}`);
  }
  if (o.inlayHints !== undefined) {
    const parsed = parseInlayHints(o.inlayHints);
    if (parsed.ok) settings.inlayHints = parsed.value;
    else warn(`Lockstep: initializationOptions.inlayHints: ${parsed.error}; using ${settings.inlayHints}`);
  }
  return settings;
}

/**
 * file:// URL of docs/rules/ in the installed package. The code runs from dist/server.js (VS Code),
 * dist/cli.js (bundled CLI, `lockstep lsp`) or from sources under vitest, so rather than assume a fixed
 * depth we walk up to the package.json that names this package.
 */
export function defaultDocsBaseUrl(startDir: string = moduleDir()): string {
  return `${pathToFileURL(join(findPackageRoot(startDir), 'docs', 'rules')).href}/`;
}

function findPackageRoot(startDir: string): string {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'lockstep') return dir;
      } catch {
        // An unreadable manifest is not ours; keep walking.
      }
    }
    if (dirname(dir) === dir) break;
  }
  // Not found (e.g. copied out of the package): dist/ sits directly under the package root.
  return dirname(startDir);
}

function moduleDir(): string {
  // esbuild emits CommonJS for dist/, where __dirname is defined; vitest runs sources as ESM.
  if (typeof __dirname === 'string') return __dirname;
  return process.cwd();
}
