import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { AnalysisResult } from '../types';
import type { MigrationRunInput } from './runners';

beforeAll(async () => {
  await initParser();
});

function analyze(sql: string, migration: MigrationRunInput = {}): AnalysisResult {
  return analyzeText(sql, { pgVersion: 17, migration });
}

/** Per statement: 'T<n>' inside transaction n (numbered from 0 in order of appearance), 'A' outside any block. */
function shape(sql: string, migration: MigrationRunInput = {}): string[] {
  const ids = new Map<number, number>();
  return analyze(sql, migration).statements.map((s) => {
    const t = s.transaction!;
    if (!ids.has(t.id)) ids.set(t.id, ids.size);
    return t.inTransaction ? `T${ids.get(t.id)}` : `A${ids.get(t.id)}`;
  });
}

function issues(sql: string, migration: MigrationRunInput = {}): string[] {
  return analyze(sql, migration).findings.filter((f) => ['transaction-nesting', 'uncommitted-transaction'].includes(f.rule)).map((f) => `${f.rule}@${f.statement}`);
}

const THREE = 'CREATE TABLE a (id int);\nALTER TABLE orders ADD COLUMN b int;\nCREATE INDEX ON orders (b);\n';

describe('transaction plan per runner', () => {
  it('golang-migrate: a file of several statements is one implicit transaction (one query)', () => {
    expect(shape(THREE, { path: 'db/000002_x.up.sql' })).toEqual(['T0', 'T0', 'T0']);
    const result = analyze(THREE, { path: 'db/000002_x.up.sql' });
    expect(result.runner).toBe('golang-migrate');
    expect(result.statements[0]!.transaction!.source).toBe('implicit');
    expect(result.transactions![0]!.end).toBe('query-end');
    expect(result.transactions![0]!.why).toMatch(/golang-migrate sends the whole file as one query.*one transaction/);
  });

  it('golang-migrate: a file of one statement is no transaction block, whatever its comments', () => {
    expect(shape('-- build it\nCREATE INDEX CONCURRENTLY i ON orders (b);;\n-- done\n', { path: '000003_i.up.sql' })).toEqual(['A0']);
  });

  it('golang-migrate: COMMIT ends the implicit block and the rest of the query is a new one', () => {
    expect(shape('BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON a (id);\nSELECT 1;', { path: '1_x.up.sql' })).toEqual([
      'T0',
      'T0',
      'T0',
      'T1',
      'T1',
    ]);
  });

  it('psql / plain files: statements on their own unless the file writes BEGIN … COMMIT', () => {
    expect(shape(THREE, { path: 'schema.sql' })).toEqual(['A0', 'A1', 'A2']);
    expect(shape(`BEGIN;\n${THREE}COMMIT;\nSELECT 1;`)).toEqual(['A0', 'T0', 'T0', 'T0', 'T0', 'A1']);
  });

  it('goose: the runner wraps each section; NO TRANSACTION runs statements on their own; down is its own section', () => {
    const goose = `-- +goose Up\n${THREE}-- +goose Down\nDROP TABLE a;\nALTER TABLE orders DROP COLUMN b;\n`;
    const result = analyze(goose, { path: '20240101120000_x.sql' });
    expect(result.runner).toBe('goose');
    const t = result.statements.map((s) => s.transaction!);
    expect(t.map((x) => x.section)).toEqual(['up', 'up', 'up', 'down', 'down']);
    expect(t.map((x) => x.inTransaction)).toEqual([true, true, true, true, true]);
    expect(new Set(t.slice(0, 3).map((x) => x.id)).size).toBe(1);
    expect(t[3]!.id).not.toBe(t[0]!.id);
    expect(t[3]!.id).toBe(t[4]!.id);
    expect(result.transactions![t[0]!.id]!.end).toBe('runner-commit');

    expect(shape(`-- +goose NO TRANSACTION\n${goose}`, { path: '20240101120000_x.sql' })).toEqual(['A0', 'A1', 'A2', 'A3', 'A4']);
  });

  it('goose: statements before the Up marker are never run', () => {
    const result = analyze('SELECT 1;\n-- +goose Up\nSELECT 2;', { path: '001_x.sql' });
    expect(result.statements.map((s) => s.transaction!.source)).toEqual(['not-run', 'runner']);
  });

  it('dbmate: transaction:false applies to its own section only, and the section is still one query', () => {
    const sql = `-- migrate:up transaction:false\n${THREE}\n-- migrate:down\nDROP TABLE a;\nSELECT 1;\n`;
    const result = analyze(sql, { path: 'db/migrations/20240101120000_x.sql' });
    expect(result.runner).toBe('dbmate');
    expect(result.statements.map((s) => s.transaction!.source)).toEqual(['implicit', 'implicit', 'implicit', 'runner', 'runner']);
    expect(shape('-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX i;', { path: '20240101120000_x.sql' })).toEqual([
      'A0',
      'T1',
    ]);
  });

  it('diesel: wrapped unless metadata.toml says run_in_transaction = false, then one query', () => {
    expect(shape(THREE, { path: 'migrations/2024-01-01-120000_x/up.sql' })).toEqual(['T0', 'T0', 'T0']);
    const result = analyze(THREE, { path: 'migrations/2024-01-01-120000_x/up.sql', dieselMetadata: 'run_in_transaction = false\n' });
    expect(result.statements.map((s) => s.transaction!.source)).toEqual(['implicit', 'implicit', 'implicit']);
    expect(shape('CREATE INDEX CONCURRENTLY i ON t (a);', { path: 'migrations/2024-01-01-120000_x/up.sql', dieselMetadata: 'run_in_transaction = false' })).toEqual(['A0']);
  });

  it('Flyway: wrapped; a script of only non-transactional statements runs without; executeInTransaction=false in .conf', () => {
    expect(shape(THREE, { path: 'db/V2__x.sql' })).toEqual(['T0', 'T0', 'T0']);
    expect(shape('CREATE INDEX CONCURRENTLY i ON t (a);\nDROP INDEX CONCURRENTLY j;', { path: 'V3__x.sql' })).toEqual(['A0', 'A1']);
    expect(shape(THREE, { path: 'V2__x.sql', flywayScriptConfig: 'executeInTransaction=false\n' })).toEqual(['A0', 'A1', 'A2']);
  });

  it('Flyway: a script mixing both kinds is refused (mixed=false), at the statement Flyway names', () => {
    const result = analyze('SELECT 1;\nCREATE INDEX CONCURRENTLY i ON t (a);\nSELECT 2;', { path: 'V3__x.sql' });
    const refusal = result.findings.find((f) => f.rule === 'concurrently-in-transaction');
    expect(refusal?.statement).toBe(1);
    expect(refusal?.message).toMatch(/Flyway refuses/);
  });

  it('Supabase: one batch with the CLI’s own insert, so even one statement is in a block; concurrent ones go alone', () => {
    expect(shape('ALTER TABLE orders ADD COLUMN b int;', { path: 'supabase/migrations/20240101120000_x.sql' })).toEqual(['T0']);
    expect(shape('ALTER TABLE orders ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY i ON orders (b);', { path: 'supabase/migrations/20240101120000_x.sql' })).toEqual([
      'T0',
      'A1',
    ]);
  });

  it('looks only at the names near the file: a deploy/ or supabase/ folder higher up changes nothing', () => {
    expect(analyze(THREE, { path: '/srv/deploy/apps/shop/db/000002_x.up.sql' }).runner).toBe('golang-migrate');
    expect(analyze(THREE, { path: 'C:\\work\\supabase\\migrations\\20240101120000_x.sql' }).runner).toBe('the Supabase CLI');
  });

  it('Prisma and sqitch', () => {
    expect(shape(THREE, { path: 'prisma/migrations/20240101120000_x/migration.sql' })).toEqual(['T0', 'T0', 'T0']);
    expect(shape(THREE, { path: 'sqitch/deploy/add_b.sql' })).toEqual(['A0', 'A1', 'A2']);
  });

  it('lockstep.json overrides: framework and transaction', () => {
    expect(shape(THREE, { path: '001_x.sql', framework: 'golang-migrate' })).toEqual(['T0', 'T0', 'T0']);
    expect(shape(THREE, { path: '000002_x.up.sql', transaction: 'none' })).toEqual(['A0', 'A1', 'A2']);
    expect(shape(THREE, { path: 'schema.sql', transaction: 'per-file' })).toEqual(['T0', 'T0', 'T0']);
    expect(shape('CREATE INDEX CONCURRENTLY i ON t (a);', { transaction: 'single-query' })).toEqual(['A0']);
  });
});

describe('transaction control inside a file (PostgreSQL rules)', () => {
  it('BEGIN inside the runner’s transaction nests nothing and is reported; a closing COMMIT at the end is harmless', () => {
    const sql = '-- +goose Up\nBEGIN;\nALTER TABLE orders ADD COLUMN b int;\nCOMMIT;\n';
    expect(shape(sql, { path: '001_x.sql' })).toEqual(['T0', 'T0', 'T0']);
    expect(issues(sql, { path: '001_x.sql' })).toEqual(['transaction-nesting@0']);
  });

  it('COMMIT in the middle of the runner’s transaction: what follows runs outside it', () => {
    const sql = '-- +goose Up\nALTER TABLE orders ADD COLUMN b int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON orders (b);\n';
    expect(shape(sql, { path: '001_x.sql' })).toEqual(['T0', 'T0', 'A1']);
    expect(issues(sql, { path: '001_x.sql' })).toEqual(['transaction-nesting@1']);
  });

  it('BEGIN inside BEGIN, and a BEGIN never committed', () => {
    expect(issues('BEGIN;\nBEGIN;\nSELECT 1;\nCOMMIT;')).toEqual(['transaction-nesting@1']);
    expect(issues('SELECT 1;\nBEGIN;\nALTER TABLE orders ADD COLUMN b int;')).toEqual(['uncommitted-transaction@1']);
    expect(issues('BEGIN;\nSELECT 1;\nROLLBACK;\nBEGIN;\nSELECT 2;\nEND;')).toEqual([]);
    expect(analyze('BEGIN;\nSELECT 1;\nROLLBACK;').transactions![0]!.end).toBe('rollback');
  });

  it('COMMIT AND CHAIN starts the next transaction at once', () => {
    expect(shape('BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;\nSELECT 3;')).toEqual(['A0', 'T0', 'T0', 'T1', 'T1', 'A2']);
  });

  it('BEGIN inside a multi-statement query turns the implicit block into an explicit one (same transaction)', () => {
    const result = analyze('SELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;', { path: '1_x.up.sql' });
    const ids = result.statements.map((s) => s.transaction!.id);
    expect(new Set(ids).size).toBe(1);
    expect(result.statements.map((s) => s.transaction!.source)).toEqual(['explicit', 'explicit', 'explicit', 'explicit']);
  });
});
