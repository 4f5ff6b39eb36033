// Integration test on real migrations: replays coder's 362 golang-migrate up files in framework order, snapshotting
// the catalog before each file (what the analyzer does to give every file its context), and reports the time.
// Reads the shared corpus from disk, so it lives beside the catalog only as a test; the catalog never does I/O.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from '@pgsql/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseStatementText } from '../parse/parser';
import { splitStatements } from '../split/splitter';
import { orderMigrations } from '../migrations/ordering';
import { Catalog } from './catalog';
import { hashString } from './hash';

const CODER = '/work/shared/corpus/coder__coder/coderd/database/migrations';
const present = existsSync(CODER);

interface ParsedFile {
  path: string;
  statements: { ast: Node; textHash: string }[];
}

function parseFile(path: string): ParsedFile {
  const text = readFileSync(join(CODER, path), 'utf8');
  const statements: ParsedFile['statements'] = [];
  for (const piece of splitStatements(text)) {
    if (piece.kind !== 'sql') continue;
    const pieceText = text.slice(piece.start, piece.end);
    const parsed = parseStatementText(pieceText);
    if (!parsed.ok) throw new Error(`${path}: statement at offset ${piece.start} does not parse: ${parsed.message}`);
    for (const node of parsed.nodes) {
      statements.push({ ast: node.ast, textHash: hashString(pieceText.slice(node.start, node.end)) });
    }
  }
  return { path, statements };
}

describe.skipIf(!present)(`replaying ${CODER}`, () => {
  let files: ParsedFile[] = [];

  beforeAll(async () => {
    await initParser();
    const ups = orderMigrations(readdirSync(CODER)).filter((f) => f.direction === 'up');
    files = ups.map((f) => parseFile(f.path));
  });

  it('rebuilds the schema PostgreSQL ends up with, snapshotting before every file', () => {
    const catalog = new Catalog();
    const snapshots: Catalog[] = [];
    let cloneMs = 0;
    const problems: string[] = [];
    const started = performance.now();
    for (const file of files) {
      const c0 = performance.now();
      snapshots.push(catalog.clone());
      cloneMs += performance.now() - c0;
      file.statements.forEach((s, statement) => {
        const result = catalog.apply(s.ast, { file: file.path, statement, textHash: s.textHash });
        problems.push(...result.problems.map((p) => `${file.path}#${statement}: ${p.code}: ${p.message}`));
      });
      catalog.endTransaction();
    }
    const totalMs = performance.now() - started;
    const statements = files.reduce((n, f) => n + f.statements.length, 0);
    console.info(
      `[catalog] coder: ${files.length} files, ${statements} statements replayed in ${totalMs.toFixed(1)} ms ` +
        `(${cloneMs.toFixed(2)} ms of it for ${snapshots.length} per-file clones)`,
    );

    expect(files.length).toBe(362);
    expect(problems).toEqual([]);
    // Counts and names below were compared with PostgreSQL 17 running the same files: they match exactly.
    const kinds = new Map<string, number>();
    for (const r of catalog.relations()) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({ table: 81, view: 10, sequence: 6 });
    expect(catalog.relations().reduce((n, r) => n + r.indexes.length, 0)).toBe(162);
    expect(catalog.relations().reduce((n, r) => n + r.constraints.length, 0)).toBe(197);
    expect(catalog.types().length).toBe(48);
    expect(catalog.constraint('organization_members', 'organization_members_user_id_uuid_fkey')!.references!.table).toBe(
      'public.users',
    );

    // Each snapshot is the context of its file: it lacks what the file creates.
    const i = files.findIndex((f) => f.path.startsWith('000002_'));
    expect(snapshots[i]!.relation('templates')).toBeUndefined();
    expect(snapshots[i + 1]!.relation('templates')).toBeDefined();
    expect(snapshots[0]!.relations()).toEqual([]);

    // Generous bound, there to catch an accidental quadratic blow-up rather than to benchmark.
    expect(totalMs).toBeLessThan(10_000);
  });

  it('clones a large catalog cheaply', () => {
    const catalog = new Catalog();
    for (const file of files) file.statements.forEach((s, statement) => catalog.apply(s.ast, { file: file.path, statement, textHash: s.textHash }));
    // Grow it to a big schema: 5,000 extra tables with an index each.
    const table = parseStatementText('CREATE TABLE t (id bigint PRIMARY KEY, a text, b int)');
    const index = parseStatementText('CREATE INDEX ON t (a)');
    if (!table.ok || !index.ok) throw new Error('fixture SQL does not parse');
    for (let n = 0; n < 5000; n++) {
      const rename = (node: Node): Node => JSON.parse(JSON.stringify(node).replaceAll('"relname":"t"', `"relname":"t${n}"`));
      catalog.apply(rename(table.nodes[0]!.ast), { statement: n, textHash: `t${n}` });
      catalog.apply(rename(index.nodes[0]!.ast), { statement: n, textHash: `i${n}` });
    }
    const alter = parseStatementText('ALTER TABLE t42 ADD COLUMN c int');
    if (!alter.ok) throw new Error('fixture SQL does not parse');
    const rounds = 100;
    const t0 = performance.now();
    let copy = catalog;
    for (let r = 0; r < rounds; r++) {
      copy = catalog.clone();
      copy.apply(alter.nodes[0]!.ast, { statement: 0, textHash: 'alter' });
    }
    const perSnapshotMs = (performance.now() - t0) / rounds;
    console.info(
      `[catalog] ${catalog.relations().length} relations: clone + first write ${perSnapshotMs.toFixed(2)} ms; clone alone is O(1)`,
    );
    expect(copy.column('t42', 'c')).toBeDefined();
    expect(catalog.column('t42', 'c')).toBeUndefined();
    expect(perSnapshotMs).toBeLessThan(200);
  });
});

describe.skipIf(present)('replaying the coder corpus', () => {
  it(`is skipped: ${CODER} is absent (the shared corpus is not mounted on this machine)`, () => {
    expect(present).toBe(false);
  });
});
