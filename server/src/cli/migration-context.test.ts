import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analysis/analyzer';
import { orderMigrations, previousMigrations } from '../analysis/migrations/ordering';
import {
  earlierForward,
  MigrationContexts,
  nodeFileSystem,
  upSection,
  type ContextFileSystem,
  type DirectoryEntry,
} from './migration-context';

/** An in-memory file tree: path → text (or Error to make it unreadable); stamps bump on every write. */
class MemoryFs implements ContextFileSystem {
  private readonly files = new Map<string, { text: string | Error; stamp: number }>();
  private clock = 0;
  reads: string[] = [];
  stats = 0;

  constructor(files: Record<string, string | Error> = {}) {
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  write(path: string, text: string | Error): void {
    this.files.set(path, { text, stamp: ++this.clock });
  }

  remove(path: string): void {
    this.files.delete(path);
  }

  readDir(dir: string): DirectoryEntry[] {
    const entries = new Map<string, DirectoryEntry>();
    for (const path of this.files.keys()) {
      if (!path.startsWith(`${dir}/`)) continue;
      const [name, ...rest] = path.slice(dir.length + 1).split('/');
      entries.set(name!, { name: name!, isDirectory: rest.length > 0, isFile: rest.length === 0 });
    }
    if (entries.size === 0) throw Object.assign(new Error('no such folder'), { code: 'ENOENT' });
    return [...entries.values()];
  }

  stamp(path: string): string | undefined {
    this.stats++;
    const file = this.files.get(path);
    return file ? String(file.stamp) : undefined;
  }

  readText(path: string): string {
    this.reads.push(path);
    const file = this.files.get(path);
    if (!file) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    if (file.text instanceof Error) throw file.text;
    return file.text;
  }
}

beforeAll(() => initParser());

const has = (base: { relation(name: string): unknown } | undefined, name: string) => base?.relation(name) !== undefined;

describe('MigrationContexts (golang-migrate layout)', () => {
  const files = {
    '/p/db/000001_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);',
    '/p/db/000001_users.down.sql': 'DROP TABLE users;',
    '/p/db/000002_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);',
    '/p/db/000002_orders.down.sql': 'DROP TABLE orders;',
    '/p/db/000010_index.up.sql': 'CREATE INDEX ON orders (user_id);',
    '/p/db/000010_index.down.sql': 'DROP INDEX orders_user_id_idx;',
    '/p/db/README.md': '# not SQL',
    '/p/db/seed.sql': 'DROP TABLE users;',
  };

  it('gives an up migration the schema of the forward migrations before it, in numeric order', () => {
    const contexts = new MigrationContexts({ fs: new MemoryFs(files) });
    const first = contexts.contextFor('/p/db/000001_users.up.sql');
    expect(first).toMatchObject({ base: undefined, files: [], root: '/p/db' });

    const third = contexts.contextFor('/p/db/000010_index.up.sql');
    expect(third.files).toEqual(['/p/db/000001_users.up.sql', '/p/db/000002_orders.up.sql']);
    expect(has(third.base, 'public.users')).toBe(true);
    expect(has(third.base, 'public.orders')).toBe(true);
  });

  it("gives a down migration the schema right after its own up migration (what it reverts)", () => {
    const contexts = new MigrationContexts({ fs: new MemoryFs(files) });
    const down = contexts.contextFor('/p/db/000002_orders.down.sql');
    expect(down.files).toEqual(['/p/db/000001_users.up.sql', '/p/db/000002_orders.up.sql']);
    expect(has(down.base, 'public.orders')).toBe(true);
    expect(has(down.base, 'public.orders_user_id_idx')).toBe(false);
  });

  it('never uses unversioned files (seed.sql) as context, and gives them none', () => {
    const contexts = new MigrationContexts({ fs: new MemoryFs(files) });
    expect(contexts.contextFor('/p/db/seed.sql')).toMatchObject({ base: undefined, root: undefined });
    // seed.sql drops users; were it replayed, the index migration would not see the table.
    expect(contexts.contextFor('/p/db/000010_index.up.sql').files).not.toContain('/p/db/seed.sql');
  });

  it('replays each file once when every file of the folder is analyzed, in any order', () => {
    const many: Record<string, string> = {};
    for (let i = 1; i <= 40; i++) {
      const v = String(i).padStart(4, '0');
      many[`/m/${v}_t${i}.up.sql`] = `CREATE TABLE t${i} (id int);`;
      many[`/m/${v}_t${i}.down.sql`] = `DROP TABLE t${i};`;
    }
    const fs = new MemoryFs(many);
    const contexts = new MigrationContexts({ fs, memoizeFileSystem: true });
    const paths = Object.keys(many);
    // A fixed permutation (17 and 80 are coprime): short and long chains are asked for in mixed order.
    for (let i = 0; i < paths.length; i++) contexts.contextFor(paths[(i * 17) % paths.length]!);
    // Every up file once: the last one too, since the last down file runs after it.
    expect(contexts.replayedFiles).toBe(40);
    expect(new Set(fs.reads).size).toBe(fs.reads.length);
    const last = contexts.contextFor('/m/0040_t40.up.sql');
    expect(has(last.base, 'public.t39')).toBe(true);
    expect(has(last.base, 'public.t40')).toBe(false);
  });

  it('replays only from a changed file on, and sees the change', () => {
    const many: Record<string, string> = {};
    for (let i = 1; i <= 20; i++) many[`/m/${String(i).padStart(3, '0')}_x.up.sql`] = `CREATE TABLE t${i} (id int);`;
    const fs = new MemoryFs(many);
    const contexts = new MigrationContexts({ fs });
    contexts.contextFor('/m/020_x.up.sql');
    expect(contexts.replayedFiles).toBe(19);

    fs.write('/m/015_x.up.sql', 'CREATE TABLE renamed15 (id int);');
    const after = contexts.contextFor('/m/020_x.up.sql');
    expect(contexts.replayedFiles).toBe(19 + 5); // 015…019
    expect(has(after.base, 'public.renamed15')).toBe(true);
    expect(has(after.base, 'public.t15')).toBe(false);
    expect(has(after.base, 'public.t14')).toBe(true);
  });

  it('keys the context by the earlier files and their stamps', () => {
    const fs = new MemoryFs(files);
    const contexts = new MigrationContexts({ fs });
    const before = contexts.contextFor('/p/db/000010_index.up.sql').key;
    expect(contexts.contextFor('/p/db/000010_index.up.sql').key).toBe(before);
    fs.write('/p/db/000010_index.up.sql', 'CREATE INDEX ON users (email);'); // the file itself: not its context
    expect(contexts.contextFor('/p/db/000010_index.up.sql').key).toBe(before);
    fs.write('/p/db/000002_orders.up.sql', 'CREATE TABLE orders (id int);');
    expect(contexts.contextFor('/p/db/000010_index.up.sql').key).not.toBe(before);
  });

  it('with memoizeFileSystem, sees changes only after invalidate()', () => {
    const fs = new MemoryFs(files);
    const contexts = new MigrationContexts({ fs, memoizeFileSystem: true });
    contexts.contextFor('/p/db/000010_index.up.sql');
    fs.write('/p/db/000005_more.up.sql', 'CREATE TABLE more (id int);');
    expect(contexts.contextFor('/p/db/000010_index.up.sql').files).not.toContain('/p/db/000005_more.up.sql');
    contexts.invalidate();
    const after = contexts.contextFor('/p/db/000010_index.up.sql');
    expect(after.files).toContain('/p/db/000005_more.up.sql');
    expect(has(after.base, 'public.more')).toBe(true);
  });

  it('without memoizeFileSystem, sees a new or deleted sibling on the next call', () => {
    const fs = new MemoryFs(files);
    const contexts = new MigrationContexts({ fs });
    contexts.contextFor('/p/db/000010_index.up.sql');
    fs.remove('/p/db/000002_orders.up.sql');
    const after = contexts.contextFor('/p/db/000010_index.up.sql');
    expect(after.files).toEqual(['/p/db/000001_users.up.sql']);
    expect(has(after.base, 'public.orders')).toBe(false);
  });

  it('skips an unreadable sibling, says so on every call, and still replays the files after it', () => {
    const fs = new MemoryFs({ ...files, '/p/db/000002_orders.up.sql': new Error('not valid UTF-8; convert the file') });
    const contexts = new MigrationContexts({ fs });
    for (let call = 0; call < 2; call++) {
      const context = contexts.contextFor('/p/db/000010_index.up.sql');
      expect(context.problems).toEqual([{ path: '/p/db/000002_orders.up.sql', reason: expect.stringContaining('UTF-8') }]);
      expect(has(context.base, 'public.users')).toBe(true);
    }
    const readable = new MigrationContexts({ fs: new MemoryFs({ ...files, '/p/db/000001_users.up.sql': new Error('EACCES') }) });
    const context = readable.contextFor('/p/db/000010_index.up.sql');
    expect(has(context.base, 'public.orders')).toBe(true);
  });

  it('prefers the editor text of an open earlier migration over the disk', () => {
    const fs = new MemoryFs(files);
    let open: { text: string; stamp: string } | undefined = { text: 'CREATE TABLE users_v2 (id int);', stamp: 'v1' };
    const contexts = new MigrationContexts({ fs, overlay: (path) => (path === '/p/db/000001_users.up.sql' ? open : undefined) });
    const edited = contexts.contextFor('/p/db/000010_index.up.sql');
    expect(has(edited.base, 'public.users_v2')).toBe(true);
    expect(has(edited.base, 'public.users')).toBe(false);
    open = undefined; // closed without saving
    const disk = contexts.contextFor('/p/db/000010_index.up.sql');
    expect(has(disk.base, 'public.users')).toBe(true);
    expect(disk.key).not.toBe(edited.key);
  });

  it('includes an unsaved new file in the order', () => {
    const contexts = new MigrationContexts({ fs: new MemoryFs(files) });
    const context = contexts.contextFor('/p/db/000003_new.up.sql');
    expect(context.files).toEqual(['/p/db/000001_users.up.sql', '/p/db/000002_orders.up.sql']);
  });
});

describe('MigrationContexts (other layouts)', () => {
  it('goose: replays only the up section of earlier files', () => {
    const fs = new MemoryFs({
      '/g/20230101000000_users.sql': '-- +goose Up\nCREATE TABLE users (id int);\n-- +goose Down\nDROP TABLE users;\n',
      '/g/20230102000000_index.sql': '-- +goose Up\nCREATE INDEX ON users (id);\n',
    });
    const context = new MigrationContexts({ fs }).contextFor('/g/20230102000000_index.sql');
    expect(has(context.base, 'public.users')).toBe(true);
  });

  it('diesel: one folder per version, ordered by version', () => {
    const fs = new MemoryFs({
      '/d/migrations/2020-01-01-000000_users/up.sql': 'CREATE TABLE users (id int);',
      '/d/migrations/2020-01-01-000000_users/down.sql': 'DROP TABLE users;',
      '/d/migrations/2021-05-01-000000_posts/up.sql': 'CREATE TABLE posts (id int);',
      '/d/migrations/2021-05-01-000000_posts/down.sql': 'DROP TABLE posts;',
      '/d/migrations/2022-01-01-000000_index/up.sql': 'CREATE INDEX ON posts (id);',
    });
    const contexts = new MigrationContexts({ fs });
    const context = contexts.contextFor('/d/migrations/2022-01-01-000000_index/up.sql');
    expect(context.root).toBe('/d/migrations');
    expect(context.files).toEqual(['/d/migrations/2020-01-01-000000_users/up.sql', '/d/migrations/2021-05-01-000000_posts/up.sql']);
    expect(contexts.contextFor('/d/migrations/2021-05-01-000000_posts/down.sql').files).toEqual(context.files);
  });

  it('Prisma: {timestamp}_{name}/migration.sql', () => {
    const fs = new MemoryFs({
      '/pr/migrations/20230101_init/migration.sql': 'CREATE TABLE "User" (id int);',
      '/pr/migrations/20230202_index/migration.sql': 'CREATE INDEX ON "User" (id);',
    });
    const context = new MigrationContexts({ fs }).contextFor('/pr/migrations/20230202_index/migration.sql');
    expect(has(context.base, 'public."User"')).toBe(true);
  });

  it('sqitch: deploy/ scripts in sqitch.plan order', () => {
    const fs = new MemoryFs({
      '/s/sqitch.plan': '%project=x\n\nusers 2020-01-01T00:00:00Z a <a@b>\nappschema 2020-01-02T00:00:00Z a <a@b>\nwidgets 2020-01-03T00:00:00Z a <a@b>\n',
      '/s/deploy/appschema.sql': 'CREATE SCHEMA app;',
      '/s/deploy/users.sql': 'CREATE TABLE users (id int);',
      '/s/deploy/widgets.sql': 'CREATE TABLE app.widgets (id int);',
      '/s/revert/users.sql': 'DROP TABLE users;',
    });
    const contexts = new MigrationContexts({ fs });
    expect(contexts.contextFor('/s/deploy/widgets.sql').files).toEqual(['/s/deploy/users.sql', '/s/deploy/appschema.sql']);
    expect(contexts.contextFor('/s/revert/users.sql').files).toEqual(['/s/deploy/users.sql']);
  });

  it('version folders (temporal versioned/v1.5/*.sql): the earlier folders in version order, not the own folder', () => {
    const fs = new MemoryFs({
      '/t/versioned/v1.0/schema.sql': 'CREATE TABLE executions (id int, request_id varchar(64));',
      '/t/versioned/v1.2/b.sql': 'CREATE TABLE b (id int);',
      '/t/versioned/v1.2/a.sql': 'CREATE TABLE a (id int);',
      '/t/versioned/v1.10/alter.sql': 'ALTER TABLE executions ALTER COLUMN request_id TYPE varchar(255);',
      '/t/versioned/v1.10/other.sql': 'CREATE TABLE other (id int);',
      '/t/versioned/v1.9/c.down.sql': 'DROP TABLE a;',
      '/t/versioned/v1.9/c.sql': 'CREATE TABLE c (id int);',
      '/t/versioned/manifest.sql': 'SELECT 1;',
    });
    const context = new MigrationContexts({ fs }).contextFor('/t/versioned/v1.10/alter.sql');
    expect(context.root).toBe('/t/versioned');
    // 1.9 before 1.10 (not by name), names sorted inside a folder, down scripts and the own folder left out.
    expect(context.files).toEqual(['/t/versioned/v1.0/schema.sql', '/t/versioned/v1.2/a.sql', '/t/versioned/v1.2/b.sql', '/t/versioned/v1.9/c.sql']);
    expect(context.base?.relation('public.a')).toBeDefined();
  });

  it('version folders named like releases (1.10.0/1.10.0.sql) or numbers (delta/56/x.sql)', () => {
    const fs = new MemoryFs({
      '/o/postgresql/1.4.0/1.4.0.sql': 'CREATE TABLE metrics (metric_type varchar(20));',
      '/o/postgresql/1.10.0/1.10.0.sql': 'ALTER TABLE metrics ALTER COLUMN metric_type TYPE text;',
      '/o/postgresql/1.9.0/1.9.0.sql': 'CREATE TABLE x (id int);',
      '/s/delta/9/a.sql': 'CREATE TABLE d (id int);',
      '/s/delta/9/a.sqlite.sql': 'CREATE TABLE sqlite_only (id int);',
      '/s/delta/56/b.sql': 'ALTER TABLE d ALTER id TYPE bigint;',
    });
    const contexts = new MigrationContexts({ fs });
    expect(contexts.contextFor('/o/postgresql/1.10.0/1.10.0.sql').files).toEqual(['/o/postgresql/1.4.0/1.4.0.sql', '/o/postgresql/1.9.0/1.9.0.sql']);
    expect(contexts.contextFor('/s/delta/56/b.sql').files).toEqual(['/s/delta/9/a.sql']);
  });

  it('leaves version folders under a rollback folder alone: they run backwards', () => {
    const fs = new MemoryFs({
      '/r/rollback_dbs/postgresql/1.4.0/1.4.0.sql': 'DROP TABLE metrics;',
      '/r/rollback_dbs/postgresql/1.5.0/1.5.0.sql': 'DROP TABLE other;',
    });
    expect(new MigrationContexts({ fs }).contextFor('/r/rollback_dbs/postgresql/1.5.0/1.5.0.sql').files).toEqual([]);
  });

  it('does not take a deploy/ folder without sqitch.plan for sqitch', () => {
    const fs = new MemoryFs({ '/srv/deploy/db/001_a.sql': 'CREATE TABLE a (id int);', '/srv/deploy/db/002_b.sql': 'SELECT 1;' });
    expect(new MigrationContexts({ fs }).contextFor('/srv/deploy/db/002_b.sql').files).toEqual(['/srv/deploy/db/001_a.sql']);
  });
});

describe('upSection', () => {
  it('cuts at the goose or dbmate down marker, and keeps files without one whole', () => {
    expect(upSection('-- +goose Up\nA;\n-- +goose Down\nB;')).toBe('-- +goose Up\nA;\n');
    expect(upSection('-- migrate:up\nA;\n-- migrate:down\nB;')).toBe('-- migrate:up\nA;\n');
    expect(upSection('A;\n-- going down the hall\nB;')).toBe('A;\n-- going down the hall\nB;');
  });
});

describe('earlierForward', () => {
  const folders: string[][] = [
    ['m/1_a.up.sql', 'm/1_a.down.sql', 'm/2_b.up.sql', 'm/2_b.down.sql', 'm/10_c.up.sql', 'm/10_c.down.sql', 'm/3_orphan.down.sql'],
    ['V1__init.sql', 'U1__undo_init.sql', 'V1.1__more.sql', 'V2__x.sql', 'U2__x.sql', 'R__views.sql', 'R__funcs.sql'],
    ['2020-01-01-000000_a/up.sql', '2020-01-01-000000_a/down.sql', '2020-02-01-000000_b/up.sql', '2020-02-01-000000_b/down.sql'],
    ['001_a_up.sql', '001_a_down.sql', '002_b_up.sql', '002_b_down.sql'],
  ];

  it('agrees with previousMigrations on every file of each folder', () => {
    for (const all of folders) {
      const ordered = orderMigrations(all);
      for (const target of all) {
        expect(earlierForward(ordered, target).map((f) => f.path), target).toEqual(previousMigrations(target, all).map((f) => f.path));
      }
    }
  });

  const corpus = '/work/shared/corpus';
  it.skipIf(!existsSync(join(corpus, 'MANIFEST.tsv')))('agrees with previousMigrations on the shared corpus folders', () => {
    const byFolder = new Map<string, string[]>();
    for (const line of readFileSync(join(corpus, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1)) {
      const path = line.split('\t')[2];
      if (!path) continue;
      const folder = dirname(path);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), path]);
    }
    let checked = 0;
    for (const all of byFolder.values()) {
      const ordered = orderMigrations(all);
      // Every file would be O(N²) sorts; the first, last and every seventh cover ups, downs and repeatables.
      for (const [i, target] of all.entries()) {
        if (i !== 0 && i !== all.length - 1 && i % 7 !== 0) continue;
        expect(earlierForward(ordered, target).map((f) => f.path), target).toEqual(previousMigrations(target, all).map((f) => f.path));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});

describe('nodeFileSystem', () => {
  it('stamps files only, and refuses text that is not UTF-8', () => {
    expect(nodeFileSystem.stamp(dirname(new URL(import.meta.url).pathname))).toBeUndefined();
    expect(nodeFileSystem.stamp('/definitely/not/here.sql')).toBeUndefined();
    expect(nodeFileSystem.stamp(new URL(import.meta.url).pathname)).toMatch(/^\d+(\.\d+)?:\d+$/);
  });
});
