/**
 * PostgreSQL time values as `SET lock_timeout` and lockstep.json accept them: a number with an optional unit
 * (us, ms, s, min, h, d — case-sensitive, as PostgreSQL's GUC parser wants them), whitespace allowed between.
 * Without a unit the setting's base unit applies: milliseconds for lock_timeout and statement_timeout.
 * See https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-NAMES-VALUES.
 */

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

export type DurationParse = { ok: true; ms: number } | { ok: false; error: string };

export function parseDuration(value: string | number): DurationParse {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? { ok: true, ms: value } : { ok: false, error: `expected a duration ≥ 0, got ${value}` };
  }
  const m = /^\s*([+]?\d+(?:\.\d*)?|[+]?\.\d+)\s*([a-z]*)\s*$/.exec(value);
  if (!m) return { ok: false, error: `"${value}" is not a duration; write a number and a unit, e.g. "2s", "500ms" or "1min"` };
  const unit = m[2] ?? '';
  const factor = unit === '' ? 1 : UNIT_MS[unit];
  if (factor === undefined) {
    return { ok: false, error: `unknown unit "${unit}" in "${value}"; use us, ms, s, min, h or d` };
  }
  return { ok: true, ms: Number(m[1]) * factor };
}

/** A duration for messages: "2s", "500ms", "1.5min", "0 (no limit)". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0 (no limit)';
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 1000 === 0 && (ms / 60_000) % 0.5 === 0) return `${ms / 60_000}min`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
