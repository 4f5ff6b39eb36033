import { describe, expect, it } from 'vitest';
import { addDurations, estimateDuration, feature, fitModel, type Sample } from './index';

/** Deterministic ±noise (a fixed pattern, so the test is repeatable). */
function withNoise(samples: Sample[], pattern: number[]): Sample[] {
  return samples.map((s, i) => ({ rows: s.rows, ms: s.ms * (1 + pattern[i % pattern.length]!) }));
}

const SIZES = [10_000, 100_000, 1_000_000];

describe('fitModel', () => {
  it('recovers the intercept and slope of exact linear data', () => {
    const fit = fitModel('linear', SIZES.map((rows) => ({ rows, ms: 3 + rows * 0.004 })));
    expect(fit.intercept).toBeCloseTo(3, 6);
    expect(fit.slope).toBeCloseTo(0.004, 9);
    expect(fit.sse).toBeLessThan(1e-12);
  });

  it('recovers n·log n data exactly with the nlogn model, and not with the linear one', () => {
    const samples = SIZES.map((rows) => ({ rows, ms: 1 + 1e-4 * feature('nlogn', rows) }));
    expect(fitModel('nlogn', samples).sse).toBeLessThan(1e-12);
    expect(fitModel('linear', samples).sse).toBeGreaterThan(1e-4);
  });

  it('never returns a negative slope: shrinking durations degenerate to a constant', () => {
    const fit = fitModel('linear', [
      { rows: 100, ms: 10 },
      { rows: 1000, ms: 8 },
      { rows: 10000, ms: 6 },
    ]);
    expect(fit.slope).toBe(0);
    expect(fit.intercept).toBeGreaterThan(6);
    expect(fit.intercept).toBeLessThan(10);
  });

  it('never returns a negative intercept: it refits through the origin', () => {
    const fit = fitModel('linear', [
      { rows: 1000, ms: 1 },
      { rows: 2000, ms: 3 },
    ]);
    expect(fit.intercept).toBe(0);
    expect(fit.slope).toBeGreaterThan(0);
  });
});

describe('estimateDuration', () => {
  it('extrapolates noisy linear data within 5% and keeps the truth inside the range', () => {
    const truth = (rows: number): number => 2 + rows * 0.005;
    const samples = withNoise(SIZES.map((rows) => ({ rows, ms: truth(rows) })), [0.02, -0.015, 0.01]);
    const estimate = estimateDuration(samples, 50_000_000, { atLeastLinear: true })!;
    expect(estimate.model).toBe('linear');
    expect(Math.abs(estimate.ms - truth(50_000_000)) / truth(50_000_000)).toBeLessThan(0.05);
    expect(estimate.lowMs).toBeLessThanOrEqual(truth(50_000_000));
    expect(estimate.highMs).toBeGreaterThanOrEqual(truth(50_000_000));
    expect(estimate.extrapolation).toBe(50);
  });

  it('widens the range with the distance it extrapolates', () => {
    const samples = SIZES.map((rows) => ({ rows, ms: 1 + rows * 0.003 }));
    const near = estimateDuration(samples, 2_000_000, { atLeastLinear: false })!;
    const far = estimateDuration(samples, 200_000_000, { atLeastLinear: false })!;
    expect(near.model).toBe('linear');
    expect(far.highMs / far.ms).toBeGreaterThan(near.highMs / near.ms);
    expect(far.lowMs / far.ms).toBeLessThan(near.lowMs / near.ms);
    expect(far.lowMs).toBeGreaterThan(0);
  });

  it('offers n·log n as the alternative for a full-table statement, widening the range upwards', () => {
    const samples = SIZES.map((rows) => ({ rows, ms: 1 + rows * 0.003 }));
    const estimate = estimateDuration(samples, 50_000_000, { atLeastLinear: true })!;
    expect(estimate.alternatives.map((a) => a.model)).toEqual(['nlogn']);
    expect(estimate.highMs).toBeGreaterThan(estimate.ms * 1.1);
  });

  it('picks n·log n when the data bends upwards like a sort', () => {
    const samples = withNoise(SIZES.concat([300_000]).map((rows) => ({ rows, ms: 5 + 2e-5 * feature('nlogn', rows) })), [0.01, -0.01]);
    expect(estimateDuration(samples, 10_000_000, { atLeastLinear: true })!.model).toBe('nlogn');
  });

  it('keeps a catalog-only statement constant when its durations only wobble', () => {
    const samples = withNoise(SIZES.map((rows) => ({ rows, ms: 1.2 })), [0.1, -0.08, 0.05]);
    const estimate = estimateDuration(samples, 50_000_000, { atLeastLinear: false })!;
    expect(estimate.model).toBe('constant');
    expect(estimate.ms).toBeGreaterThan(1);
    expect(estimate.ms).toBeLessThan(1.5);
  });

  it('never offers the constant model for a statement that reads every row', () => {
    const samples = withNoise(SIZES.map((rows) => ({ rows, ms: 1.2 })), [0.1, -0.08, 0.05]);
    expect(estimateDuration(samples, 50_000_000, { atLeastLinear: true })!.model).not.toBe('constant');
  });

  it('chooses growth over constant for a statement the facts do not flag, when the data clearly grows', () => {
    const samples = SIZES.map((rows) => ({ rows, ms: 0.5 + rows * 0.001 }));
    expect(estimateDuration(samples, 10_000_000, { atLeastLinear: false })!.model).toBe('linear');
  });

  it('offers only constant and log for the same work at every size, and follows an index-depth curve', () => {
    const samples = withNoise([10_000, 30_000, 100_000].map((rows) => ({ rows, ms: 20 + 8 * Math.log2(rows) })), [0.02, -0.02, 0.01]);
    const estimate = estimateDuration(samples, 1_000_000, { atLeastLinear: false, sameWork: true })!;
    expect(estimate.model).toBe('log');
    const truth = 20 + 8 * Math.log2(1_000_000);
    expect(Math.abs(estimate.ms - truth) / truth).toBeLessThan(0.05);
    // Offered every model, the log curve still fits these points best.
    expect(estimateDuration(samples, 1_000_000, { atLeastLinear: false })!.model).toBe('log');
  });

  it('with a single sample spans "half of it was fixed cost" to "all of it grows"', () => {
    const estimate = estimateDuration([{ rows: 1000, ms: 10 }], 10_000, { atLeastLinear: true })!;
    expect(estimate.ms).toBeCloseTo(100, 6);
    expect(estimate.lowMs).toBeCloseTo(55, 6);
    expect(estimate.highMs).toBeGreaterThanOrEqual(100);
  });

  it('does not extrapolate below the slowest largest sample for a full-table statement', () => {
    const samples = [
      { rows: 1000, ms: 50 },
      { rows: 10_000, ms: 52 },
    ];
    const estimate = estimateDuration(samples, 20_000, { atLeastLinear: true })!;
    expect(estimate.lowMs).toBeGreaterThanOrEqual(52);
  });

  it('interpolates when the target lies inside the measured sizes', () => {
    const samples = SIZES.map((rows) => ({ rows, ms: rows * 0.002 }));
    const estimate = estimateDuration(samples, 500_000, { atLeastLinear: true })!;
    expect(estimate.extrapolation).toBe(0.5);
    expect(estimate.ms).toBeCloseTo(1000, 0);
  });

  it('returns undefined without samples or without a target', () => {
    expect(estimateDuration([], 100, { atLeastLinear: false })).toBeUndefined();
    expect(estimateDuration([{ rows: 10, ms: 1 }], 0, { atLeastLinear: false })).toBeUndefined();
  });
});

describe('addDurations', () => {
  it('adds points and both ends of the ranges', () => {
    expect(addDurations([
      { ms: 10, lowMs: 8, highMs: 12 },
      { ms: 5, lowMs: 4, highMs: 7 },
    ])).toEqual({ ms: 15, lowMs: 12, highMs: 19 });
  });
});
