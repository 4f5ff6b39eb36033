/**
 * Caching must never change what is found: for every runner's transaction semantics, a DocumentAnalyzer fed a
 * sequence of edits must report exactly what a fresh analysis of the final text reports. The texts are random
 * (seeded, so failures replay) sequences of statements chosen to exercise transaction state: BEGIN/COMMIT,
 * SET [LOCAL] timeouts, DDL holding locks, backfills, NOT VALID + VALIDATE, CONCURRENTLY, ignore comments.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, analyzeText, initParser } from '../../server/src/analysis/analyzer';
import { replayMigrations } from '../../server/src/analysis/schema-context';
import type { Catalog } from '../../server/src/analysis/catalog';
import type { AnalysisOptions, AnalysisResult } from '../../server/src/analysis/types';

const STATEMENTS = [
  'BEGIN;',
  'COMMIT;',
  'ROLLBACK;',
  "SET lock_timeout = '2s';",
  "SET LOCAL lock_timeout = '1s';",
  'RESET lock_timeout;',
  "SET statement_timeout = '1min';",
  'ALTER TABLE orders ADD COLUMN c1 int;',
  'ALTER TABLE orders ADD COLUMN c2 text;',
  'ALTER TABLE customers ADD COLUMN c3 int;',
  'ALTER TABLE orders ALTER COLUMN total SET NOT NULL;',
  'CREATE INDEX orders_total_idx ON orders (total);',
  'CREATE INDEX CONCURRENTLY orders_c_idx ON orders (customer_id);',
  'UPDATE orders SET total = 0;',
  'DELETE FROM customers WHERE id = 1;',
  'ALTER TABLE orders ADD CONSTRAINT orders_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
  'ALTER TABLE orders VALIDATE CONSTRAINT orders_fk;',
  'CREATE TABLE fresh (id int);',
  'ALTER TABLE fresh ADD COLUMN x int;',
  'SELECT 1;',
  '-- lockstep-ignore missing-lock-timeout: reviewed\nALTER TABLE customers ADD COLUMN c4 int;',
  '-- lockstep-ignore wide-lock-window, nope: x\nSELECT 2;',
];

const PATHS = ['db/000002_x.up.sql', 'db/20240101120000_x.sql', 'db/V2__x.sql', 'plain.sql', 'supabase/migrations/20240101120000_x.sql'];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function summary(result: AnalysisResult): string[] {
  return [
    ...result.statements.map((s) => `s ${s.index} ${s.kind} ${JSON.stringify(s.transaction)} ${s.effect?.locks.map((l) => l.relation + l.mode).join(',') ?? ''}`),
    ...result.findings.map((f) => `f ${f.rule} ${f.severity} ${f.statement} ${JSON.stringify(f.range)} ${f.message}`),
    `suppressed ${result.suppressed?.length ?? 0}`,
  ];
}

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([
    { path: '001.sql', text: 'CREATE TABLE customers (id int PRIMARY KEY);\nCREATE TABLE orders (id int PRIMARY KEY, customer_id int, total int);' },
  ]);
});

describe('incremental analysis agrees with a fresh one under every runner', () => {
  for (const path of PATHS) {
    it(path, () => {
      const random = prng(path.length * 7919);
      for (let round = 0; round < 25; round++) {
        const pick = () => STATEMENTS[Math.floor(random() * STATEMENTS.length)]!;
        let lines = Array.from({ length: 3 + Math.floor(random() * 10) }, pick);
        if (path.includes('20240101120000_x.sql') && !path.startsWith('supabase')) lines = ['-- +goose Up', ...lines, '-- +goose Down', pick(), pick()];
        const options: AnalysisOptions = { pgVersion: 17, migration: { path }, project: { lockTimeoutMs: 1500 } };
        const analyzer = new DocumentAnalyzer();
        analyzer.analyze(lines.join('\n'), options, base);
        for (let edit = 0; edit < 6; edit++) {
          const at = 1 + Math.floor(random() * (lines.length - 1));
          const roll = random();
          if (roll < 0.4) lines.splice(at, 0, pick());
          else if (roll < 0.7 && lines.length > 2) lines.splice(at, 1);
          else lines[at] = pick();
          const text = lines.join('\n');
          const incremental = analyzer.analyze(text, options, base);
          expect(summary(incremental), `${path}, round ${round}, edit ${edit}:\n${text}`).toEqual(summary(analyzeText(text, options, base)));
        }
      }
    });
  }
});
