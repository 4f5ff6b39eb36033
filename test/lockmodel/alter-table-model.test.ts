/**
 * Predictions of the ALTER TABLE lock facts checked directly (no server): how several subcommands merge, that a
 * subcommand or shape without a fact leaves the statement `unknown`, and the inputs the proof suite cannot vary
 * (PostgreSQL major, session TimeZone). What each fact claims is proven on the server by proof.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseStatementText } from '../../server/src/analysis/parse/parser';
import { replayMigrations } from '../../server/src/analysis/schema-context';
import { catalogSchemaLookup } from '../../server/src/analysis/catalog/schema-lookup';
import { statementEffect, type StatementEffect } from '../../server/src/analysis/lockmodel/model';
import type { SessionSettings } from '../../server/src/analysis/lockmodel/schema';

beforeAll(async () => {
  await initParser();
});

const SCHEMA = `
  CREATE TABLE t (id bigint PRIMARY KEY, a int, b text, ts timestamp);
  CREATE INDEX t_a_idx ON t (a);
  CREATE TABLE m (id bigint NOT NULL, day date NOT NULL, a int, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);
  CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE m_2026 (id bigint NOT NULL, day date NOT NULL, a int);
  CREATE VIEW t_view AS SELECT id, a FROM t;`;

function effect(sql: string, options: { pgVersion?: number; settings?: SessionSettings; schema?: string } = {}): StatementEffect {
  const catalog = replayMigrations([{ path: 'schema.sql', text: options.schema ?? SCHEMA }]);
  const parsed = parseStatementText(sql);
  if (!parsed.ok || parsed.nodes.length !== 1) throw new Error(`expected one statement: ${sql}`);
  return statementEffect(parsed.nodes[0]!.ast, {
    schema: catalogSchemaLookup(catalog),
    settings: options.settings ?? {},
    pgVersion: options.pgVersion ?? 17,
  });
}

const locksOf = (e: StatementEffect) => Object.fromEntries(e.locks.map((l) => [l.relation, l.mode]));

describe('ALTER TABLE with several subcommands', () => {
  it('keeps the strongest mode per relation and applies one fact per subcommand', () => {
    const e = effect('ALTER TABLE t ALTER COLUMN a SET STATISTICS 100, ADD COLUMN c int');
    expect(e.unknown).toBe(false);
    expect(e.facts.map((f) => f.id)).toEqual(['alter-table.alter-column.set-statistics', 'alter-table.add-column']);
    expect(locksOf(e)).toEqual({ 'public.t': 'AccessExclusiveLock' });
    expect(e.blocks.reads).toEqual(['public.t']);
  });

  it('stays at SHARE UPDATE EXCLUSIVE when every subcommand does', () => {
    const e = effect('ALTER TABLE t ALTER COLUMN a SET STATISTICS 100, SET (fillfactor = 50, autovacuum_enabled = off)');
    expect(locksOf(e)).toEqual({ 'public.t': 'ShareUpdateExclusiveLock' });
    expect(e.blocks.reads).toEqual([]);
    expect(e.blocks.writes).toEqual([]);
  });

  it('unions scans and rewrites of the subcommands', () => {
    const e = effect("ALTER TABLE t ADD COLUMN c int, ALTER COLUMN b SET NOT NULL, ADD CONSTRAINT b_chk CHECK (b <> '')");
    expect(e.scans).toEqual(['public.t']);
    expect(e.rewrites).toEqual([]);
    const rewrite = effect('ALTER TABLE t ALTER COLUMN a TYPE bigint, ALTER COLUMN b SET NOT NULL');
    expect(rewrite.rewrites).toEqual(['public.t', 'public.t_a_idx', 'public.t_pkey']);
    expect(rewrite.facts.map((f) => f.id)).toEqual(['alter-table.alter-column-type.rewrite', 'alter-table.alter-column.set-not-null']);
  });
});

describe('honest unknowns', () => {
  it('marks a subcommand without a fact unknown, keeping what the others prove', () => {
    const e = effect('ALTER TABLE t ADD COLUMN c int, OF pair', { schema: SCHEMA + ' CREATE TYPE pair AS (id bigint, a int);' });
    expect(e.unknown).toBe(true);
    expect(e.unknownParts).toEqual(['ALTER TABLE subcommand AT_AddOf']);
    expect(locksOf(e)['public.t']).toBe('AccessExclusiveLock');
  });

  it('copies a table moved to another tablespace, but not its indexes (proven with an in-place tablespace)', () => {
    const moved = effect('ALTER TABLE t SET TABLESPACE fast_ssd');
    expect(moved.unknown).toBe(false);
    expect(moved.rewrites).toEqual(['public.t']);
    expect(locksOf(moved)).toEqual({ 'public.t': 'AccessExclusiveLock' });
    expect(effect('ALTER TABLE t SET TABLESPACE pg_default').rewrites).toEqual([]);
    expect(effect('ALTER TABLE m SET TABLESPACE fast_ssd').rewrites).toEqual([]);
  });

  it('does not guess an interval typmod change or a DEFAULT of unknown volatility', () => {
    const interval = 'CREATE TABLE i (id int, d interval(3));';
    expect(effect('ALTER TABLE i ALTER COLUMN d TYPE interval(2)', { schema: interval }).unknown).toBe(true);
    expect(effect('ALTER TABLE i ALTER COLUMN d TYPE interval', { schema: interval }).unknown).toBe(false);
    expect(effect('ALTER TABLE t ADD COLUMN c int DEFAULT not_replayed_function()').unknown).toBe(true);
  });

  it('leaves DROP COLUMN … CASCADE unknown when views could be dropped with it', () => {
    expect(effect('ALTER TABLE t DROP COLUMN a CASCADE').unknown).toBe(true);
    expect(effect('ALTER TABLE t DROP COLUMN a').unknown).toBe(false);
  });

  it('leaves DROP / VALIDATE of a constraint the catalog does not know unknown', () => {
    expect(effect('ALTER TABLE t DROP CONSTRAINT not_in_catalog').unknown).toBe(true);
    expect(effect('ALTER TABLE t VALIDATE CONSTRAINT not_in_catalog').unknown).toBe(true);
  });
});

describe('ALTER TABLE on an inheritance parent', () => {
  const inherited = SCHEMA + ' CREATE TABLE p (id int PRIMARY KEY, a int); CREATE TABLE c1 () INHERITS (p); CREATE TABLE g1 () INHERITS (c1);';

  it('names the children (all levels) for subcommands proven to recurse, none under ONLY', () => {
    const e = effect('ALTER TABLE p ADD COLUMN c int', { schema: inherited });
    expect(e.unknown).toBe(false);
    expect(locksOf(e)).toEqual({ 'public.p': 'AccessExclusiveLock', 'public.c1': 'AccessExclusiveLock', 'public.g1': 'AccessExclusiveLock' });
    expect(locksOf(effect('ALTER TABLE ONLY p ALTER COLUMN a SET DEFAULT 0', { schema: inherited }))).toEqual({ 'public.p': 'AccessExclusiveLock' });
  });

  it('says unknown for a subcommand whose fact does not say whether it reaches the children', () => {
    // ENABLE TRIGGER recurses to partitions; whether it reaches inheritance children is not proven.
    const e = effect('ALTER TABLE p ENABLE TRIGGER ALL', { schema: inherited });
    expect(e.unknown).toBe(true);
    expect(e.unknownParts.join(' ')).toContain('inheritance children (public.c1)');
    // The same subcommand on a table without children stays known.
    expect(effect('ALTER TABLE t ENABLE TRIGGER ALL', { schema: inherited }).unknown).toBe(false);
    // A fact that says the children are left alone stays known on the parent.
    expect(effect('ALTER TABLE p SET (fillfactor = 70)', { schema: inherited }).unknown).toBe(false);
  });
});

describe('inputs the proof suite cannot vary', () => {
  const toTimestamptz = 'ALTER TABLE t ALTER COLUMN ts TYPE timestamptz';

  it('rewrites timestamp → timestamptz unless the session TimeZone is known to be a fixed UTC offset', () => {
    expect(effect(toTimestamptz).rewrites).toContain('public.t');
    expect(effect(toTimestamptz, { settings: { timeZone: 'Europe/London' } }).rewrites).toContain('public.t');
    expect(effect(toTimestamptz, { settings: { timeZone: 'UTC' } }).rewrites).toEqual([]);
    expect(effect(toTimestamptz, { settings: { timeZone: 'Etc/UTC' } }).facts[0]!.id).toBe('alter-table.alter-column-type.in-place');
    // Before PostgreSQL 12 the conversion always rewrote.
    expect(effect(toTimestamptz, { settings: { timeZone: 'UTC' }, pgVersion: 11 }).rewrites).toContain('public.t');
  });

  it('skips the SET NOT NULL scan for a validated CHECK only from PostgreSQL 12 on', () => {
    const schema = SCHEMA + ' ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL);';
    expect(effect('ALTER TABLE t ALTER COLUMN a SET NOT NULL', { schema }).scans).toEqual([]);
    expect(effect('ALTER TABLE t ALTER COLUMN a SET NOT NULL', { schema, pgVersion: 11 }).scans).toEqual(['public.t']);
  });

  it('encodes the majors where ADD COLUMN DEFAULT and ATTACH PARTITION behaved differently', () => {
    expect(effect('ALTER TABLE t ADD COLUMN c int DEFAULT 0', { pgVersion: 10 }).rewrites).toContain('public.t');
    expect(effect('ALTER TABLE t ADD COLUMN c int DEFAULT 0', { pgVersion: 11 }).rewrites).toEqual([]);
    const attach = "ALTER TABLE m ATTACH PARTITION m_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')";
    expect(locksOf(effect(attach))['public.m']).toBe('ShareUpdateExclusiveLock');
    expect(locksOf(effect(attach, { pgVersion: 11 }))['public.m']).toBe('AccessExclusiveLock');
    expect(effect('ALTER TABLE m DETACH PARTITION m_2024 CONCURRENTLY', { pgVersion: 13 }).unknown).toBe(true);
    expect(effect('ALTER TABLE m DETACH PARTITION m_2024 CONCURRENTLY').transaction).toBe('forbidden');
  });

  it('ALTER TABLE ONLY does not lock the partitions', () => {
    expect(Object.keys(locksOf(effect('ALTER TABLE m ALTER COLUMN a SET DEFAULT 0')))).toEqual(['public.m', 'public.m_2024']);
    expect(Object.keys(locksOf(effect('ALTER TABLE ONLY m ALTER COLUMN a SET DEFAULT 0')))).toEqual(['public.m']);
  });
});
