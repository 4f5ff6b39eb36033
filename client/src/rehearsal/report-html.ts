// The report view's HTML: the view model (view-model.ts) drawn as plain HTML and inline SVG — no chart library,
// no CDN, nothing loaded from anywhere (the webview works offline and the .vsix stays small). Pure string
// building, unit-tested. The Content-Security-Policy allows only the one <style> and the one <script> carrying
// this render's nonce: no inline style attributes, no remote or local resources, no eval. Colours are the theme's
// (--vscode-* variables) set from the stylesheet, since SVG presentation attributes cannot read CSS variables.
import { formatMs, formatRows, shortTable } from '../../../server/src/cli/formatters/rehearsal-common';
import { compact } from './findings';
import { LOCK_ORDER, type ChartSeries, type ContentionView, type QueueSeries, type ReportViewModel, type TimelineRow } from './view-model';

/** Messages the page posts to the extension. */
export type ReportMessage = { type: 'exportMarkdown' } | { type: 'reveal'; statement: number };

export function reportHtml(view: ReportViewModel, nonce: string, cspSource: string): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('reportHtml: the nonce must be at least 16 base64 characters');
  // cspSource is unused on purpose (no local resources); kept in the signature so adding one is a visible decision.
  void cspSource;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src data:; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(view.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(view.title)}</h1>
  <p class="verdict status-${view.status}">${escapeHtml(view.verdict)}</p>
  <p class="meta">${escapeHtml(view.headline)} · ${escapeHtml(view.target)}${view.sizes.length > 0 ? ` · sizes: ${escapeHtml(view.sizes.join(', '))}` : ''}</p>
  <button id="export" type="button">Export as Markdown</button>
</header>
${view.error ? `<p class="error">${escapeHtml(view.error)}</p>` : ''}
${view.findings.length > 0 ? `<section><h2>Findings</h2><ul class="findings">${view.findings.map((f) => `<li>line ${f.line}: ${escapeHtml(f.text)}</li>`).join('')}</ul></section>` : ''}
<section>
  <h2>Lock timeline</h2>
  ${timelineSvg(view.timeline.rows, view.timeline.statementCount)}
</section>
<section>
  <h2>Duration vs rows</h2>
  ${chartSvg(view.charts)}
</section>
<section>
  <h2>Statements</h2>
  ${statementTable(view)}
</section>
<section>
  <h2>Blocking per table</h2>
  ${blockingTable(view)}
</section>
${view.contention ? contentionSection(view.contention) : ''}
${view.notes.length > 0 ? `<section><h2>Notes</h2><ul class="notes">${view.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></section>` : ''}
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}

const SCRIPT = `
const vscode = acquireVsCodeApi();
document.getElementById('export').addEventListener('click', () => vscode.postMessage({ type: 'exportMarkdown' }));
for (const row of document.querySelectorAll('[data-statement]')) {
  row.addEventListener('click', () => vscode.postMessage({ type: 'reveal', statement: Number(row.getAttribute('data-statement')) }));
}
`;

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 24px; }
h1 { font-size: 1.3em; margin-bottom: 4px; } h2 { font-size: 1.1em; margin-top: 20px; border-bottom: 1px solid var(--vscode-panel-border); }
.meta { color: var(--vscode-descriptionForeground); }
.verdict { font-weight: 600; } .status-failed, .error { color: var(--vscode-errorForeground); } .status-cancelled { color: var(--vscode-editorWarning-foreground); }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
table { border-collapse: collapse; margin-top: 8px; } th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--vscode-panel-border); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; } tr[data-statement] { cursor: pointer; } tr[data-statement]:hover { background: var(--vscode-list-hoverBackground); }
tr.failed td { color: var(--vscode-errorForeground); } code { font-family: var(--vscode-editor-font-family); }
svg text { fill: var(--vscode-foreground); font-size: 11px; } svg .axis { stroke: var(--vscode-panel-border); fill: none; }
svg .lock { fill: var(--vscode-charts-blue); } svg .lock.s5, svg .lock.s6, svg .lock.s7 { fill: var(--vscode-charts-orange); } svg .lock.s8 { fill: var(--vscode-charts-red); }
svg .blocked-reads { fill: var(--vscode-charts-red); opacity: 0.18; } svg .blocked-writes { fill: var(--vscode-charts-orange); opacity: 0.14; }
svg .sample { fill: var(--vscode-charts-blue); } svg .fit { stroke: var(--vscode-charts-purple); stroke-dasharray: 4 3; fill: none; }
svg .queue-unbounded { stroke: var(--vscode-charts-red); fill: none; stroke-width: 2; } svg .queue-bounded { stroke: var(--vscode-charts-green); fill: none; stroke-width: 2; }
svg .range { fill: var(--vscode-charts-purple); opacity: 0.18; } svg .estimate { fill: var(--vscode-charts-purple); } svg .series { stroke: var(--vscode-charts-blue); fill: none; }
.legend { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
`;

const CELL = 64;
const LABEL = 140;
const ROW = 30;

/** Tables down, statements across; a bar per lock (taller = stronger), the cell tinted where reads/writes wait. */
export function timelineSvg(rows: readonly TimelineRow[], statementCount: number): string {
  if (rows.length === 0) return '<p class="legend">No lock on an existing table was measured.</p>';
  const width = LABEL + CELL * statementCount + 8;
  const height = ROW * rows.length + 24;
  const parts: string[] = [];
  for (let k = 0; k < statementCount; k++) parts.push(`<text x="${LABEL + k * CELL + CELL / 2}" y="12" text-anchor="middle">#${k + 1}</text>`);
  rows.forEach((row, r) => {
    const y = 20 + r * ROW;
    parts.push(`<text x="0" y="${y + ROW / 2 + 4}">${escapeHtml(shortTable(row.table))}</text>`);
    parts.push(`<line class="axis" x1="${LABEL}" y1="${y + ROW - 2}" x2="${width - 8}" y2="${y + ROW - 2}"/>`);
    for (const cell of row.cells) {
      const x = LABEL + cell.statement * CELL;
      if (cell.blocksReads) parts.push(`<rect class="blocked-reads" x="${x}" y="${y}" width="${CELL}" height="${ROW - 2}"/>`);
      else if (cell.blocksWrites) parts.push(`<rect class="blocked-writes" x="${x}" y="${y}" width="${CELL}" height="${ROW - 2}"/>`);
      const barHeight = Math.round(((ROW - 6) * cell.strength) / LOCK_ORDER.length);
      const title = `${cell.mode} on ${row.table}, held ${formatMs(cell.heldMs)}${cell.blocksReads ? ' — blocks reads and writes' : cell.blocksWrites ? ' — blocks writes' : ''}`;
      parts.push(
        `<rect class="lock s${cell.strength}" data-mode="${cell.mode}" x="${x + 8}" y="${y + ROW - 2 - barHeight}" width="${CELL - 16}" height="${barHeight}"><title>${escapeHtml(title)}</title></rect>`,
      );
    }
  });
  return `<svg class="timeline" role="img" aria-label="Lock timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>
<p class="legend">Bar height: lock strength (AccessShare … AccessExclusive). Red cell: reads and writes wait; orange cell: writes wait.</p>`;
}

const CHART_W = 560;
const CHART_H = 260;
const PAD = { left: 64, right: 16, top: 12, bottom: 36 };

/** Log-log: measured samples as dots joined per statement, the fit extended dashed to the target with its range. */
export function chartSvg(series: readonly ChartSeries[]): string {
  if (series.length === 0) return '<p class="legend">No statement was measured on seeded rows.</p>';
  const xs = series.flatMap((s) => [...s.points.map((p) => p.rows), ...(s.estimate ? [s.estimate.rows] : [])]);
  const ys = series.flatMap((s) => [...s.points.map((p) => p.ms), ...(s.estimate ? [s.estimate.lowMs, s.estimate.highMs] : [])]).map((v) => Math.max(v, 0.01));
  const x = logScale(Math.min(...xs), Math.max(...xs), PAD.left, CHART_W - PAD.right);
  const y = logScale(Math.min(...ys), Math.max(...ys), CHART_H - PAD.bottom, PAD.top);
  const parts: string[] = [
    `<line class="axis" x1="${PAD.left}" y1="${CHART_H - PAD.bottom}" x2="${CHART_W - PAD.right}" y2="${CHART_H - PAD.bottom}"/>`,
    `<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${CHART_H - PAD.bottom}"/>`,
  ];
  for (const tick of x.ticks) parts.push(`<text x="${x.at(tick).toFixed(1)}" y="${CHART_H - PAD.bottom + 14}" text-anchor="middle">${compact(tick)}</text>`);
  for (const tick of y.ticks) parts.push(`<text x="${PAD.left - 4}" y="${(y.at(tick) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(formatMs(tick))}</text>`);
  parts.push(`<text x="${(PAD.left + CHART_W - PAD.right) / 2}" y="${CHART_H - 4}" text-anchor="middle">rows (log)</text>`);
  for (const s of series) {
    const points = s.points.map((p) => `${x.at(p.rows).toFixed(1)},${y.at(Math.max(p.ms, 0.01)).toFixed(1)}`);
    if (points.length > 1) parts.push(`<polyline class="series" points="${points.join(' ')}"/>`);
    for (const p of s.points) {
      parts.push(`<circle class="sample" cx="${x.at(p.rows).toFixed(1)}" cy="${y.at(Math.max(p.ms, 0.01)).toFixed(1)}" r="3.5"><title>${escapeHtml(`${s.label}: ${formatMs(p.ms)} at ${formatRows(p.rows)} rows`)}</title></circle>`);
    }
    const e = s.estimate;
    const last = s.points.at(-1)!;
    if (e && e.rows > last.rows) {
      const ex = x.at(e.rows);
      parts.push(`<rect class="range" x="${(ex - 5).toFixed(1)}" y="${y.at(Math.max(e.highMs, 0.01)).toFixed(1)}" width="10" height="${Math.max(1, y.at(Math.max(e.lowMs, 0.01)) - y.at(Math.max(e.highMs, 0.01))).toFixed(1)}"/>`);
      parts.push(`<line class="fit" x1="${x.at(last.rows).toFixed(1)}" y1="${y.at(Math.max(last.ms, 0.01)).toFixed(1)}" x2="${ex.toFixed(1)}" y2="${y.at(Math.max(e.ms, 0.01)).toFixed(1)}"/>`);
      parts.push(
        `<circle class="estimate" cx="${ex.toFixed(1)}" cy="${y.at(Math.max(e.ms, 0.01)).toFixed(1)}" r="4.5"><title>${escapeHtml(`${s.label}: ~${formatMs(e.ms)} (${formatMs(e.lowMs)}–${formatMs(e.highMs)}) at ${formatRows(e.rows)} rows, ${e.model} fit`)}</title></circle>`,
      );
      parts.push(`<text x="${(ex - 6).toFixed(1)}" y="${(y.at(Math.max(e.ms, 0.01)) - 8).toFixed(1)}" text-anchor="end">#${s.statement + 1} ~${escapeHtml(formatMs(e.ms))}</text>`);
    }
  }
  return `<svg class="chart" role="img" aria-label="Duration versus rows" width="${CHART_W}" height="${CHART_H}" viewBox="0 0 ${CHART_W} ${CHART_H}">${parts.join('')}</svg>
<p class="legend">Dots: measured durations. Dashed: the fitted model extrapolated to the production row count, with its range.</p>`;
}

function logScale(min: number, max: number, from: number, to: number): { at: (v: number) => number; ticks: number[] } {
  const lo = Math.log10(Math.max(min, 1e-3));
  const hi = Math.max(Math.log10(Math.max(max, 1e-3)), lo + 1);
  const at = (v: number): number => from + ((Math.log10(Math.max(v, 1e-3)) - lo) / (hi - lo)) * (to - from);
  const ticks: number[] = [];
  for (let p = Math.ceil(lo); p <= Math.floor(hi); p++) ticks.push(10 ** p);
  return { at, ticks };
}

function statementTable(view: ReportViewModel): string {
  const head = ['#', 'Line', 'Statement', 'Locks', 'Effect', ...view.sizes, 'Estimate at target', 'Blocks reads', 'Blocks writes'];
  const numeric = (i: number) => i < 2 || (i >= 5 && i < 5 + view.sizes.length);
  const rows = view.statements.map((s) => {
    const cells = [s.number, s.line, `<code>${escapeHtml(s.statement)}</code>`, escapeHtml(s.locks), escapeHtml(s.effect), ...s.measured.map(escapeHtml), escapeHtml(s.estimate), escapeHtml(s.reads), escapeHtml(s.writes)];
    return `<tr data-statement="${s.index}"${s.failed ? ' class="failed"' : ''}>${cells.map((c, i) => `<td${numeric(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="statements"><thead><tr>${head.map((h, i) => `<th${numeric(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function blockingTable(view: ReportViewModel): string {
  if (view.blocking.length === 0) return '<p class="legend">No statement blocks reads or writes on an existing table.</p>';
  const rows = view.blocking.map(
    (b) => `<tr><td>${escapeHtml(b.table)}</td><td>${b.reads ? escapeHtml(b.reads.text) : 'no'}</td><td>${b.writes ? escapeHtml(b.writes.text) : 'no'}</td></tr>`,
  );
  return `<table class="blocking"><thead><tr><th>Table</th><th>Reads (SELECT) wait</th><th>Writes (INSERT/UPDATE/DELETE) wait</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The simulated workload: waits per table and kind, then the lock-queue demo as a chart of queued clients. */
export function contentionSection(c: ContentionView): string {
  const waits =
    c.waits.length === 0
      ? ''
      : `<table class="contention"><thead><tr><th>Table</th><th>Query</th><th class="num">Queries</th><th class="num">Wait max</th><th class="num">Wait p99</th><th class="num">Timed out</th><th>Other failures</th></tr></thead><tbody>${c.waits
          .map(
            (w) =>
              `<tr${w.kind === 'all' ? ' class="total"' : ''}><td>${escapeHtml(w.table)}</td><td>${w.kind}</td><td class="num">${w.queries}</td><td class="num">${escapeHtml(formatMs(w.maxMs))}</td><td class="num">${escapeHtml(formatMs(w.p99Ms))}</td><td class="num">${w.timedOut}</td><td>${escapeHtml(w.errors || '—')}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const queue = c.queue
    ? `<h3>Lock queue on ${escapeHtml(c.queue.table)}</h3>
<p class="legend">A transaction holds a read lock (AccessShareLock) for ${escapeHtml(formatMs(c.queue.blockerHoldMs))} after the migration starts; the migration queues behind it, and the clients queue behind the migration.</p>
${queueSvg(c.queue.series)}
<ul class="queue-runs">${c.queue.series.map((r) => `<li><strong>${escapeHtml(r.label)}</strong>: ${escapeHtml(r.summary)}</li>`).join('')}</ul>`
    : '';
  return `<section>
  <h2>Contention</h2>
  <p class="meta">${escapeHtml(c.heading)}</p>
  ${c.migration ? `<p>${escapeHtml(c.migration)}</p>` : ''}
  ${waits}
  ${queue}
  ${c.notes.length > 0 ? `<ul class="notes">${c.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
</section>`;
}

const QUEUE_W = 560;
const QUEUE_H = 200;

/** Clients waiting for a lock over time, one step line per run (red: no lock_timeout, green: bounded by one). */
export function queueSvg(series: readonly QueueSeries[]): string {
  if (series.length === 0 || series.every((s) => s.points.length === 0)) return '<p class="legend">The queue demo recorded no samples.</p>';
  const maxMs = Math.max(1, ...series.map((s) => s.endMs));
  const maxQueued = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.queued)));
  const x = (ms: number) => PAD.left + (ms / maxMs) * (QUEUE_W - PAD.left - PAD.right);
  const y = (queued: number) => QUEUE_H - PAD.bottom - (queued / maxQueued) * (QUEUE_H - PAD.top - PAD.bottom);
  const parts: string[] = [
    `<line class="axis" x1="${PAD.left}" y1="${QUEUE_H - PAD.bottom}" x2="${QUEUE_W - PAD.right}" y2="${QUEUE_H - PAD.bottom}"/>`,
    `<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${QUEUE_H - PAD.bottom}"/>`,
    `<text x="${PAD.left - 4}" y="${y(maxQueued) + 4}" text-anchor="end">${maxQueued}</text>`,
    `<text x="${PAD.left - 4}" y="${y(0) + 4}" text-anchor="end">0</text>`,
    `<text x="${PAD.left}" y="${QUEUE_H - PAD.bottom + 14}" text-anchor="middle">0</text>`,
    `<text x="${QUEUE_W - PAD.right}" y="${QUEUE_H - PAD.bottom + 14}" text-anchor="end">${escapeHtml(formatMs(maxMs))}</text>`,
    `<text x="${(PAD.left + QUEUE_W - PAD.right) / 2}" y="${QUEUE_H - 4}" text-anchor="middle">time since the migration started · clients queued</text>`,
  ];
  for (const s of series) {
    if (s.points.length === 0) continue;
    // A step line: the count holds until the next sample that changed it.
    const coords: string[] = [];
    let previous: number | undefined;
    for (const p of s.points) {
      if (previous !== undefined) coords.push(`${x(p.ms).toFixed(1)},${y(previous).toFixed(1)}`);
      coords.push(`${x(p.ms).toFixed(1)},${y(p.queued).toFixed(1)}`);
      previous = p.queued;
    }
    coords.push(`${x(s.endMs).toFixed(1)},${y(previous!).toFixed(1)}`);
    parts.push(`<polyline class="${s.bounded ? 'queue-bounded' : 'queue-unbounded'}" data-run="${escapeHtml(s.label)}" points="${coords.join(' ')}"><title>${escapeHtml(`${s.label}: up to ${s.maxQueued} queued`)}</title></polyline>`);
  }
  return `<svg class="queue" role="img" aria-label="Clients queued behind the migration over time" width="${QUEUE_W}" height="${QUEUE_H}" viewBox="0 0 ${QUEUE_W} ${QUEUE_H}">${parts.join('')}</svg>
<p class="legend">Red: without lock_timeout the queue lasts as long as the blocking transaction. Green: with lock_timeout the migration gives up and the queue drains.</p>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
