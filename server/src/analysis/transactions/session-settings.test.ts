import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '@pgsql/types';
import { initParser, parseStatementText } from '../parse/parser';
import { SessionSettingsTracker } from './session-settings';

beforeAll(async () => {
  await initParser();
});

function ast(sql: string): Node {
  const outcome = parseStatementText(sql);
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.nodes[0]!.ast;
}

describe('session settings', () => {
  it('SET LOCAL lasts until the transaction ends and is ignored outside a block', () => {
    const s = new SessionSettingsTracker();
    s.apply(ast("SET LOCAL lock_timeout = '1s'"), 0, false);
    expect(s.value('lock_timeout')).toBeUndefined();
    s.beginTransaction();
    s.apply(ast("SET LOCAL lock_timeout = '1s'"), 1, true);
    expect(s.value('lock_timeout')).toEqual({ text: '1s', scope: 'local', statement: 1 });
    s.endTransaction('commit');
    expect(s.value('lock_timeout')).toBeUndefined();
  });

  it('SET LOCAL overrides the session value for the transaction only; SET TO DEFAULT LOCAL hides it', () => {
    const s = new SessionSettingsTracker();
    s.apply(ast('SET lock_timeout = 2000'), 0, false);
    s.beginTransaction();
    s.apply(ast("SET LOCAL lock_timeout = '5s'"), 1, true);
    expect(s.value('lock_timeout')?.text).toBe('5s');
    s.apply(ast('SET LOCAL lock_timeout TO DEFAULT'), 2, true);
    expect(s.value('lock_timeout')).toBeUndefined();
    s.endTransaction('commit');
    expect(s.value('lock_timeout')?.text).toBe('2000');
  });

  it('a rolled-back transaction undoes session SETs; RESET ALL clears everything', () => {
    const s = new SessionSettingsTracker();
    s.apply(ast("SET statement_timeout = '1min'"), 0, false);
    s.beginTransaction();
    s.apply(ast("SET statement_timeout = '1h'"), 1, true);
    s.endTransaction('rollback');
    expect(s.value('statement_timeout')?.text).toBe('1min');
    s.apply(ast("SET TimeZone = 'UTC'"), 2, false);
    s.apply(ast('RESET ALL'), 3, false);
    expect([s.value('statement_timeout'), s.value('timezone')]).toEqual([undefined, undefined]);
  });

  it('reads set_config with constant arguments, and a zero integer', () => {
    const s = new SessionSettingsTracker();
    s.beginTransaction();
    s.apply(ast("SELECT set_config('lock_timeout', '3s', true)"), 0, true);
    expect(s.value('lock_timeout')).toMatchObject({ text: '3s', scope: 'local' });
    s.apply(ast('SET lock_timeout = 0'), 1, true);
    expect(s.value('lock_timeout')?.text).toBe('0');
  });
});
