#!/usr/bin/env node
'use strict';
// Launcher for the `lockstep` command. The CLI itself is bundled by esbuild.mjs into dist/cli.js, which runs
// as soon as it is loaded; this file only makes a missing build say so instead of printing a stack trace.
const { existsSync } = require('node:fs');
const path = require('node:path');

const packageRoot = path.join(__dirname, '..');
const cli = path.join(packageRoot, 'dist', 'cli.js');

if (!existsSync(cli)) {
  process.stderr.write(
    `lockstep: ${cli} does not exist: the CLI has not been built.\n` +
      `Run \`npm run build\` in ${packageRoot} (npm install and npm ci do this through the "prepare" script).\n`,
  );
  process.exit(2);
}

// Errors from the bundle then report TypeScript file:line (dist/*.js.map) instead of bundle offsets.
process.setSourceMapsEnabled(true);
require(cli);
