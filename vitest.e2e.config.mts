// End-to-end tests in real editors (`npm run test:e2e`, docs/e2e.md): Neovim and VS Code (code-server in
// Chromium). Not part of `npm test`: they need scripts/install-e2e.sh and the packaged .vsix.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // *.e2e.ts, not *.test.ts, so the main config's test/**/*.test.ts never picks them up.
    include: ['test/e2e/**/*.e2e.ts'],
    // One file at a time: code-server, its extension host, Chromium and the language server already fill 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
