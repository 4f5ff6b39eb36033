import { describe, expect, it } from 'vitest';
import { analysisOptionsFor, describeConfigProblems, ProjectConfigs, type ConfigFileSystem } from './config-loader';

/** An in-memory file system whose files can change between calls, like a user's disk. */
function memoryFs(files: Record<string, string>): ConfigFileSystem & { files: Record<string, string>; version: number } {
  const fs = {
    files,
    version: 0,
    stamp(path: string) {
      return path in fs.files ? `v${fs.version}:${fs.files[path]!.length}` : undefined;
    },
    readText(path: string) {
      if (!(path in fs.files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return fs.files[path]!;
    },
  };
  return fs;
}

describe('ProjectConfigs', () => {
  it('uses the nearest lockstep.json in the folder or above, and none when there is none', () => {
    const fs = memoryFs({
      '/repo/lockstep.json': '{"pgVersion": 15}',
      '/repo/services/api/lockstep.json': '{"pgVersion": 16}',
    });
    const configs = new ProjectConfigs({ fs });
    expect(configs.configFor('/repo/services/api/db/1_x.up.sql').config.pgVersion).toBe(16);
    expect(configs.configFor('/repo/db/1_x.up.sql')).toMatchObject({ path: '/repo/lockstep.json', config: { pgVersion: 15 } });
    expect(configs.configFor('/elsewhere/1_x.up.sql')).toMatchObject({ path: undefined, config: {}, problems: [] });
  });

  it('merges the statsFile under tables, and notices when either changes', () => {
    const fs = memoryFs({
      '/repo/lockstep.json': '{"statsFile": "stats.json", "tables": {"orders": {"rows": 5}}}',
      '/repo/stats.json': '{"tables": {"orders": {"rows": 1}, "users": {"rows": 2}}}',
    });
    const configs = new ProjectConfigs({ fs });
    const first = configs.configFor('/repo/db/x.sql');
    expect(first.tables).toEqual({ orders: { rows: 5 }, users: { rows: 2 } });
    fs.files['/repo/stats.json'] = '{"tables": {"users": {"rows": 300}}}';
    fs.version++;
    const second = configs.configFor('/repo/db/x.sql');
    expect(second.tables).toEqual({ orders: { rows: 5 }, users: { rows: 300 } });
    expect(second.key).not.toBe(first.key);
  });

  it('reads a statsFile as lockstep stats writes it (bytes, collectedAt, server, notes) and names a wrong key in it', () => {
    const stats = { tables: { 'public.orders': { rows: 7, bytes: 8192 } }, collectedAt: '2026-11-22T01:00:00Z', server: '17.10', database: 'shop', notes: [] };
    const fs = memoryFs({ '/repo/lockstep.json': '{"statsFile": "lockstep-stats.json"}', '/repo/lockstep-stats.json': JSON.stringify(stats) });
    const configs = new ProjectConfigs({ fs });
    expect(configs.configFor('/repo/db/x.sql')).toMatchObject({ problems: [], tables: { 'public.orders': { rows: 7, bytes: 8192 } } });
    fs.files['/repo/lockstep-stats.json'] = JSON.stringify({ ...stats, collected: 'yesterday' });
    fs.version++;
    const broken = configs.configFor('/repo/db/x.sql');
    expect(broken.problems.map((p) => p.path)).toEqual(['$.statsFile (lockstep-stats.json): $.collected']);
    expect(broken.tables).toEqual({});
  });

  it('knows which files are statsFiles of the configurations it read, also one that does not exist yet', () => {
    const fs = memoryFs({ '/repo/lockstep.json': '{"statsFile": "db/sizes.json"}', '/other/lockstep.json': '{"statsFile": "missing.json"}' });
    const configs = new ProjectConfigs({ fs });
    expect(configs.isStatsFile('/repo/db/sizes.json')).toBe(false);
    configs.configFor('/repo/db/x.sql');
    configs.configFor('/other/x.sql');
    expect(configs.isStatsFile('/repo/db/sizes.json')).toBe(true);
    expect(configs.isStatsFile('/repo/db/../db/sizes.json')).toBe(true);
    expect(configs.isStatsFile('/other/missing.json')).toBe(true);
    expect(configs.isStatsFile('/repo/package.json')).toBe(false);
  });

  it('reports an unreadable or invalid statsFile as a configuration problem', () => {
    const configs = new ProjectConfigs({ fs: memoryFs({ '/repo/lockstep.json': '{"statsFile": "missing.json"}' }) });
    const project = configs.configFor('/repo/x.sql');
    expect(project.problems.map((p) => p.path)).toEqual(['$.statsFile']);
    expect(describeConfigProblems(project)).toMatch(/^\/repo\/lockstep\.json is invalid:\n {2}\$\.statsFile: cannot read \/repo\/missing\.json/);
  });

  it('memoizes where the configuration is until invalidate(), as the CLI and a watching server do', () => {
    const fs = memoryFs({});
    const configs = new ProjectConfigs({ fs, memoize: true });
    expect(configs.configFor('/repo/db/x.sql').path).toBeUndefined();
    fs.files['/repo/lockstep.json'] = '{}';
    expect(configs.configFor('/repo/db/x.sql').path).toBeUndefined();
    configs.invalidate();
    expect(configs.configFor('/repo/db/x.sql').path).toBe('/repo/lockstep.json');
  });
});

describe('analysisOptionsFor', () => {
  const fs = memoryFs({
    '/repo/migrations/2024-01-01-000000_idx/metadata.toml': 'run_in_transaction = false\n',
    '/repo/db/V3__idx.sql.conf': 'executeInTransaction=false\n',
  });

  it('passes the path, the runner metadata next to the file, and the policy', () => {
    const project = {
      path: '/repo/lockstep.json',
      config: { pgVersion: 15, framework: 'plain' as const, transaction: 'none' as const, rules: { 'missing-lock-timeout': 'off' as const }, lockTimeout: '2s' },
      tables: { orders: { rows: 10 } },
      problems: [],
      key: 'k',
    };
    expect(analysisOptionsFor('/repo/migrations/2024-01-01-000000_idx/up.sql', project, undefined, fs)).toEqual({
      pgVersion: 15,
      migration: {
        path: '/repo/migrations/2024-01-01-000000_idx/up.sql',
        framework: 'numbered',
        transaction: 'none',
        dieselMetadata: 'run_in_transaction = false\n',
      },
      project: { rules: { 'missing-lock-timeout': 'off' }, tables: { orders: { rows: 10 } }, lockTimeoutMs: 2000 },
    });
    expect(analysisOptionsFor('/repo/db/V3__idx.sql', project, 17, fs).migration?.flywayScriptConfig).toBe('executeInTransaction=false\n');
    expect(analysisOptionsFor('/repo/db/V3__idx.sql', project, 17, fs).pgVersion).toBe(17);
  });
});
