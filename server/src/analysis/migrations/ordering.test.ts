import { describe, expect, it } from 'vitest';
import {
  classifyMigration,
  compareVersions,
  detectFrameworkFromText,
  naturalCompare,
  orderMigrations,
  parseSqitchPlan,
  previousMigrations,
} from './ordering';

const paths = (files: { path: string }[]) => files.map((f) => f.path);
/** Deterministic shuffle so tests prove sorting, not input order. */
const shuffled = <T>(xs: readonly T[]): T[] => [...xs].map((x, i) => [((i * 7919) % 101) + i / 1000, x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);

describe('golang-migrate', () => {
  const files = [
    'db/migrations/000001_base.up.sql',
    'db/migrations/000001_base.down.sql',
    'db/migrations/000002_templates.up.sql',
    'db/migrations/000002_templates.down.sql',
    'db/migrations/000010_users.up.sql',
    'db/migrations/000010_users.down.sql',
    'db/migrations/000100_audit.up.sql',
  ];

  it('orders by numeric version, each down right after its up', () => {
    expect(paths(orderMigrations(shuffled(files)))).toEqual(files);
  });

  it('compares versions as numbers, not text (9 before 10, different widths)', () => {
    const ordered = orderMigrations(['m/10_b.up.sql', 'm/9_a.up.sql', 'm/100_c.up.sql', 'm/0011_d.up.sql']);
    expect(paths(ordered)).toEqual(['m/9_a.up.sql', 'm/10_b.up.sql', 'm/0011_d.up.sql', 'm/100_c.up.sql']);
  });

  it('handles versions beyond 2^53 (popx uses 20 digits)', () => {
    const ordered = orderMigrations([
      'sql/20191100000001000001_identities.postgres.up.sql',
      'sql/20191100000001000000_identities.postgres.up.sql',
      'sql/20150100000001000000_networks.postgres.up.sql',
    ]);
    expect(ordered.map((f) => f.version)).toEqual(['20150100000001000000', '20191100000001000000', '20191100000001000001']);
  });

  it('classifies direction and version', () => {
    expect(classifyMigration('x/000002_templates.down.sql')).toEqual({
      path: 'x/000002_templates.down.sql',
      framework: 'golang-migrate',
      direction: 'down',
      version: '000002',
      name: 'templates',
      repeatable: false,
    });
  });

  it('gives the forward migrations before a file', () => {
    expect(paths(previousMigrations('db/migrations/000010_users.up.sql', files))).toEqual([
      'db/migrations/000001_base.up.sql',
      'db/migrations/000002_templates.up.sql',
    ]);
    // A down file runs against the schema its own up migration produced.
    expect(paths(previousMigrations('db/migrations/000002_templates.down.sql', files))).toEqual([
      'db/migrations/000001_base.up.sql',
      'db/migrations/000002_templates.up.sql',
    ]);
    expect(previousMigrations('db/migrations/000001_base.up.sql', files)).toEqual([]);
  });
});

describe('goose and dbmate', () => {
  it('treats timestamped .sql files as holding both directions', () => {
    const ordered = orderMigrations(['m/20230201090000_b.sql', 'm/20230101120000_a.sql']);
    expect(ordered.map((f) => [f.path, f.framework, f.direction])).toEqual([
      ['m/20230101120000_a.sql', 'goose-or-dbmate', 'up-and-down'],
      ['m/20230201090000_b.sql', 'goose-or-dbmate', 'up-and-down'],
    ]);
    expect(paths(previousMigrations('m/20230201090000_b.sql', ['m/20230101120000_a.sql']))).toEqual(['m/20230101120000_a.sql']);
  });

  it('orders goose sequential versions numerically when told the framework', () => {
    const ordered = orderMigrations(['m/00010_c.sql', 'm/00002_b.sql', 'm/00001_a.sql'], { framework: 'goose' });
    expect(ordered.map((f) => [f.name, f.direction])).toEqual([
      ['a', 'up-and-down'],
      ['b', 'up-and-down'],
      ['c', 'up-and-down'],
    ]);
  });

  it('recognises the section markers', () => {
    expect(detectFrameworkFromText('-- +goose Up\nCREATE TABLE t ();\n-- +goose Down\nDROP TABLE t;')).toBe('goose');
    expect(detectFrameworkFromText('-- migrate:up\ncreate table t ();\n\n-- migrate:down\n')).toBe('dbmate');
    expect(detectFrameworkFromText('CREATE TABLE t ();')).toBeUndefined();
  });
});

describe('Flyway', () => {
  const files = [
    'sql/V1__init.sql',
    'sql/V1.1__add_users.sql',
    'sql/V1.2__x.sql',
    'sql/V2__orders.sql',
    'sql/U2__orders.sql',
    'sql/V10__late.sql',
    'sql/V10_1__later.sql',
    'sql/R__a_view.sql',
    'sql/R__b_function.sql',
  ];

  it('orders versions numerically part by part, undo after its version, repeatables last by description', () => {
    expect(paths(orderMigrations(shuffled(files)))).toEqual(files);
  });

  it('classifies undo scripts as down and repeatables as repeatable', () => {
    expect(classifyMigration('sql/U2__orders.sql')).toMatchObject({ framework: 'flyway', direction: 'down', version: '2' });
    expect(classifyMigration('sql/R__a_view.sql')).toMatchObject({ framework: 'flyway', direction: 'up', repeatable: true });
  });

  it('runs a repeatable after every versioned migration, and an undo against its own version', () => {
    expect(paths(previousMigrations('sql/R__b_function.sql', files))).toEqual([
      'sql/V1__init.sql',
      'sql/V1.1__add_users.sql',
      'sql/V1.2__x.sql',
      'sql/V2__orders.sql',
      'sql/V10__late.sql',
      'sql/V10_1__later.sql',
      'sql/R__a_view.sql',
    ]);
    expect(paths(previousMigrations('sql/U2__orders.sql', files))).toEqual([
      'sql/V1__init.sql',
      'sql/V1.1__add_users.sql',
      'sql/V1.2__x.sql',
      'sql/V2__orders.sql',
    ]);
  });

  it('compares versions part by part', () => {
    expect(compareVersions('1.2', '1.10')).toBeLessThan(0);
    expect(compareVersions('2', '10')).toBeLessThan(0);
    expect(compareVersions('1.0', '1')).toBe(0);
    expect(compareVersions('1_1', '1.1')).toBe(0);
  });
});

describe('diesel', () => {
  const files = [
    'migrations/00000000000000_diesel_initial_setup/up.sql',
    'migrations/00000000000000_diesel_initial_setup/down.sql',
    'migrations/20161115111853_dumped_migration_117/up.sql',
    'migrations/2019-03-22-170700_remove_crate_downloads/up.sql',
    'migrations/2019-03-22-170700_remove_crate_downloads/down.sql',
    'migrations/2026-06-17-105325-0000_not_null/up.sql',
    'migrations/2026-06-26-100902-0000_max_length/up.sql',
    'migrations/2027-01-01-000000_next_year/up.sql',
  ];

  it('orders by the version string with dashes removed, compared as text', () => {
    // As text, "202606261009020000" sorts before "20270101000000" although it is the larger number.
    expect(paths(orderMigrations(shuffled(files)))).toEqual(files);
  });

  it('classifies up.sql / down.sql in version directories', () => {
    expect(classifyMigration('migrations/2019-03-22-170700_remove_crate_downloads/down.sql')).toEqual({
      path: 'migrations/2019-03-22-170700_remove_crate_downloads/down.sql',
      framework: 'diesel',
      direction: 'down',
      version: '2019-03-22-170700',
      name: 'remove_crate_downloads',
      repeatable: false,
    });
  });

  it('gives the ups before a down, including its own', () => {
    expect(paths(previousMigrations('migrations/2019-03-22-170700_remove_crate_downloads/down.sql', files))).toEqual([
      'migrations/00000000000000_diesel_initial_setup/up.sql',
      'migrations/20161115111853_dumped_migration_117/up.sql',
      'migrations/2019-03-22-170700_remove_crate_downloads/up.sql',
    ]);
  });
});

describe('Prisma and Supabase', () => {
  it('orders Prisma migration directories by name, all forward', () => {
    const files = [
      'prisma/migrations/20230101120000_init/migration.sql',
      'prisma/migrations/20230102090000_add_posts/migration.sql',
      'prisma/migrations/20231201000000_index/migration.sql',
    ];
    const ordered = orderMigrations(shuffled(files));
    expect(paths(ordered)).toEqual(files);
    expect(ordered.map((f) => [f.framework, f.direction, f.name])).toEqual([
      ['prisma', 'up', 'init'],
      ['prisma', 'up', 'add_posts'],
      ['prisma', 'up', 'index'],
    ]);
  });

  it('orders Supabase migrations by timestamp, all forward', () => {
    const files = [
      'supabase/migrations/20230101120000_init.sql',
      'supabase/migrations/20230315000000_profiles.sql',
      'supabase/migrations/20240101000000_rls.sql',
    ];
    const ordered = orderMigrations(shuffled(files));
    expect(paths(ordered)).toEqual(files);
    expect(ordered.every((f) => f.framework === 'supabase' && f.direction === 'up')).toBe(true);
  });
});

describe('sqitch', () => {
  const plan = [
    '%syntax-version=1.0.0',
    '%project=flipr',
    '',
    'appschema 2024-01-01T00:00:00Z Marge <marge@example.com> # App schema',
    'users [appschema] 2024-01-02T00:00:00Z Marge <marge@example.com> # Users',
    '@v1.0 2024-01-03T00:00:00Z Marge <marge@example.com> # Tag v1.0',
    'flips [appschema users] 2024-01-04T00:00:00Z Marge <marge@example.com>',
    'users [users@v1.0] 2024-01-05T00:00:00Z Marge <marge@example.com> # Reworked',
  ].join('\n');
  const files = [
    'deploy/appschema.sql',
    'revert/appschema.sql',
    'verify/appschema.sql',
    'deploy/users@v1.0.sql',
    'revert/users@v1.0.sql',
    'deploy/flips.sql',
    'deploy/users.sql',
    'revert/users.sql',
  ];

  it('orders changes as sqitch.plan lists them, including reworked changes', () => {
    expect(paths(orderMigrations(shuffled(files), { sqitchPlan: plan }))).toEqual(files);
  });

  it('reads the plan', () => {
    expect([...parseSqitchPlan(plan).positions]).toEqual([
      ['appschema', 0],
      ['users@v1.0', 1],
      ['flips', 2],
      ['users', 3],
    ]);
  });

  it('classifies deploy / revert / verify and orders by name without a plan', () => {
    expect(classifyMigration('db/deploy/users.sql')).toMatchObject({ framework: 'sqitch', direction: 'up', name: 'users' });
    expect(classifyMigration('db/revert/users.sql').direction).toBe('down');
    expect(classifyMigration('db/verify/users.sql').direction).toBe('verify');
    expect(paths(orderMigrations(['deploy/b.sql', 'deploy/a.sql']))).toEqual(['deploy/a.sql', 'deploy/b.sql']);
  });

  it('gives the deployed changes before a change', () => {
    expect(paths(previousMigrations('deploy/users.sql', files, { sqitchPlan: plan }))).toEqual([
      'deploy/appschema.sql',
      'deploy/users@v1.0.sql',
      'deploy/flips.sql',
    ]);
    expect(paths(previousMigrations('revert/appschema.sql', files, { sqitchPlan: plan }))).toEqual(['deploy/appschema.sql']);
  });
});

describe('numbered and unknown names', () => {
  it('orders plain numeric prefixes numerically', () => {
    const files = ['m/001_init.sql', 'm/002_users.sql', 'm/0010-orders.sql', 'm/11_items.sql'];
    const ordered = orderMigrations(shuffled(files));
    expect(paths(ordered)).toEqual(files);
    expect(ordered.map((f) => [f.framework, f.direction, f.version])).toEqual([
      ['numbered', 'up', '001'],
      ['numbered', 'up', '002'],
      ['numbered', 'up', '0010'],
      ['numbered', 'up', '11'],
    ]);
  });

  it('reads up/down suffixes on other names (V0001.Name.up.sql, name_down.sql)', () => {
    expect(classifyMigration('pg/V0012.WebAuthn.up.sql')).toMatchObject({ direction: 'up', version: '0012' });
    expect(classifyMigration('pg/V0012.WebAuthn.down.sql')).toMatchObject({ direction: 'down', version: '0012' });
    expect(classifyMigration('m/003_drop_users_down.sql')).toMatchObject({ direction: 'down', version: '003' });
    const ordered = orderMigrations(['pg/V0010.B.up.sql', 'pg/V0002.A.down.sql', 'pg/V0002.A.up.sql']);
    expect(paths(ordered)).toEqual(['pg/V0002.A.up.sql', 'pg/V0002.A.down.sql', 'pg/V0010.B.up.sql']);
  });

  it('falls back to natural order of the path, and reads rollback folders as down', () => {
    const files = [
      'schema/v12/versioned/v1.5/executions.sql',
      'schema/v12/versioned/v1.9/tasks.sql',
      'schema/v12/versioned/v1.14/start_time.sql',
    ];
    expect(paths(orderMigrations(shuffled(files)))).toEqual(files);
    expect(classifyMigration('db/rollback_dbs/postgresql/1.16.0/1.16.0.sql').direction).toBe('down');
    expect(classifyMigration('db/init_dbs/postgresql/1.16.0/1.16.0.sql')).toMatchObject({
      framework: 'numbered',
      direction: 'up',
      version: '1.16.0',
    });
    expect(paths(orderMigrations(['u/1.16.0.sql', 'u/1.9.0.sql', 'u/1.9.1.sql']))).toEqual(['u/1.9.0.sql', 'u/1.9.1.sql', 'u/1.16.0.sql']);
    expect(classifyMigration('schema/v12/versioned/v1.5/executions.sql').framework).toBe('unknown');
  });

  it('compares naturally', () => {
    expect(naturalCompare('file2', 'file10')).toBeLessThan(0);
    expect(naturalCompare('a10b', 'a9c')).toBeGreaterThan(0);
    expect(naturalCompare('same', 'same')).toBe(0);
  });

  it('accepts Windows separators', () => {
    expect(classifyMigration('migrations\\2019-03-22-170700_x\\up.sql').framework).toBe('diesel');
  });
});
