import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, formatGithub } from './github';

describe('GitHub Actions annotations', () => {
  it('writes one workflow command per finding, 1-based, with the rule as title', () => {
    const out = formatGithub([
      {
        displayPath: 'db/1.sql',
        findings: [
          { rule: 'missing-lock-timeout', severity: 'warning', message: 'no lock_timeout', range: { start: { line: 1, character: 0 }, end: { line: 1, character: 39 } }, statement: 0 },
          { rule: 'concurrently-in-transaction', severity: 'error', message: 'fails: 100%\nreally', range: { start: { line: 3, character: 2 }, end: { line: 5, character: 1 } }, statement: 1 },
          { rule: 'missing-statement-timeout', severity: 'info', message: 'x', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, statement: 2 },
        ],
      },
    ]);
    expect(out.split('\n')).toEqual([
      '::warning file=db/1.sql,line=2,col=1,endLine=2,endColumn=39,title=missing-lock-timeout::no lock_timeout',
      '::error file=db/1.sql,line=4,col=3,endLine=6,endColumn=1,title=concurrently-in-transaction::fails: 100%25%0Areally',
      '::notice file=db/1.sql,line=1,col=1,endLine=1,endColumn=1,title=missing-statement-timeout::x',
      '',
    ]);
  });

  it('escapes like the Actions toolkit', () => {
    expect(escapeData('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac:d,e');
    expect(escapeProperty('dir,x/a:b.sql')).toBe('dir%2Cx/a%3Ab.sql');
  });
});
