import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../parse/parser';
import { Catalog } from './catalog';
import { catalogFunctionVolatility, catalogSchemaLookup } from './schema-lookup';
import { replaySql } from './testing';

beforeAll(async () => {
  await initParser();
});

const EARLIER = `
  CREATE TABLE m (id bigserial, at date NOT NULL, note varchar(20)[], PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
  CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE t (a int, b int GENERATED ALWAYS AS IDENTITY, CONSTRAINT a_nn CHECK (a IS NOT NULL AND a > 0));
  CREATE FUNCTION f(x int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT x';
  CREATE FUNCTION f(x text) RETURNS int STABLE LANGUAGE sql AS 'SELECT 1';`;

describe('catalogSchemaLookup', () => {
  it('answers the lock model from the catalog', () => {
    const catalog = new Catalog();
    replaySql(catalog, EARLIER, '001.sql');
    replaySql(catalog, 'CREATE TABLE fresh (a int)', '002.sql');
    const lookup = catalogSchemaLookup(catalog, { file: '002.sql', transactionStart: 0 });
    expect(lookup.resolve({ relname: 'm1' })).toBe('public.m1');
    expect(lookup.resolve({ relname: 'nowhere' })).toBe('public.nowhere');
    expect(lookup.relationKind('public.m')).toBe('partitioned table');
    expect(lookup.relationKind('public.m_pkey')).toBe('partitioned index');
    expect(lookup.relationKind('public.m1_pkey')).toBe('index');
    expect(lookup.relationKind('public.m_id_seq')).toBe('sequence');
    expect(lookup.relationKind('public.nowhere')).toBeUndefined();
    expect(lookup.indexesOf('public.m')).toEqual(['public.m_pkey']);
    expect(lookup.tableOfIndex('public.m1_pkey')).toBe('public.m1');
    expect(lookup.partitionsOf('public.m')).toEqual(['public.m1']);
    expect(lookup.parentOf('public.m1')).toBe('public.m');
    expect(lookup.sequencesOf('public.m')).toEqual(['public.m_id_seq']);
    expect(lookup.sequencesOf('public.t')).toEqual(['public.t_b_seq']);
    expect(lookup.column('public.m', 'note')).toEqual({
      name: 'note',
      type: {
        names: [{ String: { sval: 'pg_catalog' } }, { String: { sval: 'varchar' } }],
        typmods: [{ A_Const: { ival: { ival: 20 } } }],
        typemod: -1,
        arrayBounds: [{ Integer: { ival: -1 } }],
      },
      notNull: false,
    });
    expect(lookup.column('public.t', 'b')).toMatchObject({ identity: 'always', notNull: true });
    expect(lookup.hasValidatedNotNullCheck('public.t', 'a')).toBe(true);
    expect(lookup.hasValidatedNotNullCheck('public.t', 'b')).toBe(false);
    expect(lookup.functionVolatility('f')).toBe('stable');
    expect(lookup.functionVolatility('g')).toBeUndefined();
    expect(lookup.createdInCurrentTransaction('public.fresh')).toBe(true);
    expect(lookup.createdInCurrentTransaction('public.t')).toBe(false);
    expect(catalogSchemaLookup(catalog).createdInCurrentTransaction('public.fresh')).toBe(false);
  });

  it('does not count a NOT VALID check as proof', () => {
    const catalog = new Catalog();
    replaySql(catalog, 'CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;');
    const lookup = catalogSchemaLookup(catalog);
    expect(lookup.hasValidatedNotNullCheck('public.t', 'a')).toBe(false);
    replaySql(catalog, 'ALTER TABLE t VALIDATE CONSTRAINT c');
    expect(lookup.hasValidatedNotNullCheck('public.t', 'a')).toBe(true);
  });
});

describe('catalogFunctionVolatility', () => {
  it('looks user functions up by schema and name', () => {
    const catalog = new Catalog();
    replaySql(catalog, `CREATE SCHEMA "Util"; ${EARLIER} CREATE FUNCTION "Util".pick() RETURNS int VOLATILE LANGUAGE sql AS 'SELECT 1';`);
    const lookup = catalogFunctionVolatility(catalog);
    expect(lookup({ name: 'f' })).toBe('stable');
    expect(lookup({ schema: 'Util', name: 'pick' })).toBe('volatile');
    expect(lookup({ schema: 'public', name: 'pick' })).toBeUndefined();
  });
});
