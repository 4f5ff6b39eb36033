import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET_MS, DEFAULT_REPEAT, DEFAULT_SIZES, DEFAULT_THRESHOLD_MS } from '../../../server/src/rehearsal/engine';
import { rehearsalOptions, validateDatabaseUrl } from './settings';

const reader = (values: Record<string, unknown>) => ({ get: <T>(key: string) => values[key] as T | undefined });

describe('rehearsalOptions', () => {
  it('turns valid settings into request options (seconds → ms)', () => {
    const { params, problems } = rehearsalOptions(
      reader({ 'rehearsal.sizes': [1000, 5000], 'rehearsal.rows': { orders: 50_000_000 }, 'rehearsal.budgetSeconds': 30, 'rehearsal.thresholdSeconds': 0.5, 'rehearsal.repeat': 1 }),
    );
    expect(problems).toEqual([]);
    expect(params).toEqual({ sizes: [1000, 5000], rows: { orders: 50_000_000 }, budgetMs: 30_000, thresholdMs: 500, repeat: 1 });
  });

  it('leaves out an invalid setting and says which and why', () => {
    const { params, problems } = rehearsalOptions(reader({ 'rehearsal.sizes': [0, 'x'], 'rehearsal.rows': ['orders'], 'rehearsal.budgetSeconds': -1, 'rehearsal.repeat': 99 }));
    expect(params).toEqual({});
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^setting lockstep\.rehearsal\.sizes: /);
  });

  it('turns on the workload and remote servers only for a literal true', () => {
    expect(rehearsalOptions(reader({ 'rehearsal.workload': true, 'rehearsal.allowRemote': true })).params).toEqual({ workload: true, allowRemote: true });
    expect(rehearsalOptions(reader({ 'rehearsal.workload': false, 'rehearsal.allowRemote': false })).params).toEqual({});
    const typo = rehearsalOptions(reader({ 'rehearsal.allowRemote': 'yes' }));
    expect(typo.params).toEqual({});
    expect(typo.problems).toEqual(['setting lockstep.rehearsal.allowRemote: expected true or false, got "yes"; using false']);
  });

  it('sends nothing for an empty rows object, so the server reports "no target"', () => {
    expect(rehearsalOptions(reader({ 'rehearsal.rows': {} })).params).toEqual({});
  });
});

describe('package.json contributes the engine\'s defaults', () => {
  it('keeps each lockstep.rehearsal.* default equal to the engine\'s', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
    };
    const defaults = Object.fromEntries(Object.entries(manifest.contributes.configuration.properties).map(([k, v]) => [k, v.default]));
    expect(defaults['lockstep.rehearsal.sizes']).toEqual([...DEFAULT_SIZES]);
    expect(defaults['lockstep.rehearsal.budgetSeconds']).toBe(DEFAULT_BUDGET_MS / 1000);
    expect(defaults['lockstep.rehearsal.thresholdSeconds']).toBe(DEFAULT_THRESHOLD_MS / 1000);
    expect(defaults['lockstep.rehearsal.repeat']).toBe(DEFAULT_REPEAT);
    // Both change what a rehearsal does to a database or how long it takes: off unless the user turns them on.
    expect(defaults['lockstep.rehearsal.workload']).toBe(false);
    expect(defaults['lockstep.rehearsal.allowRemote']).toBe(false);
  });
});

describe('validateDatabaseUrl', () => {
  it('accepts postgres URLs and never echoes the password in a complaint', () => {
    expect(validateDatabaseUrl('postgres://me:pw@localhost:5432/db')).toBeUndefined();
    expect(validateDatabaseUrl('postgresql:///db?host=/var/run/postgresql')).toBeUndefined();
    expect(validateDatabaseUrl('postgres:///db')).toMatch(/no host/);
    const complaint = validateDatabaseUrl('mysql://me:hunter2@localhost/db');
    expect(complaint).toMatch(/scheme/);
    expect(complaint).not.toContain('hunter2');
    expect(validateDatabaseUrl('not a url hunter2')).not.toContain('hunter2');
  });
});
