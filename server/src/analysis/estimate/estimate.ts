/**
 * From a statement's measured durations at a few table sizes to an estimate at the production size, with a
 * range that says how much to trust it. Pure: samples and facts in, numbers out.
 *
 * The model is chosen by fit quality among the models the statement can physically follow: a statement that
 * rewrites or scans a table (the lock model or the server says so) reads every row, so it is at least linear and
 * only linear and n·log n are offered; one that does the same work at every size (one batch found through an
 * index) is offered constant and log only. The range is the widest of
 *   - the chosen model's prediction times / divided by 1 + 2σ, where σ is the largest of the relative spread of
 *     its residuals, NOISE_FLOOR, and EXTRAPOLATION_SPREAD_PER_DECADE per factor of ten the estimate reaches
 *     beyond the largest sample (three samples cannot show how far their curve can be trusted; this can), and
 *   - the predictions of the other offered models that fit almost as well (score within PLAUSIBLE_SCORE_GAP) —
 *     for a full-table statement both linear and n·log n always count, because whether a sort dominates at 50×
 *     the measured size cannot be told from three small samples.
 */
import { fitModel, fitScore, GROWTH_MODELS, NOISE_FLOOR, predict, type GrowthModel, type ModelFit, type Sample } from './growth';

export interface DurationEstimate {
  /** The row count the estimate is for. */
  rows: number;
  ms: number;
  lowMs: number;
  highMs: number;
  model: GrowthModel;
  /** Other models' predictions that were taken into the range. */
  alternatives: Array<{ model: GrowthModel; ms: number }>;
  /** rows / largest sampled rows: how far the estimate extrapolates (≤ 1 means interpolation). */
  extrapolation: number;
  /** Number of samples the estimate rests on. */
  samples: number;
}

export interface EstimateFacts {
  /** The statement reads or rewrites every row of the table (scan, rewrite, or rows affected grow with it). */
  atLeastLinear: boolean;
  /**
   * The statement does the same work at every size (it affects the same number of rows, through an index): only
   * the constant and log models are offered. Ignored when atLeastLinear.
   */
  sameWork?: boolean;
}

/** Score difference (in fitScore units) within which an alternative model still counts as plausible. */
export const PLAUSIBLE_SCORE_GAP = 2;

/**
 * Relative uncertainty added per factor of ten of extrapolation. Calibrated with `npm run bench:accuracy`
 * (docs/accuracy.md): predicting 10× beyond the largest sample, measured durations fell between 0.66× and 1.53× of
 * the prediction; 0.2 per decade makes the band at 10× [0.71×, 1.4×], before alternative models widen it.
 */
export const EXTRAPOLATION_SPREAD_PER_DECADE = 0.2;

/**
 * Estimates the duration at `targetRows`. Undefined without samples. Samples with the same row count are all
 * used (repeated measurements narrow the fit).
 */
export function estimateDuration(samples: readonly Sample[], targetRows: number, facts: EstimateFacts): DurationEstimate | undefined {
  const usable = samples.filter((s) => Number.isFinite(s.ms) && s.ms >= 0 && s.rows > 0);
  if (usable.length === 0 || !(targetRows > 0)) return undefined;
  const offered: GrowthModel[] = facts.atLeastLinear ? ['linear', 'nlogn'] : facts.sameWork ? ['constant', 'log'] : [...GROWTH_MODELS];
  const fits = offered.map((model) => ({ fit: fitModel(model, usable), score: 0 }));
  for (const entry of fits) entry.score = fitScore(entry.fit, usable.length);

  // Ties go to the simpler model (offered is ordered simplest first).
  let best = fits[0]!;
  for (const entry of fits) if (entry.score < best.score - 1e-9) best = entry;

  const maxRows = Math.max(...usable.map((s) => s.rows));
  const ms = Math.max(0, predict(best.fit, targetRows));
  const decades = Math.log10(Math.max(1, targetRows / maxRows));
  const spread = Math.max(NOISE_FLOOR, residualSpread(best.fit, usable.length), EXTRAPOLATION_SPREAD_PER_DECADE * decades);
  // Multiplicative: durations err by factors, and the lower end must stay positive however far we extrapolate.
  const factor = 1 + 2 * spread;
  let lowMs = ms / factor;
  let highMs = ms * factor;

  const alternatives: Array<{ model: GrowthModel; ms: number }> = [];
  for (const entry of fits) {
    if (entry === best) continue;
    const physicallyPlausible = facts.atLeastLinear && entry.fit.model !== 'constant';
    if (!physicallyPlausible && entry.score > best.score + PLAUSIBLE_SCORE_GAP) continue;
    const alt = Math.max(0, predict(entry.fit, targetRows));
    alternatives.push({ model: entry.fit.model, ms: alt });
    lowMs = Math.min(lowMs, alt);
    highMs = Math.max(highMs, alt);
  }
  if (usable.length === 1) {
    // One point cannot separate fixed from per-row cost: the fit put all of it on rows (upper end for growth);
    // the lower end assumes half of it was fixed cost.
    const only = usable[0]!;
    const ratio = targetRows / only.rows;
    const halfFixed = only.ms / 2 + (only.ms / 2) * (facts.atLeastLinear ? ratio : 1);
    lowMs = Math.min(lowMs, halfFixed);
    if (!facts.atLeastLinear) highMs = Math.max(highMs, only.ms * 2);
  }
  if (facts.atLeastLinear && targetRows >= maxRows) {
    // Reading more rows never takes less time than reading fewer did.
    const slowestLargest = Math.max(...usable.filter((s) => s.rows === maxRows).map((s) => s.ms));
    lowMs = Math.max(lowMs, Math.min(slowestLargest, ms));
  }
  return {
    rows: targetRows,
    ms,
    lowMs: Math.min(lowMs, ms),
    highMs: Math.max(highMs, ms),
    model: best.fit.model,
    alternatives,
    extrapolation: targetRows / maxRows,
    samples: usable.length,
  };
}

/** Root-mean-square relative residual, with the degrees of freedom the fit left (at least one). */
function residualSpread(fit: ModelFit, n: number): number {
  return Math.sqrt(fit.sse / Math.max(1, n - fit.parameters));
}

export interface DurationRange {
  ms: number;
  lowMs: number;
  highMs: number;
}

/**
 * The duration of several consecutive pieces of work (the statements a lock stays held across, plus the COMMIT
 * that releases it). Ranges add up end to end: the pessimistic case is every piece being slow.
 */
export function addDurations(parts: readonly DurationRange[]): DurationRange {
  let ms = 0;
  let lowMs = 0;
  let highMs = 0;
  for (const part of parts) {
    ms += part.ms;
    lowMs += part.lowMs;
    highMs += part.highMs;
  }
  return { ms, lowMs, highMs };
}
