// V8 heap sizing for the language server process (`lockstep lsp`, and dist/server.js under VS Code).
import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full GC found live before collecting again.
 *
 * Left to itself, V8 picks a factor of up to 4 when the program allocates fast, as analysis does after each edit:
 * a 5,000-statement document keeps ~60–90 MB live, and the heap grew to ~250 MB of mostly garbage before the next
 * full GC — ~400–500 MB RSS. At 100 % the server stays near live × 2 (bench:lsp at 5,000 statements, 120 edits:
 * peak RSS ~315 MB instead of ~500, server CPU per edit ~178 ms instead of ~150); 50 % saved another ~20 MB for
 * ~+10 % more CPU, not worth it while each edit still re-checks hundreds of statements (the less an edit
 * allocates, the less any setting costs).
 * bench/memory.ts shows where the memory goes.
 */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Applied at run time rather than on the node command line: V8 reads this flag at every full GC, so it works
 * after start-up, and a V8 that no longer knew it would only print a warning, where an unknown command-line flag
 * stops node from starting at all (VS Code's Electron brings its own V8).
 */
export function applyServerHeapSettings(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
