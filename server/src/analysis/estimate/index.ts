// Public surface of the duration estimator: growth-model fitting and extrapolation (pure, no I/O).
export { feature, fitModel, fitScore, predict, GROWTH_MODELS, NOISE_FLOOR, type GrowthModel, type ModelFit, type Sample } from './growth';
export { addDurations, estimateDuration, EXTRAPOLATION_SPREAD_PER_DECADE, PLAUSIBLE_SCORE_GAP, type DurationEstimate, type DurationRange, type EstimateFacts } from './estimate';
