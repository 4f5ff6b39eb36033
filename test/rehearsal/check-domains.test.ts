// The CHECK reader on expressions as PostgreSQL renders them (pg_get_expr / pg_get_constraintdef).
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer';
import { readCheck } from '../../server/src/rehearsal/seed/check-domains';

beforeAll(async () => {
  await initParser();
});

describe('readCheck', () => {
  it('reads ranges, BETWEEN (rendered as AND), IN lists (rendered as = ANY), lengths and NOT NULL', () => {
    expect(readCheck('((q >= 1) AND (q <= 10))')).toEqual({ understood: true, domains: new Map([['q', { min: 1, max: 10 }]]) });
    expect(readCheck("(total > '-1'::integer)").domains.get('total')).toEqual({ min: -1, minExclusive: true });
    expect(readCheck('(price > (0)::numeric)').domains.get('price')).toEqual({ min: 0, minExclusive: true });
    expect(readCheck("((status)::text = ANY ((ARRAY['new'::character varying, 'paid'::character varying])::text[]))").domains.get('status')).toEqual({
      allowed: ['new', 'paid'],
    });
    expect(readCheck('(char_length(name) <= 40)').domains.get('name')).toEqual({ maxLength: 40 });
    expect(readCheck("(btrim(name) <> ''::text)").domains.get('name')).toEqual({ minLength: 1 });
    expect(readCheck('(x IS NOT NULL)').domains.get('x')).toEqual({ notNull: true });
    // A constant on the left flips the comparison.
    expect(readCheck('(0 < n)').domains.get('n')).toEqual({ min: 0, minExclusive: true });
    // Domain checks name the value VALUE.
    expect(readCheck('((VALUE > 0))').domains.get('value')).toEqual({ min: 0, minExclusive: true });
  });

  it('says so when it cannot read a check, keeping what it could', () => {
    expect(readCheck("(code ~ '^[A-Z]+$'::text)").understood).toBe(false);
    expect(readCheck('(ends_on > starts_on)').understood).toBe(false);
    const partial = readCheck("((n > 0) AND ((n % 2) = 0))");
    expect(partial.understood).toBe(false);
    expect(partial.domains.get('n')).toEqual({ min: 0, minExclusive: true });
    expect(readCheck('((a > 0) OR (b > 0))').understood).toBe(false);
  });
});
