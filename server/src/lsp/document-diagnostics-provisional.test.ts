// DocumentDiagnostics with an analyzer that hands out a provisional result mid-run: it is published marked
// `provisional`, never replaces the analysis requests read, is dropped once stale, and the final publish is skipped
// (with a `settled` signal instead) when it would repeat it. Requests that need the current version's analysis
// (analysisWhenReady) wait for the running one without blocking, follow newer versions, and stop when cancelled.
import { describe, expect, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-languageserver/node';
import type { AnalysisResult, ProvisionalAnalysisResult } from '../analysis/types';
import {
  DocumentDiagnostics,
  type Analyzer,
  type DiagnosticsSettings,
  type DiagnosticsSettledParams,
  type LockstepPublishParams,
} from './document-diagnostics';
import { ANALYSIS_IN_PROGRESS_CODE } from './diagnostics';

const URI = 'file:///project/migrations/001.sql';

function finding(message: string) {
  return { rule: 'create-index-nonconcurrent', severity: 'warning' as const, message, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, statement: 0 };
}

function resultFor(text: string, message = `about ${text}`): AnalysisResult {
  return { statements: [], findings: [finding(message)] };
}

interface Run {
  text: string;
  signal: AbortSignal;
  provisional(message: string): void;
  /** Hands out a provisional result of the test's own making. */
  provisionalResult(result: ProvisionalAnalysisResult): void;
  provisionalAfterMs: number | undefined;
  finish(message?: string): void;
  fail(error: Error): void;
}

function setup(delayMs = 0) {
  const docs = new Map<string, { version: number; text: string }>();
  const events: string[] = [];
  const published: LockstepPublishParams[] = [];
  const settled: DiagnosticsSettledParams[] = [];
  const runs: Run[] = [];
  const settings: DiagnosticsSettings = { pgVersion: 17, diagnosticsDelayMs: delayMs, docsBaseUrl: 'https://docs.example/rules/', maxDocumentBytes: 1_000_000 };
  const service = new DocumentDiagnostics(
    {
      document: (uri) => {
        const d = docs.get(uri);
        return d && { version: d.version, getText: () => d.text };
      },
      publish: (p) => {
        published.push(p);
        events.push(`publish v${p.version}${p.provisional ? ' provisional' : ''}`);
      },
      settled: (p) => {
        settled.push(p);
        events.push(`settled v${p.version}`);
      },
      logError: () => {},
    },
    () => settings,
    (): Analyzer => ({
      analyze: (text) => {
        events.push(`synchronous analysis of ${text}`);
        return resultFor(text);
      },
      analyzeAsync: (text, _options, { signal, provisional, provisionalAfterMs }) =>
        new Promise((resolve, reject) =>
          runs.push({
            text,
            signal: signal!,
            provisional: (message) => provisional?.({ ...resultFor(text, message), provisional: true, exactThrough: 1 } satisfies ProvisionalAnalysisResult),
            provisionalResult: (result) => provisional?.(result),
            provisionalAfterMs,
            finish: (message) => resolve(resultFor(text, message)),
            fail: reject,
          }),
        ),
    }),
  );
  const edit = (version: number, text: string) => {
    docs.set(URI, { version, text });
    service.changed(URI, version);
  };
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return { service, docs, events, published, settled, runs, edit, flush };
}

describe('provisional diagnostics', () => {
  it('publishes the provisional result marked, then the final one; requests never see the provisional one', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.runs[0]!.finish();
    await t.flush();
    t.edit(2, 'v2');
    t.runs[1]!.provisional('early');
    expect(t.published.at(-1)).toMatchObject({ version: 2, provisional: true, diagnostics: [expect.objectContaining({ message: 'early' })] });
    // Hover-style requests keep answering nothing for the version being analyzed, not the provisional result.
    expect(t.service.analysis(URI)).toBeUndefined();
    t.runs[1]!.finish('final');
    await t.flush();
    expect(t.events).toEqual(['publish v1', 'publish v2 provisional', 'publish v2']);
    expect(t.published.at(-1)).toMatchObject({ version: 2, diagnostics: [expect.objectContaining({ message: 'final' })] });
    expect(t.published.at(-1)).not.toHaveProperty('provisional');
    expect(t.service.analysis(URI)?.result.findings[0]?.message).toBe('final');
  });

  it('does not publish the final result again when it repeats the provisional one, and says it settled', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.runs[0]!.provisional('same');
    t.runs[0]!.finish('same');
    await t.flush();
    expect(t.events).toEqual(['publish v1 provisional', 'settled v1']);
    expect(t.settled).toEqual([{ uri: URI, version: 1 }]);
    // The analysis is the final one all the same.
    expect(t.service.analysis(URI)?.version).toBe(1);
  });

  it('never publishes a provisional result of a version that is no longer current or already settled', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.edit(2, 'v2');
    // v1's run was aborted by v2: its late provisional result is stale.
    t.runs[0]!.provisional('stale');
    t.runs[1]!.finish();
    await t.flush();
    // And a provisional result after the final one of the same version (a misbehaving analyzer) is ignored too.
    t.runs[1]!.provisional('after final');
    expect(t.events).toEqual(['publish v2']);
  });
});

describe('provisional diagnostics of a long analysis', () => {
  const statement = (line: number) =>
    ({ index: line, text: 'x', start: line, end: line + 1, range: { start: { line, character: 0 }, end: { line, character: 1 } }, kind: 'SelectStmt' }) as never;

  it('asks the analyzer for them after a time budget, and says where the analysis is until the final publish', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    // Without the budget a cold open published nothing for seconds (fuzz cases 12, 21, 22).
    expect(t.runs[0]!.provisionalAfterMs).toBeGreaterThan(0);
    expect(t.runs[0]!.provisionalAfterMs).toBeLessThan(1000);
    t.runs[0]!.provisionalResult({ statements: [statement(0), statement(1), statement(2)], findings: [finding('first')], provisional: true, exactThrough: 1 });
    const early = t.published.at(-1)!;
    expect(early).toMatchObject({ version: 1, provisional: true });
    expect(early.diagnostics.map((d) => d.code)).toEqual(['create-index-nonconcurrent', ANALYSIS_IN_PROGRESS_CODE]);
    expect(early.diagnostics[1]!.range.start.line).toBe(1);
    t.runs[0]!.finish('first');
    await t.flush();
    // The final publish goes out even though the findings are the same: the notice must go.
    expect(t.events).toEqual(['publish v1 provisional', 'publish v1']);
    expect(t.published.at(-1)!.diagnostics.map((d) => d.code)).toEqual(['create-index-nonconcurrent']);
  });
});

describe('analysisWithin (code actions)', () => {
  it('answers nothing once the wait is over while the version is still analyzed, the analysis when it ends in time', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    expect(await t.service.analysisWithin(URI, 5)).toBeUndefined();
    // The run goes on; a wait that outlasts it gets its analysis.
    expect(t.runs[0]!.signal.aborted).toBe(false);
    const waiting = t.service.analysisWithin(URI, 60_000);
    t.runs[0]!.finish();
    expect((await waiting)?.version).toBe(1);
  });

  it('bounds the wait of a hover-style request that arrives during the debounce delay', async () => {
    const t = setup(60_000);
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.runs[0]!.finish();
    await t.flush();
    t.edit(2, 'v2');
    // The pending analysis starts now; the request gives up after its wait, the analysis goes on.
    expect(await t.service.analysisUnlessRunning(URI, undefined, 5)).toBeUndefined();
    expect(t.runs).toHaveLength(2);
    expect(t.runs[1]!.signal.aborted).toBe(false);
    t.runs[1]!.finish();
    await t.flush();
    expect(t.service.analysis(URI)?.version).toBe(2);
  });

  it('never answers with an older version than the current one', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.runs[0]!.finish();
    await t.flush();
    t.edit(2, 'v2');
    expect(await t.service.analysisWithin(URI, 5)).toBeUndefined();
  });
});

describe('analysisWhenReady', () => {
  it('waits for the running analysis without blocking other requests, and answers after its final publish', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    let answered: string | undefined;
    const waiting = t.service.analysisWhenReady(URI).then((a) => {
      answered = a?.text;
      t.events.push(`answered ${a?.text}`);
    });
    await t.flush();
    expect(answered).toBeUndefined();
    // The run was not aborted nor replaced by a synchronous one: the request simply waits.
    expect(t.runs).toHaveLength(1);
    expect(t.runs[0]!.signal.aborted).toBe(false);
    // Meanwhile a hover-style request is answered at once.
    expect(t.service.analysis(URI)).toBeUndefined();
    t.runs[0]!.provisional('early');
    await t.flush();
    expect(answered).toBeUndefined();
    t.runs[0]!.finish();
    await waiting;
    expect(t.events).toEqual(['publish v1 provisional', 'publish v1', 'answered v1']);
  });

  it('follows a newer version that arrives while it waits, and answers with that version', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    const waiting = t.service.analysisWhenReady(URI);
    t.edit(2, 'v2');
    expect(t.runs[0]!.signal.aborted).toBe(true);
    t.runs[0]!.finish();
    t.runs[1]!.finish();
    expect((await waiting)?.version).toBe(2);
    expect(t.published.map((p) => p.version)).toEqual([2]);
  });

  it('starts a pending (debounced) analysis at once, and answers at once when the current version is analyzed', async () => {
    const t = setup(10_000);
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.runs[0]!.finish();
    await t.flush();
    expect((await t.service.analysisWhenReady(URI))?.version).toBe(1);
    t.edit(2, 'v2');
    expect(t.runs).toHaveLength(1);
    const waiting = t.service.analysisWhenReady(URI);
    expect(t.runs.map((r) => r.text)).toEqual(['v1', 'v2']);
    t.runs[1]!.finish();
    expect((await waiting)?.version).toBe(2);
  });

  it('a hover-style request during the debounce delay starts the analysis now and answers nothing, without blocking', async () => {
    const t = setup(10_000);
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    t.runs[0]!.finish();
    await t.flush();
    t.edit(2, 'v2');
    expect(t.service.analysis(URI)).toBeUndefined();
    expect(t.runs.map((r) => r.text)).toEqual(['v1', 'v2']);
    t.runs[1]!.finish();
    await t.flush();
    expect(t.service.analysis(URI)?.version).toBe(2);
    expect(t.events).toEqual(['publish v1', 'publish v2']);
  });

  it('hover and inlay hints (analysisUnlessRunning) wait for a pending version, not for one being analyzed', async () => {
    const t = setup(10_000);
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    // Version 1 is being analyzed: nothing, at once.
    expect(await t.service.analysisUnlessRunning(URI)).toBeUndefined();
    t.runs[0]!.finish();
    await t.flush();
    t.edit(2, 'v2');
    // Version 2 waits for its debounce delay: analyzed now and awaited, without the synchronous analyze().
    const hover = t.service.analysisUnlessRunning(URI);
    expect(t.runs.map((r) => r.text)).toEqual(['v1', 'v2']);
    t.runs[1]!.finish();
    expect((await hover)?.version).toBe(2);
    expect(t.events).toEqual(['publish v1', 'publish v2']);
  });

  it('stops waiting when cancelled, leaving the analysis running', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    const source = new CancellationTokenSource();
    const waiting = t.service.analysisWhenReady(URI, source.token);
    source.cancel();
    expect(await waiting).toBeUndefined();
    expect(t.runs[0]!.signal.aborted).toBe(false);
    t.runs[0]!.finish();
    await t.flush();
    expect(t.published.map((p) => p.version)).toEqual([1]);
  });

  it('answers nothing when the analysis fails, or for a document that is not open', async () => {
    const t = setup();
    t.docs.set(URI, { version: 1, text: 'v1' });
    t.service.opened(URI);
    const waiting = t.service.analysisWhenReady(URI);
    t.runs[0]!.fail(new Error('boom'));
    expect(await waiting).toBeUndefined();
    // The failure was published (once) and no second analysis was started for the same version.
    expect(t.published).toHaveLength(1);
    expect(t.runs).toHaveLength(1);
    expect(await t.service.analysisWhenReady('file:///elsewhere.sql')).toBeUndefined();
  });
});
