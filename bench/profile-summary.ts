/**
 * Prints where a V8 CPU profile spent its time.
 *
 *   node scripts/run-ts.mjs bench/profile-summary.ts <file.cpuprofile> [--top 25] [--inclusive fnA,fnB]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { summarizeProfile, type CpuProfile } from './profile';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, inclusive: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    console.error('usage: node scripts/run-ts.mjs bench/profile-summary.ts <file.cpuprofile> [--top 25] [--inclusive fnA,fnB]');
    process.exit(2);
  }
  const top = Number(values.top ?? 25);
  const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
  const summary = summarizeProfile(profile, values.inclusive ? values.inclusive.split(',') : []);
  const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1)}%`;
  console.log(`profile: ${summary.totalMs.toFixed(0)} ms wall`);
  console.log('\nself time by file:');
  for (const f of summary.byFile.slice(0, top)) console.log(`  ${f.ms.toFixed(0).padStart(7)} ms ${pct(f.ms).padStart(6)}  ${f.name}`);
  console.log('\nself time by function:');
  for (const f of summary.byFunction.slice(0, top)) console.log(`  ${f.ms.toFixed(0).padStart(7)} ms ${pct(f.ms).padStart(6)}  ${f.name}`);
  if (summary.inclusive.length > 0) {
    console.log('\ninclusive time:');
    for (const f of summary.inclusive) console.log(`  ${f.ms.toFixed(0).padStart(7)} ms ${pct(f.ms).padStart(6)}  ${f.name}`);
  }
}

main();
