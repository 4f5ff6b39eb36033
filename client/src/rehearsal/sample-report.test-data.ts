// A rehearsal report shaped exactly like `lockstep rehearse --format json` (server/src/rehearsal/report.ts) for a
// two-statement migration: a rewriting ALTER TABLE under AccessExclusiveLock and a CREATE INDEX under ShareLock,
// measured at 1,000 and 4,000 rows and extrapolated to 1,000,000. Input for the client's unit tests.
import type { ContentionReport, RehearsalReport, SampleLock, StatementSample, WorkloadStats } from '../../../server/src/rehearsal/report';

function sample(rows: number, ms: number, locks: SampleLock[], rewrite: boolean): StatementSample {
  return { rows, size: rows, ms, rewrite, scan: rewrite, rewritten: rewrite ? ['public.orders'] : [], scanned: [], rowsAffected: null, walBytes: rows * 100, locks };
}

const alterLocks = (heldMs: number): SampleLock[] => [
  { relation: 'public.orders', table: 'public.orders', mode: 'AccessExclusiveLock', heldMs, preexisting: true, source: 'observed' },
  { relation: 'public.orders', table: 'public.orders', mode: 'AccessShareLock', heldMs, preexisting: true, source: 'observed' },
];
const indexLocks = (heldMs: number): SampleLock[] => [
  { relation: 'public.orders', table: 'public.orders', mode: 'ShareLock', heldMs, preexisting: true, source: 'observed' },
  { relation: 'public.orders_note_idx', table: 'public.orders', mode: 'AccessExclusiveLock', heldMs, preexisting: false, source: 'observed' },
];

export function sampleReport(): RehearsalReport {
  return {
    version: 1,
    status: 'completed',
    file: 'db/migrations/000002_widen_note.up.sql',
    server: { version: '17.6', embedded: true },
    sizes: [1000, 4000],
    skippedSizes: [],
    target: { 'public.orders': 1_000_000 },
    transaction: { mode: 'single', reason: 'one transaction (golang-migrate)' },
    replayed: ['db/migrations/000001_init.up.sql'],
    seeding: [{ size: 1000, template: null, reused: false, ms: 40, tables: [{ table: 'public.orders', rows: 1000, ms: 40 }] }],
    memory: null,
    statements: [
      {
        index: 0,
        line: 2,
        text: 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(500)',
        kind: 'ALTER TABLE',
        via: 'transaction',
        subject: 'public.orders',
        samples: [sample(1000, 12, alterLocks(13), true), sample(4000, 45, alterLocks(46), true)],
        estimate: { rows: 1_000_000, ms: 11_000, lowMs: 9_000, highMs: 14_000, model: 'linear', alternatives: [], extrapolation: 250 },
        blocking: {
          basis: 'estimate',
          rows: 1_000_000,
          reads: { 'public.orders': 24_000 },
          writes: { 'public.orders': 24_000 },
          ranges: { reads: { 'public.orders': [20_000, 30_000] }, writes: { 'public.orders': [20_000, 30_000] } },
          heldUntil: 'until its COMMIT',
        },
      },
      {
        index: 1,
        line: 3,
        text: 'CREATE INDEX orders_note_idx ON orders (note)',
        kind: 'CREATE INDEX',
        via: 'transaction',
        subject: 'public.orders',
        samples: [sample(1000, 5, indexLocks(6), false), sample(4000, 18, indexLocks(19), false)],
        estimate: { rows: 1_000_000, ms: 13_000, lowMs: 10_000, highMs: 16_000, model: 'nlogn', alternatives: [], extrapolation: 250 },
        blocking: { basis: 'estimate', rows: 1_000_000, reads: {}, writes: { 'public.orders': 24_000 }, heldUntil: 'until its COMMIT' },
      },
    ],
    findings: [
      { statement: 0, line: 2, workload: 'reads', table: 'public.orders', ms: 24_000, lowMs: 20_000, highMs: 30_000, basis: 'estimate', rows: 1_000_000, mode: 'AccessExclusiveLock', heldUntil: 'until its COMMIT', message: '' },
      { statement: 0, line: 2, workload: 'writes', table: 'public.orders', ms: 24_000, lowMs: 20_000, highMs: 30_000, basis: 'estimate', rows: 1_000_000, mode: 'AccessExclusiveLock', heldUntil: 'until its COMMIT', message: '' },
      { statement: 1, line: 3, workload: 'writes', table: 'public.orders', ms: 24_000, basis: 'estimate', rows: 1_000_000, mode: 'ShareLock', heldUntil: 'until its COMMIT', message: '' },
    ],
    thresholdMs: 1000,
    error: null,
    notes: ['a note with <html> & "quotes"'],
    durationMs: 3_500,
    contention: null,
  };
}

const stats = (queries: number, maxMs: number, p99Ms: number, timedOut: number, errors: WorkloadStats['errors'] = []): WorkloadStats => ({ queries, maxMs, p99Ms, timedOut, errors });

/**
 * The same report with `--workload`: reads and updates on orders waited behind the ALTER (one update timed out,
 * one was a deadlock victim), and the lock-queue demo without and with a 2 s lock_timeout.
 */
export function sampleReportWithContention(): RehearsalReport {
  const contention: ContentionReport = {
    size: 4000,
    clients: 4,
    ratePerSecond: 40,
    statementTimeoutMs: 2000,
    tables: ['public.orders'],
    workload: {
      migration: { ms: 60, status: 'completed' },
      all: stats(30, 58, 55, 1, [{ code: '40P01', count: 1, message: 'deadlock detected' }]),
      byQuery: [
        { table: 'public.orders', kind: 'read', ...stats(18, 41, 40, 0) },
        { table: 'public.orders', kind: 'update', ...stats(12, 58, 55, 1, [{ code: '40P01', count: 1, message: 'deadlock detected' }]) },
      ],
    },
    queue: {
      table: 'public.orders',
      blockerHoldMs: 4000,
      runs: [
        {
          lockTimeoutMs: null,
          lockTimeoutSource: 'none',
          migration: { ms: 4100, status: 'completed' },
          migrationWaitedMs: 4000,
          maxQueued: 4,
          workload: stats(20, 3900, 3800, 6),
          waits: [{ waiter: 'migration', blockedBy: 'long transaction', firstMs: 10, samples: 40, waitEvent: 'relation' }],
          timeline: [
            { ms: 0, queued: 0, migrationWaiting: true },
            { ms: 200, queued: 2, migrationWaiting: true },
            { ms: 600, queued: 4, migrationWaiting: true },
            { ms: 4050, queued: 0, migrationWaiting: false },
          ],
        },
        {
          lockTimeoutMs: 2000,
          lockTimeoutSource: 'recommended',
          migration: { ms: 2000, status: 'failed', code: '55P03', message: 'canceling statement due to lock timeout', statement: 0 },
          migrationWaitedMs: 2000,
          maxQueued: 3,
          workload: stats(25, 1990, 1900, 0),
          waits: [],
          timeline: [
            { ms: 0, queued: 0, migrationWaiting: true },
            { ms: 300, queued: 3, migrationWaiting: true },
            { ms: 2000, queued: 0, migrationWaiting: false },
          ],
        },
      ],
    },
    notes: ['a deadlock between the migration and an update on orders'],
  };
  return { ...sampleReport(), contention };
}
