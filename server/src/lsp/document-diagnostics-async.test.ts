// DocumentDiagnostics with an analyzer that works in slices (analyzeAsync): a newer version or a close aborts the
// running analysis and its result is never published; hover-style requests do not wait for it (those that need
// the analysis wait asynchronously: document-diagnostics-provisional.test.ts).
import { describe, expect, it } from 'vitest';
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import type { AnalysisResult } from '../analysis/types';
import { DocumentDiagnostics, type Analyzer, type DiagnosticsSettings } from './document-diagnostics';

const URI = 'file:///project/migrations/001.sql';

function resultFor(text: string): AnalysisResult {
  return {
    statements: [],
    findings: [{ rule: 'create-index-nonconcurrent', severity: 'warning', message: `about ${text}`, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, statement: 0 }],
  };
}

interface Run {
  text: string;
  signal: AbortSignal;
  finish(): void;
}

function setup() {
  const docs = new Map<string, { version: number; text: string }>();
  const published: PublishDiagnosticsParams[] = [];
  const runs: Run[] = [];
  const syncRuns: string[] = [];
  const ready: string[] = [];
  const settings: DiagnosticsSettings = { pgVersion: 17, diagnosticsDelayMs: 0, docsBaseUrl: 'https://docs.example/rules/', maxDocumentBytes: 1_000_000 };
  const service = new DocumentDiagnostics(
    {
      document: (uri) => {
        const d = docs.get(uri);
        return d && { version: d.version, getText: () => d.text };
      },
      publish: (p) => published.push(p),
      logError: () => {},
      analysisReady: (uri) => ready.push(uri),
    },
    () => settings,
    (): Analyzer => ({
      analyze: (text) => {
        syncRuns.push(text);
        return resultFor(text);
      },
      // Finishes only when the test says so, and then with a result even if aborted (the scheduler must drop it).
      analyzeAsync: (text, _options, { signal }) =>
        new Promise((resolve) => runs.push({ text, signal: signal!, finish: () => resolve(resultFor(text)) })),
    }),
  );
  const edit = (version: number, text: string) => {
    docs.set(URI, { version, text });
    service.changed(URI, version);
  };
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return { service, docs, published, runs, syncRuns, ready, edit, flush };
}

describe('DocumentDiagnostics with analyzeAsync', () => {
  it('aborts the running analysis of an older version and never publishes it', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.edit(2, 'v2');
    expect(t.runs.map((r) => r.text)).toEqual(['v1', 'v2']);
    expect(t.runs[0]!.signal.aborted).toBe(true);
    expect(t.runs[1]!.signal.aborted).toBe(false);
    t.runs[0]!.finish();
    t.runs[1]!.finish();
    await t.flush();
    expect(t.published.map((p) => p.version)).toEqual([2]);
    expect(t.service.analysis(URI)?.version).toBe(2);
  });

  it('aborts on close and publishes only the clearing', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.service.closed(URI);
    t.docs.delete(URI);
    expect(t.runs[0]!.signal.aborted).toBe(true);
    t.runs[0]!.finish();
    await t.flush();
    expect(t.published).toEqual([{ uri: URI, diagnostics: [] }]);
  });

  it('answers a non-waiting request with nothing meanwhile and says when the analysis is ready', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    expect(t.service.analysis(URI)).toBeUndefined();
    expect(t.syncRuns).toEqual([]);
    t.runs[0]!.finish();
    await t.flush();
    expect(t.ready).toEqual([URI]);
    expect(t.service.analysis(URI)?.text).toBe('v1');
  });

  it('never blocks: a request after the current version was published does not analyze it again', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    expect(t.service.analysis(URI)).toBeUndefined();
    expect(t.runs[0]!.signal.aborted).toBe(false);
    t.runs[0]!.finish();
    await t.flush();
    expect(t.service.analysis(URI)?.version).toBe(1);
    expect(t.runs).toHaveLength(1);
    // Never the synchronous analyze(): that would freeze the server for as long as the analysis takes.
    expect(t.syncRuns).toEqual([]);
    expect(t.published.map((p) => p.version)).toEqual([1]);
  });
});
