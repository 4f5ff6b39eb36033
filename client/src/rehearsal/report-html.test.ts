import { describe, expect, it } from 'vitest';
import { chartSvg, reportHtml, timelineSvg } from './report-html';
import { reportViewModel } from './view-model';
import { sampleReport, sampleReportWithContention } from './sample-report.test-data';

const NONCE = 'abcdefghijklmnopqrstuvwx';

describe('reportHtml', () => {
  const html = reportHtml(reportViewModel(sampleReport()), NONCE, 'vscode-resource:');

  it('allows only its own nonce-carrying style and script, and loads nothing', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'nonce-${NONCE}'`);
    expect(csp).toContain(`style-src 'nonce-${NONCE}'`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    // Every <script>/<style> carries the nonce; no inline style attribute (the CSP would drop it) and no URL.
    for (const tag of html.match(/<(script|style)\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${NONCE}"`);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\s(src|href)="/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('escapes what comes from the migration and the server', () => {
    expect(html).toContain('a note with &lt;html&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<html> &');
  });

  it('has the timeline, the chart, the statement table and the blocking table', () => {
    expect(html).toContain('class="timeline"');
    expect(html).toContain('class="chart"');
    expect(html.match(/<tr data-statement="\d+"/g)).toHaveLength(2);
    expect(html).toContain('<table class="blocking">');
    expect(html).toContain('Export as Markdown');
  });

  it('refuses a weak nonce', () => {
    expect(() => reportHtml(reportViewModel(sampleReport()), 'x', '')).toThrow(/nonce/);
  });
});

describe('timelineSvg', () => {
  it('draws a taller bar for a stronger lock and tints the cells where reads or writes wait', () => {
    const view = reportViewModel(sampleReport());
    const svg = timelineSvg(view.timeline.rows, view.timeline.statementCount);
    const height = (mode: string) => Number(new RegExp(`data-mode="${mode}"[^>]* height="(\\d+)"`).exec(svg)?.[1]);
    expect(height('AccessExclusiveLock')).toBeGreaterThan(height('ShareLock'));
    expect(svg.match(/class="blocked-reads"/g)).toHaveLength(1);
    expect(svg.match(/class="blocked-writes"/g)).toHaveLength(1);
  });
});

describe('chartSvg', () => {
  it('places samples left of their estimate on a log axis, and draws the extrapolation', () => {
    const view = reportViewModel(sampleReport());
    const svg = chartSvg(view.charts.slice(0, 1));
    const xs = [...svg.matchAll(/<circle class="(sample|estimate)" cx="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(xs.map(([kind]) => kind)).toEqual(['sample', 'sample', 'estimate']);
    expect(xs[0]![1]).toBeLessThan(xs[1]![1]);
    expect(xs[1]![1]).toBeLessThan(xs[2]![1]);
    // 1k → 4k is log10(4) ≈ 0.6 decades, 4k → 1M ≈ 2.4: the gaps keep that ratio on a log axis.
    expect((xs[2]![1] - xs[1]![1]) / (xs[1]![1] - xs[0]![1])).toBeCloseTo(Math.log10(250) / Math.log10(4), 1);
    expect(svg).toContain('class="fit"');
    expect(svg).toContain('class="range"');
  });
});

describe('the contention section', () => {
  it('is absent without a workload', () => {
    expect(reportHtml(reportViewModel(sampleReport()), NONCE, '')).not.toContain('<h2>Contention</h2>');
  });

  it('shows the waits per table and the queue over time, with and without lock_timeout, under the same CSP rules', () => {
    const html = reportHtml(reportViewModel(sampleReportWithContention()), NONCE, '');
    expect(html).toContain('<h2>Contention</h2>');
    const rows = [...html.matchAll(/<tr(?: class="total")?><td>([^<]+)<\/td><td>(\w+)<\/td><td class="num">(\d+)<\/td><td class="num">([^<]+)<\/td><td class="num">([^<]+)<\/td><td class="num">(\d+)<\/td>/g)].map((m) => m.slice(1));
    expect(rows).toEqual([
      ['orders', 'read', '18', '41 ms', '40 ms', '0'],
      ['orders', 'update', '12', '58 ms', '55 ms', '1'],
      ['all', 'all', '30', '58 ms', '55 ms', '1'],
    ]);
    expect(html).toContain('1 × 40P01 (deadlock)');
    expect(html).toContain('class="queue"');
    const lines = [...html.matchAll(/<polyline class="(queue-\w+)" data-run="([^"]+)" points="([^"]+)"/g)];
    expect(lines.map((m) => [m[1], m[2]])).toEqual([
      ['queue-unbounded', 'no lock_timeout'],
      ['queue-bounded', 'lock_timeout 2.00 s (recommended)'],
    ]);
    // Step line: the unbounded queue reaches the top (4 clients, the chart's maximum) and ends at the x axis's end.
    const points = lines[0]![3]!.split(' ').map((p) => p.split(',').map(Number));
    expect(Math.min(...points.map((p) => p[1]!))).toBeCloseTo(12, 0);
    expect(Math.max(...points.map((p) => p[0]!))).toBeCloseTo(544, 0);
    expect(html).not.toMatch(/\sstyle="/);
  });
});
