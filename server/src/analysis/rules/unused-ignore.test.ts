import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { AnalysisOptions, AnalysisResult } from '../types';

beforeAll(async () => {
  await initParser();
});

function analyze(sql: string, options: Partial<AnalysisOptions> = {}): AnalysisResult {
  return analyzeText(sql, { pgVersion: 17, ...options });
}

const INDEX = 'CREATE INDEX orders_a_idx ON orders (a);';

describe('ignore comments and unused-ignore', () => {
  it('suppresses the listed rules on the next statement only, and counts what it suppressed', () => {
    const sql = `-- lockstep-ignore create-index-nonconcurrent, missing-lock-timeout: built off-hours\n${INDEX}\n${INDEX.replace('orders_a_idx', 'orders_b_idx')}`;
    const result = analyze(sql);
    expect(result.findings.filter((f) => f.rule === 'create-index-nonconcurrent').map((f) => f.statement)).toEqual([1]);
    expect(result.suppressed!.map((f) => `${f.rule}@${f.statement}`).sort()).toEqual(['create-index-nonconcurrent@0', 'missing-lock-timeout@0']);
    expect(result.findings.filter((f) => f.rule === 'unused-ignore')).toEqual([]);
  });

  it('applies a comment after the previous statement’s semicolon to the next statement', () => {
    const sql = `SELECT 1; -- lockstep-ignore create-index-nonconcurrent: ok\n${INDEX}`;
    expect(analyze(sql).findings.filter((f) => f.rule === 'create-index-nonconcurrent')).toEqual([]);
  });

  it('suppresses a rule in the whole file with lockstep-ignore-file, wherever the comment is', () => {
    const sql = `${INDEX}\n-- lockstep-ignore-file create-index-nonconcurrent: tiny table\nCREATE INDEX x ON orders (b);`;
    const result = analyze(sql);
    expect(result.findings.filter((f) => f.rule === 'create-index-nonconcurrent')).toEqual([]);
    expect(result.suppressed!.filter((f) => f.rule === 'create-index-nonconcurrent')).toHaveLength(2);
  });

  it('reports an ignore that suppresses nothing, at the rule id, with the reason why', () => {
    const sql = `-- lockstep-ignore fk-without-not-valid, create-index-nonconcurent: x\n${INDEX}\n-- lockstep-ignore\nSELECT 1;\n-- lockstep-ignore syntax-error: no\nSELECT 2;\n-- lockstep-ignore create-index-nonconcurrent: trailing`;
    const unused = analyze(sql).findings.filter((f) => f.rule === 'unused-ignore');
    expect(unused.map((f) => f.data?.why)).toEqual(['nothing-to-ignore', 'unknown-rule', 'no-rule-listed', 'not-ignorable', 'no-statement-follows']);
    expect(unused[0]).toMatchObject({ severity: 'warning', statement: 0, range: { start: { line: 0, character: 19 }, end: { line: 0, character: 39 } } });
    expect(unused[1]!.message).toMatch(/did you mean 'create-index-nonconcurrent'/);
  });

  it('does not read directives inside statements or in prose that mentions them', () => {
    const sql = `SELECT '-- lockstep-ignore create-index-nonconcurrent: x';\n-- see lockstep-ignore docs\n${INDEX}`;
    const result = analyze(sql);
    expect(result.findings.filter((f) => f.rule === 'create-index-nonconcurrent')).toHaveLength(1);
    expect(result.findings.filter((f) => f.rule === 'unused-ignore')).toEqual([]);
  });

  it('follows lockstep.json: off rules are dropped (and ignoring them is not “unused”), severities replaced', () => {
    const sql = `-- lockstep-ignore create-index-nonconcurrent: x\n${INDEX}`;
    const result = analyze(sql, { project: { rules: { 'create-index-nonconcurrent': 'off', 'missing-lock-timeout': 'error' } } });
    expect(result.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['missing-lock-timeout', 'error'],
      ['missing-statement-timeout', 'info'],
    ]);
    expect(analyze(`-- lockstep-ignore nope\n${INDEX}`, { project: { rules: { 'unused-ignore': 'off' } } }).findings.some((f) => f.rule === 'unused-ignore')).toBe(false);
  });
});
