// Entry point bundled to dist/server.js. VS Code starts it with --node-ipc; other editors with --stdio.
import { startServer } from './server';

startServer();
