// Entry point bundled to dist/server.js. VS Code starts it with --node-ipc; other editors with --stdio.
import { applyServerHeapSettings } from './heap-settings';
import { startServer } from './server';

// The same heap sizing as `lockstep lsp` (see heap-settings.ts): VS Code runs this entry, not the CLI.
applyServerHeapSettings();
startServer();
