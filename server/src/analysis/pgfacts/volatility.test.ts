import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '@pgsql/types';
import { initParser } from '../analyzer';
import { parseStatementText } from '../parse/parser';
import { explainVolatility, expressionVolatility, type FunctionVolatilityLookup } from './volatility';

beforeAll(async () => {
  await initParser();
});

/** The raw parse tree of one expression, as a DEFAULT clause would hold it. */
function expr(sql: string): Node {
  const outcome = parseStatementText(`SELECT ${sql}`);
  if (!outcome.ok) throw new Error(`test expression does not parse: ${sql}: ${outcome.message}`);
  const select = (outcome.nodes[0]!.ast as { SelectStmt: { targetList: { ResTarget: { val: Node } }[] } }).SelectStmt;
  return select.targetList[0]!.ResTarget.val;
}

const volatility = (sql: string, lookup?: FunctionVolatilityLookup) => expressionVolatility(expr(sql), lookup);

describe('expressionVolatility', () => {
  it.each([
    ['42', 'immutable'],
    ["'pending'", 'immutable'],
    ['NULL', 'immutable'],
    ["'{}'::jsonb", 'immutable'],
    ['0::bigint', 'immutable'],
    ["lower('ABC')", 'immutable'],
    ["coalesce(NULL, 'x')", 'immutable'],
    ['ARRAY[1, 2]', 'immutable'],
    ['NOT true', 'immutable'],
  ])('%s is %s', (sql, expected) => {
    expect(volatility(sql)).toBe(expected);
  });

  it.each([
    ['now()', 'stable'],
    ['CURRENT_TIMESTAMP', 'stable'],
    ['current_date', 'stable'],
    ['LOCALTIMESTAMP(3)', 'stable'],
    ['CURRENT_USER', 'stable'],
    ['statement_timestamp()', 'stable'],
    ["now() + interval '1 day'", 'stable'],
    ["to_char(now(), 'YYYY')", 'stable'],
    // A literal read as timestamptz depends on the TimeZone setting: stable, evaluated once.
    ["'2024-01-01'::timestamptz", 'stable'],
    ["'active'::order_status", 'stable'],
    ['pg_catalog.now()', 'stable'],
  ])('%s is %s', (sql, expected) => {
    expect(volatility(sql)).toBe(expected);
  });

  it.each([
    ['random()', 'random'],
    ['gen_random_uuid()', 'gen_random_uuid'],
    ['clock_timestamp()', 'clock_timestamp'],
    ['timeofday()', 'timeofday'],
    ["nextval('orders_id_seq'::regclass)", 'nextval'],
    ['uuid_generate_v4()', 'uuid_generate_v4'],
    ['public.uuid_generate_v4()', 'public.uuid_generate_v4'],
    ['uuidv7()', 'uuidv7'],
    ["md5(random()::text)", 'random'],
    ['CASE WHEN true THEN 1 ELSE floor(random() * 10)::int END', 'random'],
    ['coalesce(NULL, (random() * 100)::int)', 'random'],
    ['greatest(1, (random() * 10)::int)', 'random'],
    ["'x' || gen_random_uuid()::text", 'gen_random_uuid'],
  ])('%s is volatile because of %s', (sql, culprit) => {
    const verdict = explainVolatility(expr(sql));
    expect(verdict.volatility).toBe('volatile');
    expect(verdict.culprit?.name).toBe(culprit);
  });

  it('reports a function it does not know as unknown, naming it', () => {
    const verdict = explainVolatility(expr('my_schema.make_code(8)'));
    expect(verdict).toMatchObject({ volatility: 'unknown', culprit: { kind: 'function', name: 'my_schema.make_code' } });
    expect(volatility('make_code()')).toBe('unknown');
  });

  it('lets a volatile call win over an unknown one, wherever it sits', () => {
    expect(volatility('make_code() || random()::text')).toBe('volatile');
    expect(volatility('random()::text || make_code()')).toBe('volatile');
  });

  it('asks the catalog lookup about functions that are not built in', () => {
    const lookup: FunctionVolatilityLookup = ({ schema, name }) =>
      name === 'make_code' && schema === undefined ? 'immutable' : name === 'next_ref' ? 'volatile' : undefined;
    expect(volatility('make_code()', lookup)).toBe('immutable');
    expect(volatility('app.next_ref()', lookup)).toBe('volatile');
    expect(volatility('other()', lookup)).toBe('unknown');
  });

  it('does not let a lookup shadow a builtin called unqualified (pg_catalog is searched first)', () => {
    const lookup: FunctionVolatilityLookup = () => 'volatile';
    expect(volatility('lower(name)', lookup)).toBe('immutable');
  });

  it('treats sub-selects as unknown rather than safe', () => {
    expect(explainVolatility(expr('(SELECT 1)'))).toMatchObject({ volatility: 'unknown', culprit: { name: 'SubLink' } });
  });

  it('points the culprit at the call by its byte location', () => {
    const verdict = explainVolatility(expr("'a' || random()::text"));
    // "SELECT 'a' || random()": random starts at byte 14.
    expect(verdict.culprit?.location).toBe(14);
  });
});
