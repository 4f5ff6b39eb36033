import { describe, expect, it } from 'vitest';
import { analyzablePart } from './document-limit';

describe('analyzablePart', () => {
  it('returns a document within the limit unchanged', () => {
    const text = 'CREATE INDEX ON t (x);\n'.repeat(40); // 920 bytes
    expect(analyzablePart(text, 1000)).toEqual({ truncated: false, text });
  });

  it('counts UTF-8 bytes, not UTF-16 units: 400 × "é" is 800 bytes', () => {
    const text = `SELECT '${'é'.repeat(400)}';`; // 400 units of é = 800 bytes, + 10 ASCII
    expect(analyzablePart(text, 810).truncated).toBe(false);
    expect(analyzablePart(text, 809).truncated).toBe(true);
  });

  it('cuts after the last whole statement within the limit and says which line that is', () => {
    const statement = 'ALTER TABLE t ADD COLUMN c int;\n'; // 32 bytes
    const text = statement.repeat(100);
    const part = analyzablePart(text, 1000);
    // 31 statements fit (992 bytes); the 32nd crosses the limit and is dropped rather than cut.
    expect(part).toMatchObject({ truncated: true, totalBytes: 3200, lastAnalyzedLine: 31 });
    // The cut falls where the dropped statement's leading whitespace begins, right after the semicolon.
    expect(part.text).toBe(statement.repeat(31).trimEnd());
  });

  it('drops a statement cut in the middle of a string, not reporting an unterminated string that is not there', () => {
    const text = `CREATE INDEX ON t (x);\nINSERT INTO t VALUES ('${'x'.repeat(2000)}');\n`;
    const part = analyzablePart(text, 1000);
    expect(part.text).toBe('CREATE INDEX ON t (x);');
    expect(part).toMatchObject({ truncated: true, lastAnalyzedLine: 1 });
  });

  it('analyzes nothing when the first statement alone is over the limit', () => {
    const part = analyzablePart(`SELECT ${'1 + '.repeat(1000)}1;`, 1000);
    expect(part).toMatchObject({ truncated: true, text: '', lastAnalyzedLine: 0 });
  });

  it('never splits a surrogate pair at the limit', () => {
    const text = `${'🐘'.repeat(300)};`; // 1,201 bytes, one statement
    const part = analyzablePart(text, 1000);
    expect(part.text).toBe('');
    expect(part.truncated && part.totalBytes).toBe(1201);
  });

  it('counts \\r\\n, \\r and \\n line breaks as the editor does', () => {
    const text = 'SELECT 1;\r\nSELECT 2;\rSELECT 3;\nSELECT 4;\n'.repeat(50);
    const part = analyzablePart(text, 100);
    // 100 bytes hold 2 repetitions (82 bytes) + "SELECT 1;\r\n" (11) = 93, then "SELECT 2;" (9) ends at 102 > 100.
    expect(part.text).toBe(`${'SELECT 1;\r\nSELECT 2;\rSELECT 3;\nSELECT 4;\n'.repeat(2)}SELECT 1;`);
    expect(part.truncated && part.lastAnalyzedLine).toBe(9);
  });

  it('stays fast on 10 MB on one line: only the head is examined', () => {
    const text = `${'SELECT 1; '.repeat(1_000_000)}`;
    const started = performance.now();
    const part = analyzablePart(text, 1_000_000);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(part.text.length).toBeLessThanOrEqual(1_000_000);
    expect(part.text.endsWith('SELECT 1; ')).toBe(true);
    expect(part.truncated && part.lastAnalyzedLine).toBe(1);
  });
});
