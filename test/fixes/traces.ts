/**
 * Records what a proof run observed, for docs/fixes.md: with LOCKSTEP_WRITE_FIX_TRACES=1 each recorded proof is
 * written to test/fixes/traces/<recipe>.json; `node scripts/run-ts.mjs test/fixes/render-docs.ts` then rewrites
 * the generated sections of docs/fixes.md from them. (Per-recipe files, because vitest runs test files in
 * parallel workers that must not write one file at once.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProofCase, ProofResult } from './harness.js';

export const TRACES_DIR = fileURLToPath(new URL('./traces', import.meta.url));

export interface RecordedProof {
  recipe: string;
  title: string;
  runner: string;
  setup: string;
  before: Array<{ path: string; text: string }>;
  after: Array<{ path: string; text: string }>;
  originalTraces: ProofResult['original'];
  phasedTraces: ProofResult['phasedTraces'];
  originalViolations: ProofResult['originalViolations'];
  phasedViolations: ProofResult['phasedViolations'];
}

export function recordProof(recipe: string, c: ProofCase, result: ProofResult): void {
  if (!process.env.LOCKSTEP_WRITE_FIX_TRACES) return;
  const record: RecordedProof = {
    recipe,
    title: result.fix.title,
    runner: c.runner,
    setup: c.setup,
    before: [c.document],
    after: result.phased,
    originalTraces: result.original,
    phasedTraces: result.phasedTraces,
    originalViolations: result.originalViolations,
    phasedViolations: result.phasedViolations,
  };
  mkdirSync(TRACES_DIR, { recursive: true });
  writeFileSync(join(TRACES_DIR, `${recipe}.json`), JSON.stringify(record, null, 2) + '\n');
}
