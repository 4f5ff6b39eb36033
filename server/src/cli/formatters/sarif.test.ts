import { describe, expect, it } from 'vitest';
import { toSarif } from './sarif';
import type { LintedFile } from '../lint-report';
import type { RuleMeta } from '../../analysis/rules/rule';

const rules: RuleMeta[] = [
  { id: 'create-index-nonconcurrent', description: 'CREATE INDEX without CONCURRENTLY', defaultSeverity: 'warning', docs: 'docs/rules/create-index-nonconcurrent.md' },
  { id: 'concurrently-in-transaction', description: 'CONCURRENTLY in a transaction', defaultSeverity: 'error', docs: 'docs/rules/concurrently-in-transaction.md' },
  { id: 'missing-statement-timeout', description: 'no statement_timeout', defaultSeverity: 'info', docs: 'docs/rules/missing-statement-timeout.md' },
];

const files: LintedFile[] = [
  {
    displayPath: 'db/migrations/0001 add index.sql',
    findings: [
      {
        rule: 'concurrently-in-transaction',
        severity: 'error',
        message: 'fails',
        range: { start: { line: 2, character: 0 }, end: { line: 3, character: 5 } },
        statement: 1,
      },
      {
        rule: 'missing-statement-timeout',
        severity: 'info',
        message: 'set one',
        range: { start: { line: 0, character: 4 }, end: { line: 0, character: 4 } },
        statement: 0,
      },
    ],
  },
  { displayPath: '/abs/other.sql', findings: [] },
];

describe('SARIF 2.1.0', () => {
  const sarif = toSarif(files, { rules, docsBaseUrl: 'https://lockstep.example/docs/rules/', version: '1.2.3' }) as any;

  it('has the 2.1.0 envelope and a driver that lists only the rules that produced results, with help links', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const driver = sarif.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'lockstep', version: '1.2.3' });
    expect(driver.rules.map((r: any) => r.id)).toEqual(['concurrently-in-transaction', 'missing-statement-timeout']);
    expect(driver.rules[0]).toMatchObject({
      helpUri: 'https://lockstep.example/docs/rules/concurrently-in-transaction.md',
      shortDescription: { text: 'CONCURRENTLY in a transaction' },
      defaultConfiguration: { level: 'error' },
    });
    expect(driver.rules[1].defaultConfiguration.level).toBe('note');
  });

  it('gives each result its rule (by id and index), level, message and a 1-based region with an exclusive end column', () => {
    const [first, second] = sarif.runs[0].results;
    expect(first).toEqual({
      ruleId: 'concurrently-in-transaction',
      ruleIndex: 0,
      level: 'error',
      message: { text: 'fails' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'db/migrations/0001%20add%20index.sql' },
            region: { startLine: 3, startColumn: 1, endLine: 4, endColumn: 6 },
          },
        },
      ],
    });
    expect(second.level).toBe('note');
    expect(second.locations[0].physicalLocation.region).toEqual({ startLine: 1, startColumn: 5, endLine: 1, endColumn: 5 });
    expect(sarif.runs[0].columnKind).toBe('utf16CodeUnits');
  });

  it('satisfies the schema’s structural rules for every result', () => {
    const run = sarif.runs[0];
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['none', 'note', 'warning', 'error']).toContain(result.level);
      expect(typeof result.message.text).toBe('string');
      const region = result.locations[0].physicalLocation.region;
      for (const key of ['startLine', 'startColumn', 'endLine', 'endColumn']) {
        expect(Number.isInteger(region[key]) && region[key] >= 1, key).toBe(true);
      }
      expect(region.endLine > region.startLine || region.endColumn >= region.startColumn).toBe(true);
    }
    const ids = run.tool.driver.rules.map((r: any) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
