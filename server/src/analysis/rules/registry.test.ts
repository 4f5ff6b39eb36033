import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRuleMetas, rules, rulesForKind } from './index';

const root = new URL('../../../../', import.meta.url);

describe('rule registry', () => {
  it('has unique ids, each with its documentation page and a row in docs/rules/README.md', () => {
    const ids = allRuleMetas.map((m) => m.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const readme = readFileSync(new URL('docs/rules/README.md', root), 'utf8');
    const missingPage = allRuleMetas.filter((m) => !existsSync(new URL(m.docs, root))).map((m) => m.docs);
    const missingRow = ids.filter((id) => !readme.includes(`[${id}](${id}.md)`));
    expect(missingPage).toEqual([]);
    expect(missingRow).toEqual([]);
  });

  it('gives every statement kind the rules that look at every kind, after its own', () => {
    const everyKind = rules.filter((r) => r.kinds === 'all');
    expect(everyKind.length).toBeGreaterThan(0);
    expect(rulesForKind('NoSuchStmt')).toEqual(everyKind);
    const index = rulesForKind('IndexStmt');
    expect(index.slice(-everyKind.length)).toEqual(everyKind);
    expect(index.some((r) => r.meta.id === 'create-index-nonconcurrent')).toBe(true);
  });
});
