import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { Catalog } from '../analysis/catalog';
import type { AnalysisOptions, AnalysisResult, Finding } from '../analysis/types';
import { DocumentDiagnostics, type Analyzer, type DiagnosticsSettings, type DocumentContext } from './document-diagnostics';

const URI = 'file:///project/migrations/001.sql';

function finding(text: string): Finding {
  return {
    rule: 'create-index-nonconcurrent',
    severity: 'warning',
    message: `about ${text}`,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: text.length } },
    statement: 0,
    data: { table: 'public.users' },
  };
}

/** A fake editor + analyzer: records what is analyzed and published. */
function setup(
  delayMs: number,
  analyze: (text: string, options: AnalysisOptions, base?: Catalog) => AnalysisResult = (t) => ({ statements: [], findings: [finding(t)] }),
) {
  const docs = new Map<string, { version: number; text: string }>();
  const published: PublishDiagnosticsParams[] = [];
  const errors: string[] = [];
  const analyzed: string[] = [];
  const contextChanges: string[] = [];
  const context: { current: DocumentContext | undefined; fail?: Error } = { current: undefined };
  let analyzersCreated = 0;
  const settings: DiagnosticsSettings = { pgVersion: 17, diagnosticsDelayMs: delayMs, docsBaseUrl: 'https://docs.example/rules/', maxDocumentBytes: 1_000_000 };
  const service = new DocumentDiagnostics(
    {
      document: (uri) => {
        const d = docs.get(uri);
        return d && { version: d.version, getText: () => d.text };
      },
      publish: (p) => published.push(p),
      logError: (m) => errors.push(m),
      context: () => {
        if (context.fail) throw context.fail;
        return context.current;
      },
      contextChanged: (uri) => contextChanges.push(uri),
    },
    () => settings,
    (): Analyzer => {
      analyzersCreated++;
      return {
        analyze: (text, options, base) => {
          analyzed.push(text);
          return analyze(text, options, base);
        },
      };
    },
  );
  const edit = (version: number, text: string) => {
    docs.set(URI, { version, text });
    service.changed(URI, version);
  };
  const open = (version: number, text: string) => {
    docs.set(URI, { version, text });
    service.opened(URI);
    service.changed(URI, version); // TextDocuments fires a content change right after every open
  };
  return { service, docs, published, errors, analyzed, edit, open, context, contextChanges, analyzersCreated: () => analyzersCreated };
}

describe('DocumentDiagnostics', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('publishes at once on open, and only once for the open + content-change pair', () => {
    const t = setup(200);
    t.open(1, 'v1');
    expect(t.published).toHaveLength(1);
    expect(t.published[0]).toMatchObject({ uri: URI, version: 1 });
    expect(t.published[0]!.diagnostics[0]).toMatchObject({
      source: 'lockstep',
      code: 'create-index-nonconcurrent',
      codeDescription: { href: 'https://docs.example/rules/create-index-nonconcurrent.md' },
      severity: 2,
      data: { table: 'public.users' },
    });
  });

  it('debounces a burst of edits into one analysis of the latest version', () => {
    const t = setup(200);
    t.open(1, 'v1');
    t.edit(2, 'v2');
    vi.advanceTimersByTime(150);
    t.edit(3, 'v3');
    vi.advanceTimersByTime(150);
    t.edit(4, 'v4');
    expect(t.published).toHaveLength(1);
    vi.advanceTimersByTime(199);
    expect(t.published).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.analyzed).toEqual(['v1', 'v4']);
    expect(t.published.map((p) => p.version)).toEqual([1, 4]);
    expect(t.published[1]!.diagnostics[0]!.message).toBe('about v4');
  });

  it('analyzes synchronously on each change when the delay is 0', () => {
    const t = setup(0);
    t.open(1, 'v1');
    t.edit(2, 'v2');
    t.edit(3, 'v3');
    expect(t.published.map((p) => p.version)).toEqual([1, 2, 3]);
  });

  it('drops a pending analysis when the document closes, and clears its diagnostics', () => {
    const t = setup(200);
    t.open(1, 'v1');
    t.edit(2, 'v2');
    t.docs.delete(URI);
    t.service.closed(URI);
    vi.advanceTimersByTime(1000);
    expect(t.analyzed).toEqual(['v1']);
    expect(t.published.at(-1)).toEqual({ uri: URI, diagnostics: [] });
  });

  it('does not publish a result whose document changed during analysis', () => {
    let bump: (() => void) | undefined;
    const t = setup(0, (text) => {
      bump?.();
      return { statements: [], findings: [finding(text)] };
    });
    t.open(1, 'v1');
    bump = () => t.docs.set(URI, { version: 3, text: 'v3' });
    t.edit(2, 'v2');
    expect(t.published.map((p) => p.version)).toEqual([1]);
  });

  it('turns a failing analysis into one internal-error diagnostic, logs it, and recovers with a fresh analyzer', () => {
    const t = setup(0, (text) => {
      if (text.includes('boom')) throw new Error('cannot read properties of undefined');
      return { statements: [], findings: [] };
    });
    t.open(1, 'select boom;');
    expect(t.published[0]!.version).toBe(1);
    expect(t.published[0]!.diagnostics).toHaveLength(1);
    const [d] = t.published[0]!.diagnostics;
    expect(d).toMatchObject({ code: 'internal-error', source: 'lockstep', severity: 1 });
    expect(d!.range).toEqual({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    expect(d!.message).toContain('cannot read properties of undefined');
    expect(d!.message).toContain('open an issue');
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toContain(URI);
    expect(t.analyzersCreated()).toBe(2);

    t.edit(2, 'select 1;');
    expect(t.published[1]).toEqual({ uri: URI, version: 2, diagnostics: [] });
  });

  it('reports a parser that failed to load on every document instead of looking clean', () => {
    const t = setup(0);
    t.service.parserUnavailable(new Error('wasm not found'));
    t.open(1, 'v1');
    expect(t.analyzed).toEqual([]);
    expect(t.published[0]!.diagnostics).toHaveLength(1);
    expect(t.published[0]!.diagnostics[0]).toMatchObject({ code: 'internal-error' });
    expect(t.published[0]!.diagnostics[0]!.message).toContain('wasm not found');
  });

  it('re-analyzes every open document when asked (a setting changed)', () => {
    const t = setup(200);
    t.open(1, 'v1');
    t.service.reanalyzeAll();
    expect(t.analyzed).toEqual(['v1', 'v1']);
    expect(t.published.map((p) => p.version)).toEqual([1, 1]);
  });

  it('passes the schema context to the analyzer, and says when it changed after a re-analysis', () => {
    const bases: Array<Catalog | undefined> = [];
    const t = setup(0, (text, _o, base) => {
      bases.push(base);
      return { statements: [], findings: [] };
    });
    const first = new Catalog();
    t.context.current = { base: first, key: 'k1', files: ['/m/001.sql'], root: '/m', problems: [] };
    t.open(1, 'v1');
    expect(bases).toEqual([first]);
    expect(t.contextChanges).toEqual([]);

    const second = new Catalog();
    t.context.current = { base: second, key: 'k2', files: ['/m/001.sql'], root: '/m', problems: [] };
    t.service.reanalyzeWhere((context) => context?.files.includes('/m/001.sql') === true);
    expect(bases).toEqual([first, second]);
    expect(t.contextChanges).toEqual([URI]);
    // A predicate that matches nothing re-analyzes nothing.
    t.service.reanalyzeWhere(() => false);
    expect(bases).toHaveLength(2);
  });

  it('logs unreadable earlier migrations once per context, and analyzes without a context that fails', () => {
    const t = setup(0);
    t.context.current = { base: undefined, key: 'k', files: ['/m/001.sql'], root: '/m', problems: [{ path: '/m/001.sql', reason: 'permission denied' }] };
    t.open(1, 'v1');
    t.edit(2, 'v2');
    expect(t.errors).toEqual([expect.stringContaining('cannot read earlier migration /m/001.sql (permission denied)')]);

    t.context.fail = new Error('EMFILE');
    t.edit(3, 'v3');
    expect(t.published.at(-1)).toMatchObject({ version: 3, diagnostics: [expect.objectContaining({ message: 'about v3' })] });
    expect(t.errors.at(-1)).toContain('EMFILE');
  });

  it('gives hover and inlay hints the analysis of the current version, running a pending one at once', () => {
    const t = setup(200);
    t.open(1, 'v1');
    expect(t.service.analysis(URI)?.version).toBe(1);
    t.edit(2, 'v2');
    expect(t.analyzed).toEqual(['v1']);
    const now = t.service.analysis(URI);
    expect(now).toMatchObject({ version: 2, text: 'v2' });
    expect(t.published.map((p) => p.version)).toEqual([1, 2]);
    vi.advanceTimersByTime(1000);
    expect(t.analyzed).toEqual(['v1', 'v2']); // the pending run was replaced, not repeated
    expect(t.service.analysis('file:///elsewhere.sql')).toBeUndefined();
  });
});
