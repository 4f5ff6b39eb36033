import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_FRAMEWORKS,
  formatProblem,
  parseConfig,
  resolveSeverity,
  RULE_SETTINGS,
  TRANSACTION_OVERRIDES,
  validateStatsFile,
  type ConfigParse,
  type ConfigProblem,
} from './config';
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
      tables: { orders: { rows: 50_000_000, bytes: 12_000_000_000 }, 'app."Order"': {} },
      statsFile: 'stats.json',
      lockTimeout: '2s',
      statementTimeout: '5min',
      transaction: 'per-file',
    });
    const result = parseConfig(text, { knownRules });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.rules).toEqual({ 'create-index-nonconcurrent': 'error', 'missing-lock-timeout': 'off' });
    if (result.ok) expect(result.config.tables).toEqual({ orders: { rows: 50_000_000, bytes: 12_000_000_000 }, 'app."Order"': {} });
  });

  it('names the JSON path, the value and what to write for each invalid setting', () => {
    const text = JSON.stringify({
      pgVersion: 9,
      framwork: 'goose',
      rules: { 'create-index-nonconcurent': 'error', 'missing-lock-timeout': 'loud' },
      tables: { orders: { rows: -1, size: 3, byte: 1 }, users: { bytes: '1 GB' } },
      lockTimeout: '2 seconds',
      statementTimeout: '0',
      transaction: 'always',
    });
    expect(problems(text)).toEqual([
      '$.framwork: unknown setting "framwork" (did you mean "framework"?); the settings are pgVersion, framework, migrations, rules, tables, statsFile, lockTimeout, statementTimeout, transaction',
      '$.pgVersion: expected a PostgreSQL major version from 12 to 18 (a number, e.g. 16), got 9',
      '$.rules["create-index-nonconcurent"]: unknown rule "create-index-nonconcurent" (did you mean "create-index-nonconcurrent"?); the rules are listed in docs/rules/README.md',
      '$.rules["missing-lock-timeout"]: expected "off", "info", "warning" or "error", got "loud"',
      '$.tables.orders.size: unknown table fact "size"; the facts are "rows" (row count) and "bytes" (size on disk)',
      '$.tables.orders.byte: unknown table fact "byte" (did you mean "bytes"?); the facts are "rows" (row count) and "bytes" (size on disk)',
      '$.tables.orders.rows: expected a row count ≥ 0, got -1',
      '$.tables.users.bytes: expected a size in bytes ≥ 0, got "1 GB"',
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

describe('stats files (lockstep stats output)', () => {
  it('accepts what lockstep stats writes: tables with rows and bytes, when, where from, notes', () => {
    const problems: ConfigProblem[] = [];
    const stats = validateStatsFile(
      {
        tables: { 'public.orders': { rows: 50_000_000, bytes: 9_000_000_000 }, 'app."Order"': { bytes: 8192 } },
        collectedAt: '2026-11-22T01:00:00.000Z',
        server: '17.10',
        database: 'shop',
        notes: ['app."Order" has never been analyzed'],
      },
      '$',
      problems,
    );
    expect(problems).toEqual([]);
    expect(stats).toMatchObject({ server: '17.10', database: 'shop', tables: { 'public.orders': { rows: 50_000_000, bytes: 9_000_000_000 } } });
  });

  it('names what is wrong, with the path inside the stats file', () => {
    const problems: ConfigProblem[] = [];
    validateStatsFile({ table: {}, server: 17, notes: 'x' }, '$.statsFile (s.json): $', problems);
    expect(problems.map(formatProblem)).toEqual([
      '$.statsFile (s.json): $.table: unknown key "table" (did you mean "tables"?); a stats file holds "tables", "collectedAt", "server", "database", "notes"',
      '$.statsFile (s.json): $.tables: expected an object of table name → {"rows": number}, e.g. {"orders": {"rows": 50000000}}, got nothing',
    ]);
    const more: ConfigProblem[] = [];
    validateStatsFile({ tables: {}, server: 17, notes: 'x' }, '$', more);
    expect(more.map(formatProblem)).toEqual(['$.server: expected a string, got 17', '$.notes: expected a list of strings, got "x"']);
    const notObject: ConfigProblem[] = [];
    expect(validateStatsFile([], '$', notObject)).toBeUndefined();
    expect(notObject).toHaveLength(1);
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
