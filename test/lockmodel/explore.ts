/**
 * `node scripts/run-ts.mjs test/lockmodel/explore.ts cases.txt [--pg N]`: a workbench for writing lock facts.
 * Starts its own embedded PostgreSQL, and for each case traces the statement(s) the way the proof suite does
 * (fresh database, setup committed, statement in BEGIN … ROLLBACK or sampled from a monitor) and prints what the
 * server did next to what the model predicts, marking every difference. The file holds cases like:
 *
 *   ### label
 *   CREATE TABLE t (id bigint PRIMARY KEY);     -- setup, committed
 *   >>>
 *   CREATE INDEX ON t (id);                     -- each statement after >>> traced on its own (one per line group)
 *
 * Statements after `>>>` are separated by lines holding only `;;`. The server is stopped (by its own handle) at
 * the end.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../../server/src/rehearsal/embedded-server';
import { pgDriver, urlForDatabase } from '../../server/src/rehearsal/driver';
import { dropDatabaseForce, serverMajor, traceStatements } from '../../server/src/rehearsal/tracer';
import { initParser } from '../../server/src/analysis/parse/parser';
import { analyzeText } from '../../server/src/analysis/analyzer';
import { replayMigrations } from '../../server/src/analysis/schema-context';
import { ensureProofTablespace } from './tablespace';

interface Case {
  label: string;
  setup: string;
  statements: string[];
}

function readCases(path: string): Case[] {
  const cases: Case[] = [];
  for (const block of readFileSync(path, 'utf8').split(/^###/m).slice(1)) {
    const [labelLine, ...rest] = block.split('\n');
    const body = rest.join('\n');
    const [setup, run] = body.split(/^>>>\s*$/m);
    if (run === undefined) throw new Error(`case "${labelLine?.trim()}" has no >>> line`);
    cases.push({ label: labelLine!.trim(), setup: setup!.trim(), statements: run.split(/^;;\s*$/m).map((s) => s.trim()).filter(Boolean) });
  }
  return cases;
}

const fmtLocks = (locks: Array<{ relation: string; kind: string; mode: string }>): string[] =>
  locks.map((l) => `${l.relation} (${l.kind}) ${l.mode}`).sort();

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: explore.ts <cases file> [--pg N]');
  const pgArg = process.argv.indexOf('--pg');
  const pgVersion = Number(pgArg >= 0 ? process.argv[pgArg + 1] : (process.env.LOCKSTEP_PG ?? 17));
  await initParser();
  const server = await startEmbeddedPostgres({ major: pgVersion });
  try {
    await ensureProofTablespace(server.driver, server.url);
    const admin = await server.driver.connect();
    for (const c of readCases(path)) {
      for (const sql of c.statements) {
        const name = `explore_${randomBytes(4).toString('hex')}`;
        await admin.query(`CREATE DATABASE ${name}`);
        let out: string[] = [];
        try {
          const driver = pgDriver(urlForDatabase(server.url, name));
          const [trace] = await traceStatements(driver, { setup: c.setup, statements: [sql], transactional: false, database: name });
          const base = replayMigrations([{ path: 'setup.sql', text: c.setup }]);
          const result = analyzeText(sql, { pgVersion }, base);
          const effect = result.statements.find((s) => s.effect)?.effect;
          const observed = fmtLocks(trace!.locks.map((l) => ({ relation: l.relation, kind: l.relkind, mode: l.mode })));
          const predicted = effect ? fmtLocks(effect.locks) : [];
          out.push(`=== ${c.label}: ${sql.replace(/\s+/g, ' ').slice(0, 140)}`);
          if (trace!.error) out.push(`  ERROR ${trace!.error.code}: ${trace!.error.message}`);
          out.push(`  via ${trace!.observedVia}${trace!.sampling ? ` ${JSON.stringify(trace!.sampling)}` : ''}; facts ${effect?.facts.map((f) => f.id).join(', ') || '-'}${effect?.unknown ? ` UNKNOWN ${effect.unknownParts.join('; ')}` : ''}`);
          for (const l of new Set([...observed, ...predicted])) {
            const mark = observed.includes(l) && predicted.includes(l) ? '  ' : observed.includes(l) ? '+S' : '-M';
            out.push(`  ${mark} ${l}`);
          }
          const cmp = (label: string, o: string[], p: string[]): void => {
            const same = JSON.stringify([...o].sort()) === JSON.stringify([...p].sort());
            out.push(`  ${same ? '  ' : '!!'} ${label}: server [${o.join(', ')}] model [${p.join(', ')}]`);
          };
          cmp('rewrites', trace!.rewritten, effect?.rewrites ?? []);
          cmp('scans', trace!.scanned, effect?.scans ?? []);
          cmp('transaction', [trace!.observedVia === 'monitor' ? 'forbidden' : 'allowed'], [effect?.transaction ?? '?']);
        } catch (error) {
          out.push(`=== ${c.label}: ${sql}\n  FAILED ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          await dropDatabaseForce(admin, name, await serverMajor(admin));
        }
        console.log(out.join('\n'));
        out = [];
      }
    }
    await admin.close();
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
