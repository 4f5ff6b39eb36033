/**
 * Other PostgreSQL majors live outside node_modules, in a per-major cache that scripts/install-pg-major.mjs fills
 * and the resolver (server/src/rehearsal/embedded-server.ts) reads: both must agree on where it is, and the resolver
 * must take a cached major's binaries when the project's package holds another one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PG_MAJOR, pgCacheRoot, resolvePostgresBinaries } from '../../server/src/rehearsal/embedded-server';
// @ts-expect-error -- a plain .mjs tool script without type declarations
import { pgCacheRoot as scriptCacheRoot, platformPackage } from '../../scripts/install-pg-major.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'lockstep-pg-cache-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the per-major PostgreSQL cache', () => {
  it('is the same directory for the install script and the resolver', () => {
    const cases: [NodeJS.ProcessEnv, number | undefined][] = [
      [{ LOCKSTEP_PG_DIR: '/opt/pg-majors' }, 0],
      [{ LOCKSTEP_PG_DIR: 'relative/dir' }, 1000],
      [{}, 0],
      [{ XDG_CACHE_HOME: '/home/u/.xdg' }, 1000],
      [{}, 1000],
    ];
    for (const [env, uid] of cases) expect(scriptCacheRoot(env, uid)).toBe(pgCacheRoot(env, uid));
    // As root the server runs as the OS user postgres, who cannot enter /root: the default must be elsewhere.
    expect(pgCacheRoot({}, 0)).toBe('/var/cache/lockstep/pg');
    expect(pgCacheRoot({ XDG_CACHE_HOME: '/home/u/.xdg' }, 1000)).toBe('/home/u/.xdg/lockstep/pg');
  });

  it('resolves a major the project does not hold from the cache', async () => {
    const packageName: string = platformPackage();
    const major = DEFAULT_PG_MAJOR - 1;
    // A fake platform package with the real layout: dist/index.js exporting native/bin paths, and its manifest.
    const packageDir = join(scratch, String(major), 'node_modules', ...packageName.split('/'));
    mkdirSync(join(packageDir, 'dist'), { recursive: true });
    mkdirSync(join(packageDir, 'native', 'bin'), { recursive: true });
    for (const binary of ['initdb', 'postgres']) writeFileSync(join(packageDir, 'native', 'bin', binary), '', { mode: 0o755 });
    writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: packageName, version: `${major}.3.0-beta.1` }));
    writeFileSync(
      join(packageDir, 'dist', 'index.js'),
      "import path from 'path'; import { fileURLToPath } from 'url';\n" +
        'const dir = path.dirname(fileURLToPath(import.meta.url));\n' +
        "export const initdb = path.resolve(dir, '..', 'native', 'bin', 'initdb');\n" +
        "export const postgres = path.resolve(dir, '..', 'native', 'bin', 'postgres');\n",
    );
    const binaries = await resolvePostgresBinaries({ major, cacheRoot: scratch });
    expect(binaries).toMatchObject({ major, packageVersion: `${major}.3.0-beta.1`, packageDir, postgres: join(packageDir, 'native', 'bin', 'postgres') });

    // The default major still comes from the project's node_modules, whatever the cache holds.
    const project = await resolvePostgresBinaries({ major: DEFAULT_PG_MAJOR, cacheRoot: scratch });
    expect(project.packageDir.startsWith(scratch)).toBe(false);

    // A major in neither place: the error names the cache directory and the command that fills it.
    const missing = await resolvePostgresBinaries({ major: 12, cacheRoot: scratch }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(missing?.message).toContain(join(scratch, '12', 'node_modules'));
    expect(missing?.message).toContain('node scripts/install-pg-major.mjs 12');
  });
});
