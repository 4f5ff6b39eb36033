import { describe, expect, it } from 'vitest';
import { reportHeadline, reportViewModel } from './view-model';
import { sampleReport, sampleReportWithContention } from './sample-report.test-data';

describe('reportViewModel', () => {
  it('puts each statement\'s strongest lock on a pre-existing table in the timeline, with what it blocks', () => {
    const view = reportViewModel(sampleReport());
    expect(view.timeline.statementCount).toBe(2);
    // orders_note_idx is created by the migration (not pre-existing): nobody can wait for it, so it has no row.
    expect(view.timeline.rows.map((r) => r.table)).toEqual(['public.orders']);
    const cells = view.timeline.rows[0]!.cells;
    expect(cells.map((c) => [c.statement, c.mode, c.blocksReads, c.blocksWrites])).toEqual([
      [0, 'AccessExclusiveLock', true, true],
      [1, 'ShareLock', false, true],
    ]);
    expect(cells[0]!.strength).toBeGreaterThan(cells[1]!.strength);
    expect(cells[0]!.heldMs).toBe(46); // the largest sample's hold time
  });

  it('gives one chart series per measured statement, with the extrapolation to the target', () => {
    const view = reportViewModel(sampleReport());
    expect(view.charts.map((c) => c.points.map((p) => p.rows))).toEqual([
      [1000, 4000],
      [1000, 4000],
    ]);
    expect(view.charts[0]!.estimate).toMatchObject({ rows: 1_000_000, ms: 11_000, lowMs: 9_000, highMs: 14_000, model: 'linear' });
    const unmeasured = sampleReport();
    unmeasured.statements[1]!.samples = [];
    unmeasured.statements[0]!.estimate = null;
    const view2 = reportViewModel(unmeasured);
    expect(view2.charts).toHaveLength(1);
    expect(view2.charts[0]!.estimate).toBeNull();
  });

  it('summarizes blocking per table with the statement that causes the longest wait', () => {
    const report = sampleReport();
    report.statements[1]!.blocking!.writes['public.orders'] = 30_000;
    const [row] = reportViewModel(report).blocking;
    expect(row!.table).toBe('public.orders');
    expect(row!.reads).toMatchObject({ ms: 24_000, statement: 0 });
    expect(row!.writes).toMatchObject({ ms: 30_000, statement: 1 });
    expect(row!.writes!.text).toContain('statement 2');
  });

  it('takes the table cells from the CLI formatter, one measured cell per size', () => {
    const view = reportViewModel(sampleReport());
    expect(view.sizes).toEqual(['1,000 rows', '4,000 rows']);
    expect(view.statements.map((s) => s.measured.length)).toEqual([2, 2]);
    expect(view.statements[0]!.locks).toContain('AccessExclusive orders');
    expect(view.findings.length).toBeGreaterThan(0);
    expect(view.verdict).toMatch(/blocking finding/);
  });

  it('reports a failure and a cancellation as such', () => {
    const failed = sampleReport();
    failed.status = 'failed';
    failed.error = { phase: 'run', message: 'column "x" does not exist', file: 'a.sql', line: 3, hint: 'check the column name' };
    expect(reportViewModel(failed).error).toBe('a.sql:3: column "x" does not exist — check the column name');
    expect(reportHeadline(failed)).toBe('rehearsal failed');
    const cancelled = sampleReport();
    cancelled.status = 'cancelled';
    expect(reportViewModel(cancelled).verdict).toMatch(/cancelled/);
  });
});

describe('reportHeadline', () => {
  it('names the longest blocking window, or says nothing blocks', () => {
    expect(reportHeadline(sampleReport())).toBe('blocks reads ~24.0 s on orders');
    const calm = sampleReport();
    calm.findings = [];
    expect(reportHeadline(calm)).toBe('no blocking > 1.00 s');
  });
});

describe('contention in the view model', () => {
  it('is null without --workload', () => {
    expect(reportViewModel(sampleReport()).contention).toBeNull();
  });

  it('lists the waits per table and query kind, then all queries, and the queue runs as series', () => {
    const view = reportViewModel(sampleReportWithContention()).contention!;
    expect(view.heading).toBe('Workload at 4,000 rows: 4 clients, 40 queries/s on orders, statement_timeout 2.00 s');
    expect(view.migration).toMatch(/^The migration completed in /);
    expect(view.waits.map((w) => [w.table, w.kind, w.queries, w.maxMs, w.p99Ms, w.timedOut, w.errors])).toEqual([
      ['orders', 'read', 18, 41, 40, 0, ''],
      ['orders', 'update', 12, 58, 55, 1, '1 × 40P01 (deadlock)'],
      ['all', 'all', 30, 58, 55, 1, '1 × 40P01 (deadlock)'],
    ]);
    const [unbounded, bounded] = view.queue!.series;
    expect(unbounded!.label).toBe('no lock_timeout');
    expect(unbounded!.bounded).toBe(false);
    expect(unbounded!.points.map((p) => p.queued)).toEqual([0, 2, 4, 0]);
    expect(unbounded!.endMs).toBe(4100);
    expect(bounded!.label).toBe('lock_timeout 2.00 s (recommended)');
    expect(bounded!.summary).toContain('failed after 2.00 s at statement 1 (55P03: lock_timeout)');
    expect(view.notes).toEqual(['a deadlock between the migration and an update on orders']);
  });
});
