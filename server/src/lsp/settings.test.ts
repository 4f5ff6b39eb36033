import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './document-limit';
import { defaultDocsBaseUrl, parseMaxDocumentBytes, parsePgVersion, settingsFromInitializationOptions } from './settings';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

describe('parsePgVersion', () => {
  it.each([[17, 17], ['16', 16], [12, 12], [18, 18]])('accepts %j', (input, expected) => {
    expect(parsePgVersion(input)).toEqual({ ok: true, value: expected });
  });
  it.each([11, 19, 16.5, '17beta', null, true])('rejects %j with a reason', (input) => {
    const parsed = parsePgVersion(input);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/12.*18/);
  });
});

describe('parseMaxDocumentBytes', () => {
  it('accepts a whole number of bytes from 1000 up', () => {
    expect(parseMaxDocumentBytes(1000)).toEqual({ ok: true, value: 1000 });
    expect(parseMaxDocumentBytes(50_000_000)).toEqual({ ok: true, value: 50_000_000 });
  });
  it.each([999, 0, -1, 1.5, '2000000', null, Number.POSITIVE_INFINITY])('rejects %j with a reason', (input) => {
    const parsed = parseMaxDocumentBytes(input);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain('≥ 1000');
  });
});

describe('settingsFromInitializationOptions', () => {
  it('takes valid values and normalizes docsBaseUrl to end with a slash', () => {
    const warnings: string[] = [];
    const s = settingsFromInitializationOptions(
      { pgVersion: 14, diagnosticsDelayMs: 0, docsBaseUrl: 'https://example.org/rules', maxDocumentBytes: 5_000_000, inlayHints: false },
      (m) => warnings.push(m),
    );
    expect(s).toEqual({
      pgVersion: 14,
      diagnosticsDelayMs: 0,
      docsBaseUrl: 'https://example.org/rules/',
      maxDocumentBytes: 5_000_000,
      inlayHints: false,
    });
    expect(warnings).toEqual([]);
  });

  it('falls back to defaults on invalid values and says which setting was wrong', () => {
    const warnings: string[] = [];
    const s = settingsFromInitializationOptions(
      { pgVersion: 9, diagnosticsDelayMs: -5, docsBaseUrl: 42, maxDocumentBytes: '2MB', inlayHints: 'off' },
      (m) => warnings.push(m),
    );
    expect(s.pgVersion).toBe(17);
    expect(s.diagnosticsDelayMs).toBe(200);
    expect(s.docsBaseUrl).toMatch(/^file:\/\/.*\/docs\/rules\/$/);
    expect(s.maxDocumentBytes).toBe(DEFAULT_MAX_DOCUMENT_BYTES);
    expect(s.inlayHints).toBe(true);
    expect(warnings.map((w) => w.match(/initializationOptions\.(\w+)/)?.[1])).toEqual([
      'pgVersion',
      'diagnosticsDelayMs',
      'docsBaseUrl',
      'maxDocumentBytes',
      'inlayHints',
    ]);
  });

  it('accepts inlayHints as a boolean or as { enabled } (the shape of the lockstep.inlayHints.enabled setting)', () => {
    expect(settingsFromInitializationOptions({ inlayHints: { enabled: false } }, () => undefined).inlayHints).toBe(false);
    expect(settingsFromInitializationOptions({ inlayHints: true }, () => undefined).inlayHints).toBe(true);
    expect(settingsFromInitializationOptions({}, () => undefined).inlayHints).toBe(true);
  });
});

describe('defaultDocsBaseUrl', () => {
  it('finds docs/rules of the package from dist/ (bundled server and CLI) and from the sources', () => {
    const expected = `${pathToFileURL(join(repoRoot, 'docs', 'rules')).href}/`;
    expect(defaultDocsBaseUrl(join(repoRoot, 'dist'))).toBe(expected);
    expect(defaultDocsBaseUrl(join(repoRoot, 'server', 'src', 'lsp'))).toBe(expected);
  });

  it('assumes dist/ sits under the package root when no package.json names lockstep', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-docs-'));
    try {
      expect(defaultDocsBaseUrl(join(dir, 'dist'))).toBe(`${pathToFileURL(join(dir, 'docs', 'rules')).href}/`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
