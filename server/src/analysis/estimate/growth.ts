/**
 * Growth models for a statement's duration as a function of a table's row count, fitted by weighted least
 * squares. Pure arithmetic: samples in, fitted curves out.
 *
 * Why weighted by 1/duration²: the samples span orders of magnitude (5 ms at 10k rows, 5 s at 1M), and ordinary
 * least squares would let the largest sample decide everything. Minimising relative residuals lets the small
 * samples pin the fixed cost (intercept) and the large ones the per-row cost (slope), which is what extrapolation
 * needs. Both coefficients are kept ≥ 0: a statement never gets faster with more rows, and a negative fixed cost
 * is measurement noise.
 */

/**
 * constant: catalog-only work. log: the same amount of work found through an index, whose depth grows with
 * log n (one batch of a batched backfill). linear: every row read or written once. nlogn: sorting (index builds).
 */
export type GrowthModel = 'constant' | 'log' | 'linear' | 'nlogn';

/** Simplest first: on equal evidence, the simpler curve wins. */
export const GROWTH_MODELS: readonly GrowthModel[] = ['constant', 'log', 'linear', 'nlogn'];

export interface Sample {
  rows: number;
  ms: number;
}

export interface ModelFit {
  model: GrowthModel;
  /** Fixed cost in ms. */
  intercept: number;
  /** Cost per unit of the model's feature (rows, or rows·log2 rows), in ms. */
  slope: number;
  /** Number of coefficients the fit used (1 for constant and for a fit forced through the origin). */
  parameters: number;
  /** (measured − fitted) / measured, per sample, in the samples' order. */
  relativeResiduals: number[];
  /** Sum of squared relative residuals. */
  sse: number;
}

/** Durations below this are treated as this much, so a 0 ms sample neither divides by zero nor dominates. */
const MIN_MS = 0.05;

/** What the model grows with: nothing, log2(rows), rows, or rows·log2(rows). */
export function feature(model: GrowthModel, rows: number): number {
  if (model === 'constant') return 0;
  if (model === 'log') return Math.log2(Math.max(rows, 2));
  if (model === 'linear') return rows;
  return rows * Math.log2(Math.max(rows, 2));
}

export function predict(fit: Pick<ModelFit, 'model' | 'intercept' | 'slope'>, rows: number): number {
  return fit.intercept + fit.slope * feature(fit.model, rows);
}

/**
 * Fits `model` to `samples`. With a single sample a growing model goes through the origin (all of the time is
 * per-row time), since one point cannot separate fixed from per-row cost.
 */
export function fitModel(model: GrowthModel, samples: readonly Sample[]): ModelFit {
  if (samples.length === 0) throw new Error('fitModel needs at least one sample');
  const ys = samples.map((s) => Math.max(s.ms, MIN_MS));
  const fs = samples.map((s) => feature(model, s.rows));
  const ws = ys.map((y) => 1 / (y * y));

  let intercept: number;
  let slope: number;
  let parameters: number;
  const constantFit = (): void => {
    intercept = weightedMean(ys, ws);
    slope = 0;
    parameters = 1;
  };
  const throughOrigin = (): void => {
    // minimise Σ w (y − b f)²  →  b = Σ w y f / Σ w f²
    const num = sum(ys.map((y, i) => ws[i]! * y * fs[i]!));
    const den = sum(fs.map((f, i) => ws[i]! * f * f));
    intercept = 0;
    slope = den > 0 ? num / den : 0;
    parameters = 1;
  };

  if (model === 'constant') {
    constantFit();
  } else if (samples.length === 1 || new Set(fs).size === 1) {
    throughOrigin();
  } else {
    // Weighted normal equations for y = a + b f.
    const sw = sum(ws);
    const swf = sum(fs.map((f, i) => ws[i]! * f));
    const swff = sum(fs.map((f, i) => ws[i]! * f * f));
    const swy = sum(ys.map((y, i) => ws[i]! * y));
    const swfy = sum(ys.map((y, i) => ws[i]! * fs[i]! * y));
    const det = sw * swff - swf * swf;
    intercept = (swff * swy - swf * swfy) / det;
    slope = (sw * swfy - swf * swy) / det;
    parameters = 2;
    if (!(slope >= 0)) {
      // Shrinking with size is noise around a constant; the growing model degenerates to it.
      constantFit();
      parameters = 2;
    } else if (!(intercept >= 0)) {
      throughOrigin();
      parameters = 2;
    }
  }

  const fitted = { model, intercept: intercept!, slope: slope! };
  const relativeResiduals = samples.map((_, i) => (ys[i]! - predict(fitted, samples[i]!.rows)) / ys[i]!);
  return { ...fitted, parameters: parameters!, relativeResiduals, sse: sum(relativeResiduals.map((r) => r * r)) };
}

/**
 * Relative measurement noise we assume at least (3 %): two samples always fit a two-coefficient curve exactly,
 * and that must not count as evidence that the curve is right.
 */
export const NOISE_FLOOR = 0.03;

/**
 * A Bayesian-information-style score on the relative residuals: lower is better; each coefficient costs ln(n),
 * so a growing model beats the constant only when it explains clearly more than noise.
 */
export function fitScore(fit: ModelFit, sampleCount: number): number {
  const n = sampleCount;
  return n * Math.log(Math.max(fit.sse / n, NOISE_FLOOR * NOISE_FLOOR)) + fit.parameters * Math.log(Math.max(n, 2));
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function weightedMean(values: readonly number[], weights: readonly number[]): number {
  return sum(values.map((v, i) => v * weights[i]!)) / sum(weights);
}
