/**
 * Proof of DROP INDEX → DROP INDEX CONCURRENTLY and REINDEX → REINDEX CONCURRENTLY on the embedded PostgreSQL.
 * Neither original scans the table; what they do is hold a lock that makes reads or writes wait (DROP INDEX:
 * AccessExclusiveLock on the table, REINDEX: ShareLock while it rebuilds). The phased versions must hold none.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { prove, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, org_id int);
CREATE INDEX users_email_idx ON users (email);
CREATE INDEX users_org_id_idx ON users (org_id);
INSERT INTO users SELECT g, 'user' || g || '@example.test', g % 10 FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

describe('drop-index-concurrently', () => {
  it('golang-migrate: DROP INDEX a, b becomes one single-statement file per index', async () => {
    const c: ProofCase = {
      name: 'drop-index',
      runner: 'golang-migrate',
      setup: SETUP,
      document: {
        path: '/db/migrations/000002_drop_user_indexes.up.sql',
        text: 'ALTER TABLE users ADD COLUMN nickname text;\nDROP INDEX users_email_idx, users_org_id_idx;\n',
      },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: SETUP }],
      statementKind: 'DropStmt',
      recipe: 'drop-index-concurrently',
    };
    const result = await prove(c);
    expect(result.originalBlocking.some((b) => b.statement.startsWith('DROP INDEX') && b.relation === 'public.users')).toBe(true);
    expect(result.phasedBlocking.filter((b) => /DROP INDEX/.test(b.statement))).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    expect(result.phased.filter((f) => f.path.endsWith('.up.sql')).map((f) => [f.path, f.text.trim().split('\n').pop()])).toEqual([
      [
        '/db/migrations/000002_drop_user_indexes.up.sql',
        '-- Lockstep fix: drop users_email_idx, users_org_id_idx with DROP INDEX CONCURRENTLY outside a transaction, in 000003_drop_users_email_idx_concurrently.up.sql, 000004_drop_users_org_id_idx_concurrently.up.sql.',
      ],
      ['/db/migrations/000003_drop_users_email_idx_concurrently.up.sql', 'DROP INDEX CONCURRENTLY users_email_idx;'],
      ['/db/migrations/000004_drop_users_org_id_idx_concurrently.up.sql', 'DROP INDEX CONCURRENTLY users_org_id_idx;'],
    ]);
    expect(result.phased[0]!.text.startsWith('ALTER TABLE users ADD COLUMN nickname text;\n')).toBe(true);
    recordProof('drop-index-concurrently', c, result);
  });
});

describe('reindex-concurrently', () => {
  it('goose: REINDEX INDEX moves to a NO TRANSACTION migration', async () => {
    const c: ProofCase = {
      name: 'reindex',
      runner: 'goose',
      setup: SETUP,
      document: {
        path: '/db/migrations/00002_rebuild.sql',
        text: '-- +goose Up\nREINDEX INDEX users_email_idx;\nALTER TABLE users ADD COLUMN nickname text;\n-- +goose Down\nALTER TABLE users DROP COLUMN nickname;\n',
      },
      siblings: [{ path: '/db/migrations/00001_init.sql', text: SETUP }],
      statementKind: 'ReindexStmt',
      recipe: 'reindex-concurrently',
    };
    const result = await prove(c);
    expect(result.originalBlocking.some((b) => b.statement.startsWith('REINDEX') && b.lock === 'ShareLock')).toBe(true);
    expect(result.phasedBlocking.filter((b) => /REINDEX/.test(b.statement))).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    // The ALTER TABLE after it uses the same table, so it moves behind the rebuild.
    expect(result.fix.files.map((f) => f.path)).toEqual([
      '/db/migrations/00003_reindex_users_email_idx_concurrently.sql',
      '/db/migrations/00004_reindex_users_email_idx_concurrently_rest.sql',
    ]);
    expect(result.fix.files[0]!.text).toContain('-- +goose NO TRANSACTION\n');
    recordProof('reindex-concurrently', c, result);
  });
});
