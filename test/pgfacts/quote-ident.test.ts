/**
 * Relation names in Lockstep's output are compared as strings with what the server reports, so our quote_ident
 * must be PostgreSQL's: checked here for every keyword the server knows and a sample of ordinary names.
 */
import { beforeAll, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/parse/parser';
import { quoteIdent } from '../../server/src/analysis/names';
import { withScratchDatabase } from '../setup/pg';

beforeAll(() => initParser());

it('quotes every keyword and sample name exactly as the server does', async () => {
  await withScratchDatabase(async (db) => {
    const session = await db.driver.connect();
    try {
      const { rows: keywords } = await session.query<{ word: string }>('SELECT word FROM pg_get_keywords()');
      expect(keywords.length).toBeGreaterThan(400);
      // The fast path in names.ts relies on this: no keyword contains a digit.
      expect(keywords.filter((k) => /[0-9]/.test(k.word))).toEqual([]);
      const names = [...keywords.map((k) => k.word), 'orders', 'Orders', 'orders_note_idx12', '1st', 'naïve', 'a"b', 'with space', '_x', 'x$y'];
      const { rows } = await session.query<{ name: string; quoted: string }>(
        'SELECT name, quote_ident(name) AS quoted FROM unnest($1::text[]) AS name',
        [names],
      );
      const mismatches = rows.filter((r) => quoteIdent(r.name) !== r.quoted).map((r) => `${r.name}: ours ${quoteIdent(r.name)}, server ${r.quoted}`);
      expect(mismatches).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
