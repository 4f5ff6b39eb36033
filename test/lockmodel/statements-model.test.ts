/**
 * Direct checks of the lock model's answers for statement kinds outside ALTER TABLE: what waits (blocks), what is
 * unknown and why, and which relations the roles resolve to. The proof suite shows the locks match a real server;
 * these show the consequences users see are derived right from them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../../server/src/analysis/analyzer';
import { initParser } from '../../server/src/analysis/parse/parser';
import { replayMigrations } from '../../server/src/analysis/schema-context';
import type { StatementEffect } from '../../server/src/analysis/lockmodel/model';

beforeAll(async () => {
  await initParser();
});

const SCHEMA = `
CREATE TABLE parent (id bigserial PRIMARY KEY, name text UNIQUE);
CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent, note text);
CREATE INDEX child_parent_idx ON child (parent_id);
CREATE TABLE p (id bigint, created date, PRIMARY KEY (id, created)) PARTITION BY RANGE (created);
CREATE TABLE p_2024 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE FUNCTION audit() RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$;
`;

function effectOf(sql: string, schema = SCHEMA): StatementEffect {
  const base = replayMigrations([{ path: 'schema.sql', text: schema }]);
  const statements = analyzeText(sql, { pgVersion: 17 }, base).statements.filter((s) => s.effect);
  expect(statements).toHaveLength(1);
  return statements[0]!.effect!;
}

describe('CREATE INDEX vs CREATE INDEX CONCURRENTLY', () => {
  it('a plain build blocks writes but not reads, and may run in a transaction', () => {
    const effect = effectOf('CREATE INDEX child_note_idx ON child (note)');
    expect(effect.blocks.writes).toEqual(['public.child']);
    expect(effect.blocks.reads).toEqual([]);
    expect(effect.transaction).toBe('allowed');
    // The new index is locked ACCESS EXCLUSIVE, but nobody can see it yet: it blocks no one.
    expect(effect.locks).toContainEqual({ relation: 'public.child_note_idx', kind: 'index', mode: 'AccessExclusiveLock' });
  });

  it('CONCURRENTLY blocks neither reads nor writes, only maintenance and DDL, and refuses a transaction block', () => {
    const effect = effectOf('CREATE INDEX CONCURRENTLY child_note_idx ON child (note)');
    expect(effect.blocks.reads).toEqual([]);
    expect(effect.blocks.writes).toEqual([]);
    expect(effect.blocks.maintenance).toEqual(['public.child']);
    expect(effect.transaction).toBe('forbidden');
  });

  it('on a partitioned table every partition is locked and scanned, and the partition indexes are new', () => {
    const effect = effectOf('CREATE INDEX p_created_idx ON p (created)');
    expect(effect.blocks.writes).toEqual(['public.p', 'public.p_2024']);
    expect(effect.scans).toEqual(['public.p_2024']);
    expect(effect.locks).toContainEqual({ relation: 'public.p_created_idx', kind: 'partitioned index', mode: 'AccessExclusiveLock' });
    expect(effect.locks).toContainEqual({ relation: 'public.p_2024_created_idx', kind: 'index', mode: 'AccessExclusiveLock' });
  });
});

describe('an index lock counts against its table', () => {
  it('REINDEX INDEX (ACCESS EXCLUSIVE on the index) blocks reads of the table', () => {
    const effect = effectOf('REINDEX INDEX child_parent_idx');
    expect(effect.blocks.reads).toEqual(['public.child']);
    expect(effect.rewrites).toEqual(['public.child_parent_idx']);
  });

  it('COMMENT ON INDEX locks only the index, yet DDL on the table waits for it', () => {
    const effect = effectOf("COMMENT ON INDEX child_parent_idx IS 'lookup by parent'");
    expect(effect.locks).toEqual([{ relation: 'public.child_parent_idx', kind: 'index', mode: 'ShareUpdateExclusiveLock' }]);
    expect(effect.blocks.ddl).toEqual(['public.child']);
    expect(effect.blocks.writes).toEqual([]);
  });
});

describe('locks beyond the named table', () => {
  it('DROP TABLE of a table with a FOREIGN KEY blocks reads of the referenced table', () => {
    const effect = effectOf('DROP TABLE child');
    expect(effect.blocks.reads).toEqual(['public.child', 'public.parent']);
  });

  it('CREATE TABLE … REFERENCES blocks writes to the referenced table only (the new table blocks nobody)', () => {
    const effect = effectOf('CREATE TABLE item (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent)');
    expect(effect.blocks.writes).toEqual(['public.parent']);
    expect(effect.blocks.reads).toEqual([]);
  });

  it('TRUNCATE … CASCADE reaches the referencing tables and rewrites them', () => {
    const effect = effectOf('TRUNCATE parent CASCADE');
    expect(effect.blocks.reads).toEqual(['public.child', 'public.parent']);
    expect(effect.rewrites).toContain('public.child_parent_idx');
  });

  it('GRANT locks nothing', () => {
    const effect = effectOf('GRANT SELECT ON parent TO PUBLIC');
    expect(effect.unknown).toBe(false);
    expect(effect.locks).toEqual([]);
  });
});

describe('honest unknowns', () => {
  it('a DO block is unknown, and says why', () => {
    const effect = effectOf("DO $$ BEGIN EXECUTE 'DROP TABLE child'; END $$");
    expect(effect.unknown).toBe(true);
    expect(effect.unknownParts).toEqual(['DO block: its body is not analyzed, so what it locks, rewrites or scans is unknown']);
  });

  it('a SELECT calling a user function is unknown and names the function', () => {
    const effect = effectOf('SELECT audit()');
    expect(effect.unknown).toBe(true);
    expect(effect.unknownParts.join()).toContain('audit');
  });

  it('an INSERT leaving a column to a DEFAULT that calls a user function is unknown', () => {
    const schema = `${SCHEMA} CREATE FUNCTION next_code() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'x'; END $$;
      CREATE TABLE coded (id int PRIMARY KEY, code text DEFAULT next_code());`;
    expect(effectOf('INSERT INTO coded (id) VALUES (1)', schema).unknownParts.join()).toContain('next_code');
    expect(effectOf("INSERT INTO coded (id, code) VALUES (1, 'a')", schema).unknown).toBe(false);
  });

  it('nextval/setval are known: ROW EXCLUSIVE on the sequence', () => {
    const effect = effectOf("SELECT setval('parent_id_seq', 100)");
    expect(effect.unknown).toBe(false);
    expect(effect.locks).toEqual([{ relation: 'public.parent_id_seq', kind: 'sequence', mode: 'RowExclusiveLock' }]);
  });

  it('an INSERT into a partitioned table is unknown beyond the parent (rows are routed at run time)', () => {
    const effect = effectOf("INSERT INTO p VALUES (1, '2024-05-01')");
    expect(effect.unknown).toBe(true);
    expect(effect.locks).toEqual([{ relation: 'public.p', kind: 'partitioned table', mode: 'RowExclusiveLock' }]);
  });

  it('transaction control is known and locks nothing', () => {
    for (const sql of ['BEGIN', 'SAVEPOINT s1', 'COMMIT']) {
      const effect = effectOf(sql);
      expect(effect.unknown, sql).toBe(false);
      expect(effect.locks, sql).toEqual([]);
    }
  });
});

describe('DML and foreign keys', () => {
  it('INSERT filling a foreign key checks the referenced table (ROW SHARE), and a defaulted serial locks its sequence', () => {
    const effect = effectOf("INSERT INTO child (id, parent_id, note) VALUES (1, 1, 'x')");
    expect(effect.locks).toContainEqual({ relation: 'public.parent', kind: 'table', mode: 'RowShareLock' });
    const defaulted = effectOf("INSERT INTO parent (name) VALUES ('x')");
    expect(defaulted.locks).toContainEqual({ relation: 'public.parent_id_seq', kind: 'sequence', mode: 'RowExclusiveLock' });
  });

  it('DELETE from a referenced table scans a referencing table that has no index on its key', () => {
    const schema = `${SCHEMA} DROP INDEX child_parent_idx;`;
    expect(effectOf('DELETE FROM parent WHERE id = 1', schema).scans).toEqual(['public.child']);
    expect(effectOf('DELETE FROM parent WHERE id = 1').scans).toEqual([]);
  });
});

describe('version differences the proof suite shows on other majors', () => {
  function effectOn(sql: string, pgVersion: number): StatementEffect {
    const base = replayMigrations([{ path: 'schema.sql', text: SCHEMA }]);
    return analyzeText(sql, { pgVersion }, base).statements.find((s) => s.effect)!.effect!;
  }

  it('SELECT locks the partitioned table’s own index only from PostgreSQL 16 (15 opens the partitions’ indexes only)', () => {
    const partitionedIndex = { relation: 'public.p_pkey', kind: 'partitioned index', mode: 'AccessShareLock' };
    expect(effectOn('SELECT * FROM p', 16).locks).toContainEqual(partitionedIndex);
    expect(effectOn('SELECT * FROM p', 15).locks).not.toContainEqual(partitionedIndex);
    expect(effectOn('SELECT * FROM p', 15).locks).toContainEqual({ relation: 'public.p_2024_pkey', kind: 'index', mode: 'AccessShareLock' });
  });

  it('GRANT on a table takes ACCESS SHARE on it from PostgreSQL 18, nothing before', () => {
    expect(effectOn('GRANT SELECT ON child TO PUBLIC', 17).locks).toEqual([]);
    expect(effectOn('GRANT SELECT ON child TO PUBLIC', 18).locks).toEqual([{ relation: 'public.child', kind: 'table', mode: 'AccessShareLock' }]);
  });
});
