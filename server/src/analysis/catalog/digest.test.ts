import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '@pgsql/types';
import { initParser, parseStatementText } from '../parse/parser';
import { Catalog } from './catalog';
import { referencedRelations } from './references';
import { replaySql } from './testing';

beforeAll(async () => {
  await initParser();
});

function ast(sql: string): Node {
  const parsed = parseStatementText(sql);
  if (!parsed.ok) throw new Error(`test SQL does not parse: ${parsed.message}`);
  return parsed.nodes[0]!.ast;
}

function catalogOf(sql: string, file = 'a.sql'): Catalog {
  const catalog = new Catalog();
  replaySql(catalog, sql, file);
  return catalog;
}

describe('digestOf', () => {
  const FILE = [
    'CREATE TABLE users (id int PRIMARY KEY, email text)',
    'CREATE TABLE orders (id int PRIMARY KEY, user_id int)',
    'CREATE INDEX orders_user_idx ON orders (user_id)',
    'ALTER TABLE users ADD COLUMN name text',
  ];

  it('is stable: the same statements give the same digest, whatever the order and repetition of names', () => {
    const a = catalogOf(FILE.join(';\n'));
    const b = catalogOf(FILE.join(';\n\n'));
    expect(a.digestOf(['users', 'orders'])).toBe(b.digestOf(['public.orders', 'public.users', 'users']));
    expect(a.digestOf(['users'])).not.toBe(a.digestOf(['orders']));
  });

  it('changes for the relations an edited statement touches, and only for those', () => {
    const before = catalogOf(FILE.join(';\n'));
    const edited = [...FILE];
    edited[3] = 'ALTER TABLE users ADD COLUMN full_name text';
    const after = catalogOf(edited.join(';\n'));
    expect(after.digestOf(['users'])).not.toBe(before.digestOf(['users']));
    expect(after.digestOf(['orders'])).toBe(before.digestOf(['orders']));
    expect(after.digestOf(['orders_user_idx'])).toBe(before.digestOf(['orders_user_idx']));
  });

  it('moves with every change to a relation, including its indexes and the FKs that reference it', () => {
    const catalog = catalogOf(FILE.join(';\n'));
    const users0 = catalog.digestOf(['users']);
    const orders0 = catalog.digestOf(['orders']);
    replaySql(catalog, 'CREATE INDEX users_email_idx ON users (email)');
    const users1 = catalog.digestOf(['users']);
    expect(users1).not.toBe(users0);
    expect(catalog.digestOf(['orders'])).toBe(orders0);
    replaySql(catalog, 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id)');
    expect(catalog.digestOf(['users'])).not.toBe(users1);
    expect(catalog.digestOf(['orders'])).not.toBe(orders0);
  });

  it('follows the user types a relation\'s columns use', () => {
    const catalog = catalogOf(`CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE t (m mood); CREATE TABLE u (a int);`);
    const t0 = catalog.digestOf(['t']);
    const u0 = catalog.digestOf(['u']);
    replaySql(catalog, `ALTER TYPE mood ADD VALUE 'sad'`);
    expect(catalog.digestOf(['t'])).not.toBe(t0);
    expect(catalog.digestOf(['u'])).toBe(u0);
  });

  it('tells absent from present objects and does not depend on statement positions', () => {
    const empty = new Catalog();
    const absent = empty.digestOf(['users']);
    const created = catalogOf('CREATE TABLE users (id int)');
    expect(created.digestOf(['users'])).not.toBe(absent);
    const shifted = catalogOf('CREATE TABLE other (x int); CREATE TABLE users (id int)');
    expect(shifted.digestOf(['users'])).toBe(created.digestOf(['users']));
    const otherFile = catalogOf('CREATE TABLE users (id int)', 'b.sql');
    expect(otherFile.digestOf(['users'])).not.toBe(created.digestOf(['users']));
  });

  it('keeps a relation\'s history across a rename', () => {
    const a = catalogOf('CREATE TABLE users (id int); ALTER TABLE users RENAME TO accounts');
    const b = catalogOf('CREATE TABLE users (id int, x int); ALTER TABLE users RENAME TO accounts');
    expect(a.digestOf(['accounts'])).not.toBe(b.digestOf(['accounts']));
  });
});

describe('clone', () => {
  it('gives independent catalogs that share unchanged records', () => {
    const base = catalogOf('CREATE TABLE a (x int); CREATE TABLE b (y int)');
    const snapshot = base.clone();
    replaySql(base, 'ALTER TABLE a ADD COLUMN z int; CREATE TABLE c (w int); SET search_path TO other');
    expect(snapshot.relation('a')!.columns.map((c) => c.name)).toEqual(['x']);
    expect(snapshot.relation('c')).toBeUndefined();
    expect(snapshot.searchPath).toEqual(['public']);
    expect(base.relation('public.a')!.columns.map((c) => c.name)).toEqual(['x', 'z']);
    // Untouched records are the same objects: nothing was copied for them.
    expect(snapshot.relation('b')).toBe(base.relation('public.b'));
    replaySql(snapshot, 'DROP TABLE b');
    expect(base.relation('public.b')).toBeDefined();
    expect(snapshot.digestOf(['a'])).not.toBe(base.digestOf(['public.a']));
  });
});

describe('referencedRelations', () => {
  it('names every relation a statement mentions, schema-qualified, CTEs excluded', () => {
    const stmt = ast(`WITH recent AS (SELECT * FROM orders) UPDATE users SET n = 1 FROM recent, app.items i WHERE i.id = recent.id`);
    // In AST order (UpdateStmt lists its relation, then FROM, then WITH), each name once.
    expect(referencedRelations(stmt, ['public'])).toEqual(['public.users', 'app.items', 'public.orders']);
    expect(referencedRelations(ast('ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES "Other"(id)'), ['$user', 'app'])).toEqual([
      'app.t',
      'app."Other"',
    ]);
  });

  it('includes names that DROP and COMMENT carry as lists, and the index CREATE INDEX makes', () => {
    expect(referencedRelations(ast('DROP TABLE a, s.b'), ['public'])).toEqual(['public.a', 's.b']);
    expect(referencedRelations(ast('DROP TRIGGER trg ON s.t'), ['public'])).toEqual(['s.t']);
    expect(referencedRelations(ast("COMMENT ON COLUMN t.c IS 'x'"), ['public'])).toEqual(['public.t']);
    expect(referencedRelations(ast('CREATE INDEX i ON s.t (a)'), ['public'])).toEqual(['s.t', 's.i']);
    expect(referencedRelations(ast('CREATE TYPE pair AS (a int)'), ['public'])).toEqual([]);
  });

  it('resolves through the catalog: existing objects along search_path, and an index brings its table', () => {
    const catalog = catalogOf(`
      CREATE SCHEMA app;
      CREATE TABLE public.users (id int);
      CREATE TABLE app.items (id int);
      CREATE INDEX items_id ON app.items (id);
      SET search_path TO app, public;`);
    expect(catalog.referencedRelations(ast('SELECT * FROM users JOIN items USING (id)'))).toEqual([
      'public.users',
      'app.items',
    ]);
    expect(catalog.referencedRelations(ast('DROP INDEX items_id'))).toEqual(['app.items_id', 'app.items']);
    expect(catalog.referencedRelations(ast('CREATE INDEX i2 ON items (id)'))).toEqual(['app.items', 'app.i2']);
    expect(catalog.referencedRelations(ast('CREATE TABLE fresh (a int)'))).toEqual(['app.fresh']);
    expect(catalog.resolveRelationKey('users')).toBe('public.users');
  });
});
