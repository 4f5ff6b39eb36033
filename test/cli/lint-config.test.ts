// `lockstep lint` with lockstep.json, ignore comments, --fail-on and the CI formats, run through bin/lockstep.js
// against the build (`npm test` builds first) on projects written to a temp directory.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstep } from './run-cli';



const project: Record<string, string> = {
  'app/lockstep.json': JSON.stringify({
    $schema: '../schemas/lockstep.schema.json',
    pgVersion: 16,
    migrations: ['db'],
    rules: { 'missing-statement-timeout': 'off', 'create-index-nonconcurrent': 'error' },
    lockTimeout: '2s',
  }),
  'app/db/000001_init.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n',
  'app/db/000002_idx.up.sql': "SET lock_timeout = '10s';\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n",
  'app/db/000003_plain.up.sql': '-- lockstep-ignore create-index-nonconcurrent: orders is tiny in every environment\nCREATE INDEX orders_id_idx ON orders (id);\n',
  'broken/lockstep.json': '{ "rules": { "create-index-nonconcurent": "off" }, }',
  'broken/001.sql': 'SELECT 1;\n',
  'bad-rule/lockstep.json': '{ "rules": { "create-index-nonconcurent": "off" } }',
  'bad-rule/001.sql': 'SELECT 1;\n',
};

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lockstep-config-'));
  for (const [path, content] of Object.entries(project)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('lockstep lint with lockstep.json', () => {
  it('finds lockstep.json above the files and applies its rules, framework semantics and ignore comments', async () => {
    const run = await lockstep(['lint', '--format', 'json', 'app/db'], root);
    const report = JSON.parse(run.stdout) as { files: Array<{ path: string; findings: Array<{ rule: string; severity: string; statement: number }> }> };
    const byFile = Object.fromEntries(report.files.map((f) => [f.path.split('/').pop(), f.findings.map((x) => `${x.rule}:${x.severity}@${x.statement}`)]));
    // 000002: golang-migrate sends both statements as one query → CONCURRENTLY fails (error); lock_timeout 10s > 2s
    // is not reported because CONCURRENTLY blocks neither reads nor writes. 000003: the ignore comment holds.
    expect(byFile['000002_idx.up.sql']).toEqual(['concurrently-in-transaction:error@1']);
    expect(byFile['000003_plain.up.sql']).toEqual(['missing-lock-timeout:warning@0']);
    expect(byFile['000001_init.up.sql']).toEqual([]);
    expect(run.code).toBe(1);
  });

  it('without paths, lints the "migrations" folders of the lockstep.json in the working directory', async () => {
    const run = await lockstep(['lint'], join(root, 'app'));
    expect(run.stdout).toMatch(/000002_idx\.up\.sql:2:1 {2}error {2}concurrently-in-transaction/);
    expect(run.stderr).toMatch(/; 1 suppressed by lockstep-ignore comments\n$/);
  });

  it('--fail-on sets the lowest severity that fails the run', async () => {
    const file = join('app', 'db', '000003_plain.up.sql');
    expect((await lockstep(['lint', file], root)).code).toBe(0);
    expect((await lockstep(['lint', '--fail-on', 'warning', file], root)).code).toBe(1);
    const bad = await lockstep(['lint', '--fail-on', 'loud', file], root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown --fail-on 'loud'; use info, warning or error/);
  });

  it('exits 2 on an invalid lockstep.json, naming the file, the JSON path and what to do', async () => {
    const syntax = await lockstep(['lint', 'broken'], root);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain(join(root, 'broken', 'lockstep.json'));
    expect(syntax.stderr).toMatch(/\$ \(line 1, column \d+\): not valid JSON/);
    const rule = await lockstep(['lint', 'bad-rule'], root);
    expect(rule.code).toBe(2);
    expect(rule.stderr).toMatch(/\$\.rules\["create-index-nonconcurent"\]: unknown rule .*did you mean "create-index-nonconcurrent"/);
    expect(rule.stderr).toMatch(/docs\/configuration\.md/);
  });

  it('--format github writes annotations and --format sarif a SARIF log', async () => {
    const github = await lockstep(['lint', '--format', 'github', 'app/db'], root);
    expect(github.stdout).toMatch(/^::error file=app\/db\/000002_idx\.up\.sql,line=2,col=1,endLine=2,endColumn=\d+,title=concurrently-in-transaction::/m);
    const sarif = JSON.parse((await lockstep(['lint', '--format', 'sarif', 'app/db'], root)).stdout);
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results as Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }>;
    expect(results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri])).toContainEqual([
      'concurrently-in-transaction',
      'app/db/000002_idx.up.sql',
    ]);
  });
});
