#!/usr/bin/env node
// Runs a TypeScript tool script (corpus run, benchmarks): bundles it with esbuild into a temp file next to
// dist/ (so libpg-query finds its WASM) and runs it with the remaining arguments.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <script.ts> [args…]');
  process.exit(2);
}
const outDir = join(root, 'dist', 'tools');
mkdirSync(outDir, { recursive: true });
const wasm = join(root, 'node_modules', 'libpg-query', 'wasm', 'libpg-query.wasm');
if (!existsSync(join(outDir, 'libpg-query.wasm'))) copyFileSync(wasm, join(outDir, 'libpg-query.wasm'));
const outfile = join(outDir, basename(entry).replace(/\.ts$/, '.cjs'));
await build({
  entryPoints: [resolve(entry)],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  sourcemap: 'inline',
  external: ['pg-native'],
  logLevel: 'warning',
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
