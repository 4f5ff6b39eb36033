import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseStatementText } from './parse/parser';
import { StatementView } from './statement-view';

function viewOf(text: string): StatementView {
  const outcome = parseStatementText(text);
  if (!outcome.ok) throw new Error(`test statement does not parse: ${outcome.message}`);
  const node = outcome.nodes[0]!;
  return new StatementView(text.slice(node.start, node.end), node.kind, node.ast, outcome.offsets, node.start);
}

describe('StatementView tokens', () => {
  beforeAll(async () => {
    await initParser();
  });

  it('gives the same tokens after many other statements were scanned (only recent views keep theirs)', () => {
    const first = viewOf('CREATE INDEX idx_a ON orders (customer_id);');
    const before = first.tokens().map((t) => ({ ...t }));
    // More views than statement-view.ts keeps tokens for, so `first`'s are dropped and scanned again.
    for (let i = 0; i < 600; i++) viewOf(`ALTER TABLE t${i} ADD COLUMN c${i} integer;`).tokens();
    expect(first.tokens()).toEqual(before);
    expect(first.findWords('on', 'orders')).toEqual({ start: 19, end: 28 });
  });

  it('upper-cases keywords whatever their spelling, and leaves identifiers alone', () => {
    const lower = viewOf('create index i on t (c);').tokens();
    const mixed = viewOf('Create Index i On t (c);').tokens();
    for (const tokens of [lower, mixed]) {
      expect(tokens.map((t) => t.keyword)).toEqual(['CREATE', 'INDEX', undefined, 'ON', undefined, undefined, undefined, undefined]);
      expect(tokens[0]!.keywordKind).toBe('RESERVED_KEYWORD');
      expect(tokens[1]!.keywordKind).toBe('UNRESERVED_KEYWORD');
      expect(tokens[2]!.name).toBe('IDENT');
    }
    expect(mixed[0]!.text).toBe('Create');
  });
});
