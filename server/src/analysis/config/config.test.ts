import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_FRAMEWORKS, formatProblem, parseConfig, resolveSeverity, RULE_SETTINGS, TRANSACTION_OVERRIDES, type ConfigParse } from './config';
import { formatDuration, parseDuration } from './durations';

const knownRules = ['create-index-nonconcurrent', 'missing-lock-timeout', 'unused-ignore'];

function problems(text: string): string[] {
  const result: ConfigParse = parseConfig(text, { knownRules });
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('lockstep.json', () => {
  it('accepts every documented setting', () => {
    const text = JSON.stringify({
      $schema: './node_modules/lockstep/schemas/lockstep.schema.json',
      pgVersion: 16,
      framework: 'goose',
      migrations: ['db/migrations'],
      rules: { 'create-index-nonconcurrent': 'error', 'missing-lock-timeout': 'off' },
      tables: { orders: { rows: 50_000_000 }, 'app."Order"': {} },
      statsFile: 'stats.json',
      lockTimeout: '2s',
      statementTimeout: '5min',
      transaction: 'per-file',
    });
    const result = parseConfig(text, { knownRules });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.rules).toEqual({ 'create-index-nonconcurrent': 'error', 'missing-lock-timeout': 'off' });
  });

  it('names the JSON path, the value and what to write for each invalid setting', () => {
    const text = JSON.stringify({
      pgVersion: 9,
      framwork: 'goose',
      rules: { 'create-index-nonconcurent': 'error', 'missing-lock-timeout': 'loud' },
      tables: { orders: { rows: -1, size: 3 } },
      lockTimeout: '2 seconds',
      statementTimeout: '0',
      transaction: 'always',
    });
    expect(problems(text)).toEqual([
      '$.framwork: unknown setting "framwork" (did you mean "framework"?); the settings are pgVersion, framework, migrations, rules, tables, statsFile, lockTimeout, statementTimeout, transaction',
      '$.pgVersion: expected a PostgreSQL major version from 12 to 18 (a number, e.g. 16), got 9',
      '$.rules["create-index-nonconcurent"]: unknown rule "create-index-nonconcurent" (did you mean "create-index-nonconcurrent"?); the rules are listed in docs/rules/README.md',
      '$.rules["missing-lock-timeout"]: expected "off", "info", "warning" or "error", got "loud"',
      '$.tables.orders.size: unknown table fact "size"; only "rows" is read',
      '$.tables.orders.rows: expected a row count ≥ 0, got -1',
      '$.lockTimeout: unknown unit "seconds" in "2 seconds"; use us, ms, s, min, h or d',
      '$.statementTimeout: "0" means no limit; give the longest acceptable value, e.g. "2s"',
      '$.transaction: expected "per-file" (the runner wraps each file in a transaction), "none" (each statement on its own) or "single-query" (the file is sent as one query), got "always"',
    ]);
  });

  it('points a JSON syntax error at its line and column', () => {
    const [problem] = problems('{\n  "pgVersion": 16,\n}\n');
    expect(problem).toMatch(/^\$ \(line 3, column 1\): not valid JSON: .*no comments, no trailing commas$/);
  });

  it('rejects a config that is not an object', () => {
    expect(problems('[1]')).toEqual(['$: expected a JSON object like {"pgVersion": 16}, got [1]']);
  });

  it('resolves severities: configured setting, else the rule default', () => {
    expect(resolveSeverity('missing-lock-timeout', 'warning', { 'missing-lock-timeout': 'off' })).toBe('off');
    expect(resolveSeverity('create-index-nonconcurrent', 'warning', {})).toBe('warning');
  });
});

describe('durations', () => {
  it('reads PostgreSQL time values', () => {
    expect(['2s', '500ms', '1.5min', '1 h', '2000', '250us', '1d'].map((v) => parseDuration(v))).toEqual([
      { ok: true, ms: 2000 },
      { ok: true, ms: 500 },
      { ok: true, ms: 90_000 },
      { ok: true, ms: 3_600_000 },
      { ok: true, ms: 2000 },
      { ok: true, ms: 0.25 },
      { ok: true, ms: 86_400_000 },
    ]);
    expect(parseDuration('2S').ok).toBe(false);
    expect(parseDuration('soon').ok).toBe(false);
  });

  it('formats them back', () => {
    expect([2000, 500, 90_000, 60_000, 3_600_000, 0].map(formatDuration)).toEqual(['2s', '500ms', '1.5min', '1min', '1h', '0 (no limit)']);
  });
});

describe('schemas/lockstep.schema.json', () => {
  const schema = JSON.parse(readFileSync(new URL('../../../../schemas/lockstep.schema.json', import.meta.url), 'utf8'));

  it('describes exactly the settings the parser accepts, with the same allowed values', () => {
    const accepted = Object.keys(schema.properties).filter((k) => k !== '$schema');
    const result = parseConfig(JSON.stringify(Object.fromEntries(accepted.map((k) => [k, null]))), { knownRules });
    // Every schema key is known to the parser (only its value is rejected, never the key).
    expect(result.ok ? [] : result.problems.filter((p) => p.message.startsWith('unknown setting'))).toEqual([]);
    expect(problems(JSON.stringify({ notInSchema: 1 }))[0]).toMatch(/unknown setting/);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.framework.enum).toEqual([...CONFIG_FRAMEWORKS]);
    expect(schema.properties.transaction.enum).toEqual([...TRANSACTION_OVERRIDES]);
    expect(schema.properties.rules.additionalProperties.enum).toEqual([...RULE_SETTINGS]);
  });

  it('accepts the durations the parser accepts and rejects the ones it rejects', () => {
    const pattern = new RegExp(schema.properties.lockTimeout.pattern);
    for (const value of ['2s', '500ms', '1.5min', '1 h', '2000']) expect(pattern.test(value), value).toBe(true);
    for (const value of ['2 seconds', '2S', 'soon']) expect(pattern.test(value), value).toBe(false);
  });
});
