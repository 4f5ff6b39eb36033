/**
 * `npm run compare-squawk`: runs Squawk (the squawk-cli dev dependency) and Lockstep over ../shared/corpus and
 * writes docs/comparison.md — per pair of rules that look at the same problem, how many statements both tools
 * report, only Squawk, only Lockstep, and for each kind of disagreement a sample and which tool is right according
 * to PostgreSQL. Rerunning regenerates the whole document (nothing in it is edited by hand).
 *
 * How a disagreement is judged, never by opinion:
 * - The lock model's answer for the statement (its `effect`: locks, rewrites, scans, what waits, and the ids of the
 *   facts that produced it) is the evidence. Every fact has examples that test/lockmodel/proof.test.ts runs on a real
 *   PostgreSQL and compares with the prediction, so a fact id is a proven claim.
 * - Each pair below states the hazard both rules are about as a predicate on that answer (`hazard`). If Squawk
 *   reports a statement where the hazard does not happen, Lockstep is right and the facts prove it; if the hazard
 *   happens and Lockstep is silent, Squawk is right (a Lockstep miss), with the same proof; if Lockstep reports
 *   and Squawk does not while the hazard happens, Lockstep is right.
 * - Transaction questions (CONCURRENTLY inside a transaction, nesting) are judged by the transaction plan the
 *   analyzer built from the runner, whose PostgreSQL behaviours test/transactions/postgres-behaviour.test.ts proves.
 * - Where no lock or transaction fact decides (application compatibility of a DROP COLUMN, naming style), the kind
 *   is counted and marked "not a locking question"; where the model has no fact for the statement, "undecided".
 *
 * Lockstep runs as `lockstep lint` does (each file with its runner's transaction semantics and the schema of the
 * migrations before it); Squawk as its CLI runs by default (`--pg-version 17`, no config).
 * Absent corpus or squawk binary: prints a note and exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { RangeVar } from '@pgsql/types';
import { parseQualifiedName } from '../server/src/analysis/catalog';
import { allRuleMetas } from '../server/src/analysis/rules';
import { lockFacts } from '../server/src/analysis/lockmodel/facts';
import { LOCKS_HELD_UNTIL_TRANSACTION_END, transactionBehaviours } from '../server/src/analysis/transactions/postgres-behaviour';
import type { Statement } from '../server/src/analysis/types';
import { analyzeSqlFiles, type AnalyzedFile } from '../server/src/cli/analyze-files';
import { ProjectConfigs } from '../server/src/cli/config-loader';

const root = resolve(__dirname, '..', '..');
const corpusDir = resolve(process.env.LOCKSTEP_CORPUS ?? join(root, '..', 'shared', 'corpus'));
const squawkBin = join(root, 'node_modules', '.bin', 'squawk');
const docPath = join(root, 'docs', 'comparison.md');
const PG_VERSION = 17;

interface SquawkViolation {
  file: string;
  line: number;
  column: number;
  rule_name: string;
  message: string;
}

/** What the pair's rules are both about, asked of one statement in its file. */
interface HazardContext {
  statement: Statement;
  file: AnalyzedFile;
}

interface Pair {
  lockstep: string[];
  squawk: string[];
  /** The hazard in words ("writes to an existing table wait while an index builds"). */
  hazard: string;
  /**
   * Whether PostgreSQL does what the rules warn about for this statement, by the lock model ('lock') or the
   * transaction plan ('transaction'); 'none' when no PostgreSQL fact decides it (compatibility, style).
   */
  evidence: 'lock' | 'transaction' | 'none';
  holds?: (c: HazardContext) => boolean;
  /** Lockstep reports this once per file or transaction where Squawk reports every statement. */
  oncePerFile?: boolean;
}

const blocks = (c: HazardContext, ...work: Array<'reads' | 'writes'>) => work.some((w) => (c.statement.effect?.blocks[w].length ?? 0) > 0);
const rewrites = (c: HazardContext) => (c.statement.effect?.rewrites.length ?? 0) > 0;
const scansWhileBlocking = (c: HazardContext) => (c.statement.effect?.scans.length ?? 0) > 0 && blocks(c, 'writes');

/** The mapping table: rules of both tools that look at the same problem. */
const PAIRS: Pair[] = [
  { lockstep: ['create-index-nonconcurrent'], squawk: ['require-concurrent-index-creation'], hazard: 'writes wait while the index builds', evidence: 'lock', holds: (c) => blocks(c, 'writes') },
  { lockstep: ['drop-index-nonconcurrent'], squawk: ['require-concurrent-index-deletion'], hazard: 'reads and writes of the table wait for DROP INDEX', evidence: 'lock', holds: (c) => blocks(c, 'reads', 'writes') },
  { lockstep: ['reindex-nonconcurrent'], squawk: ['require-concurrent-reindex'], hazard: 'writes (or reads) wait while the index is rebuilt', evidence: 'lock', holds: (c) => blocks(c, 'reads', 'writes') },
  { lockstep: ['concurrently-in-transaction'], squawk: ['ban-concurrent-index-creation-in-transaction'], hazard: 'a statement PostgreSQL refuses inside a transaction block runs inside one', evidence: 'transaction', holds: (c) => c.statement.effect?.transaction === 'forbidden' && c.statement.transaction?.inTransaction === true },
  {
    lockstep: ['add-column-volatile-default', 'add-column-generated-stored', 'add-column-serial-or-identity', 'add-column-constrained-domain'],
    squawk: ['adding-field-with-default'],
    hazard: 'ADD COLUMN rewrites the table under AccessExclusiveLock',
    evidence: 'lock',
    holds: rewrites,
  },
  { lockstep: ['add-column-required'], squawk: ['adding-required-field'], hazard: 'ADD COLUMN … NOT NULL without a default fails on a table with rows', evidence: 'none' },
  { lockstep: ['add-column-unique-or-pk', 'add-column-serial-or-identity'], squawk: ['adding-serial-primary-key-field'], hazard: 'an index is built (or the table rewritten) while reads and writes wait', evidence: 'lock', holds: (c) => rewrites(c) || scansWhileBlocking(c) },
  { lockstep: ['set-not-null-scan'], squawk: ['adding-not-nullable-field'], hazard: 'SET NOT NULL scans the table while reads and writes wait', evidence: 'lock', holds: (c) => (c.statement.effect?.scans.length ?? 0) > 0 && blocks(c, 'reads') },
  { lockstep: ['fk-without-not-valid'], squawk: ['adding-foreign-key-constraint'], hazard: 'the new foreign key is checked row by row while writes wait', evidence: 'lock', holds: scansWhileBlocking },
  {
    lockstep: ['check-without-not-valid', 'fk-without-not-valid', 'validate-in-same-transaction'],
    squawk: ['constraint-missing-not-valid'],
    hazard: 'the constraint is validated against every row while writes wait',
    evidence: 'lock',
    holds: scansWhileBlocking,
  },
  { lockstep: ['unique-constraint-without-index', 'add-column-unique-or-pk', 'primary-key-without-index'], squawk: ['disallowed-unique-constraint'], hazard: 'a unique index is built while reads and writes wait', evidence: 'lock', holds: scansWhileBlocking },
  { lockstep: ['domain-constraint-added'], squawk: ['ban-alter-domain-with-add-constraint'], hazard: 'every column of the domain is checked while writes wait', evidence: 'lock', holds: scansWhileBlocking },
  { lockstep: ['column-type-rewrite', 'type-change-rebuilds-index', 'timestamp-to-timestamptz-timezone'], squawk: ['changing-column-type'], hazard: 'ALTER COLUMN TYPE rewrites the table or rebuilds indexes while reads and writes wait', evidence: 'lock', holds: (c) => rewrites(c) || scansWhileBlocking(c) },
  { lockstep: ['missing-lock-timeout'], squawk: ['require-lock-timeout'], hazard: 'a blocking lock is requested without lock_timeout', evidence: 'lock', holds: (c) => blocks(c, 'reads', 'writes'), oncePerFile: true },
  {
    lockstep: ['missing-statement-timeout'],
    squawk: ['require-statement-timeout'],
    hazard: 'long work (a rewrite or a full scan) runs without statement_timeout while reads or writes wait',
    evidence: 'lock',
    holds: (c) => (rewrites(c) || (c.statement.effect?.scans.length ?? 0) > 0) && blocks(c, 'reads', 'writes'),
    oncePerFile: true,
  },
  { lockstep: ['transaction-nesting'], squawk: ['transaction-nesting'], hazard: 'BEGIN inside a transaction the runner already opened (PostgreSQL does not nest it)', evidence: 'transaction' },
  { lockstep: ['uncommitted-transaction'], squawk: ['ban-uncommitted-transaction'], hazard: 'a transaction left open at the end of the file', evidence: 'transaction' },
  { lockstep: ['drop-column'], squawk: ['ban-drop-column'], hazard: 'running code still reads the dropped column', evidence: 'none' },
  { lockstep: ['drop-table'], squawk: ['ban-drop-table'], hazard: 'running code still reads the dropped table', evidence: 'none' },
  { lockstep: ['rename-column'], squawk: ['renaming-column'], hazard: 'running code still uses the old column name', evidence: 'none' },
  { lockstep: ['rename-table'], squawk: ['renaming-table'], hazard: 'running code still uses the old table name', evidence: 'none' },
  { lockstep: ['drop-not-null'], squawk: ['ban-drop-not-null'], hazard: 'readers that assume NOT NULL get NULLs', evidence: 'none' },
  { lockstep: ['truncate', 'cascade'], squawk: ['ban-truncate-cascade'], hazard: 'TRUNCATE … CASCADE empties other tables too', evidence: 'none' },
  { lockstep: ['prefer-bigint'], squawk: ['prefer-bigint-over-int', 'prefer-bigint-over-smallint', 'prefer-big-int'], hazard: '32-bit (or smaller) keys run out', evidence: 'none' },
  { lockstep: ['prefer-identity'], squawk: ['prefer-identity'], hazard: 'serial instead of identity', evidence: 'none' },
  { lockstep: ['prefer-text'], squawk: ['prefer-text-field', 'ban-char-field'], hazard: 'varchar(n)/char(n) instead of text', evidence: 'none' },
  { lockstep: ['prefer-timestamptz'], squawk: ['prefer-timestamp-tz', 'prefer-timestamptz'], hazard: 'timestamp without time zone', evidence: 'none' },
  { lockstep: ['identifier-too-long'], squawk: ['identifier-too-long'], hazard: 'PostgreSQL truncates identifiers to 63 bytes', evidence: 'none' },
];

/** Lockstep rules about a lock held while work proportional to the table runs (what "reports it too" may mean). */
const LOCK_HAZARD_RULES = new Set(PAIRS.filter((p) => p.evidence === 'lock' && !p.oncePerFile).flatMap((p) => p.lockstep));

/** Statement kinds Lockstep gives for text PostgreSQL's parser does not accept as SQL. */
const NOT_SQL = new Set(['SyntaxError', 'PsqlMetaCommand', 'PsqlVariable', 'TemplatePlaceholder']);

type Direction = 'only Squawk' | 'only Lockstep';
type Verdict =
  | 'Lockstep'
  | 'Squawk'
  | 'neither (same fact, reported once per file)'
  | 'neither (both report it)'
  | 'not a locking question'
  | 'undecided';

interface Instance {
  key: string;
  file: AnalyzedFile;
  statement: Statement;
  squawkMessage?: string;
}

interface Kind {
  direction: Direction;
  reason: string;
  verdict: Verdict;
  instances: Instance[];
  /** Fact or behaviour ids, with how often they were the evidence. */
  proof: Map<string, number>;
}

async function main(): Promise<void> {
  if (!existsSync(join(corpusDir, 'MANIFEST.tsv'))) {
    console.log(`compare-squawk: ${corpusDir} not found; nothing to do (this comparison runs where ../shared/corpus exists).`);
    return;
  }
  if (!existsSync(squawkBin)) {
    console.log(`compare-squawk: ${squawkBin} not found; run npm install (squawk-cli is a dev dependency).`);
    return;
  }
  const started = performance.now();
  const manifest = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[3]!);
  const squawkVersion = (await run(squawkBin, ['--version'], corpusDir)).stdout.trim();

  // Lockstep, as `lockstep lint <corpus>` runs it.
  const quiet = { out: () => undefined, err: () => undefined, cwd: corpusDir };
  const analyzed = await analyzeSqlFiles([corpusDir], { io: quiet, configs: new ProjectConfigs({ memoize: true }), pgVersionOverride: PG_VERSION, verb: 'comparing' });
  const files = new Map(analyzed.files.map((f) => [relative(corpusDir, f.path), f]));
  const lockstepSeconds = (performance.now() - started) / 1000;

  // Squawk, in batches that fit a command line.
  const violations: SquawkViolation[] = [];
  for (let i = 0; i < manifest.length; i += 400) {
    const batch = manifest.slice(i, i + 400);
    const out = await run(squawkBin, ['--reporter', 'json', '--pg-version', `${PG_VERSION}.0`, ...batch], corpusDir);
    for (const line of out.stdout.split('\n')) if (line.trim().startsWith('[')) violations.push(...(JSON.parse(line) as SquawkViolation[]));
  }
  const squawkParseFailures = new Set(violations.filter((v) => v.rule_name === 'syntax-error').map((v) => v.file));

  // Both tools' reports per statement: file#index → rule ids.
  const lockstepAt = new Map<string, Set<string>>();
  const squawkAt = new Map<string, Map<string, string>>();
  const ruleCounts = { lockstep: new Map<string, number>(), squawk: new Map<string, number>() };
  for (const [path, file] of files) {
    for (const f of file.result.findings) {
      add(lockstepAt, `${path}#${f.statement}`, f.rule);
      ruleCounts.lockstep.set(f.rule, (ruleCounts.lockstep.get(f.rule) ?? 0) + 1);
    }
  }
  let unmapped = 0;
  for (const v of violations) {
    ruleCounts.squawk.set(v.rule_name, (ruleCounts.squawk.get(v.rule_name) ?? 0) + 1);
    const file = files.get(v.file);
    const statement = file && statementAt(file.result.statements, v.line, v.column);
    if (!statement) {
      unmapped++;
      continue;
    }
    const key = `${v.file}#${statement.index}`;
    const at = squawkAt.get(key) ?? new Map<string, string>();
    if (!at.has(v.rule_name)) at.set(v.rule_name, v.message);
    squawkAt.set(key, at);
  }

  const known = new Set(allRuleMetas.map((m) => m.id));
  const sections: string[] = [];
  const summary: string[] = [];
  const verdictTotals = new Map<Verdict, number>();
  for (const pair of PAIRS) {
    const implemented = pair.lockstep.filter((id) => known.has(id));
    const inL = new Set([...lockstepAt].filter(([, rules]) => implemented.some((id) => rules.has(id))).map(([k]) => k));
    const inS = new Set([...squawkAt].filter(([, rules]) => pair.squawk.some((id) => rules.has(id))).map(([k]) => k));
    const both = [...inL].filter((k) => inS.has(k)).length;
    const kinds = new Map<string, Kind>();
    const seen = { inL, lockstepAt, squawkParseFailures };
    for (const key of inS) if (!inL.has(key)) classify(pair, 'only Squawk', instance(key, files, squawkAt, pair), implemented, seen, kinds);
    for (const key of inL) if (!inS.has(key)) classify(pair, 'only Lockstep', instance(key, files, squawkAt, pair), implemented, seen, kinds);
    const onlyS = [...inS].filter((k) => !inL.has(k)).length;
    const onlyL = [...inL].filter((k) => !inS.has(k)).length;
    const ours = pair.lockstep.map((id) => (known.has(id) ? `\`${id}\`` : `\`${id}\` (not implemented)`)).join(', ');
    const theirs = pair.squawk.map((id) => `\`${id}\``).join(', ');
    summary.push(`| ${ours} | ${theirs} | ${both} | ${onlyS} | ${onlyL} |`);
    if (onlyS + onlyL === 0) continue;
    sections.push(`### ${pair.lockstep.join(' / ')} ↔ ${pair.squawk.join(' / ')}`, '');
    sections.push(`What both are about: ${pair.hazard}. Both: ${both}, only Squawk: ${onlyS}, only Lockstep: ${onlyL}.`, '');
    sections.push('| disagreement | statements | right according to PostgreSQL | proof | sample |', '|---|---:|---|---|---|');
    for (const kind of [...kinds.values()].sort((a, b) => b.instances.length - a.instances.length)) {
      verdictTotals.set(kind.verdict, (verdictTotals.get(kind.verdict) ?? 0) + kind.instances.length);
      const sample = kind.instances[0]!;
      const line = sample.statement.range.start.line + 1;
      const text = oneLine(sample.statement.text, 110);
      const proof = [...kind.proof].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([id]) => `\`${id}\``).join(', ') || '—';
      sections.push(`| ${kind.direction}: ${kind.reason} | ${kind.instances.length} | ${kind.verdict} | ${proof} | \`${escapeCell(text)}\` (${sample.key.split('#')[0]}:${line}) |`);
    }
    sections.push('');
  }

  const pairedSquawk = new Set(PAIRS.flatMap((p) => p.squawk));
  const pairedLockstep = new Set(PAIRS.flatMap((p) => p.lockstep));
  const unpairedSquawk = [...ruleCounts.squawk].filter(([id]) => !pairedSquawk.has(id)).sort((a, b) => b[1] - a[1]);
  const unpairedLockstep = [...ruleCounts.lockstep].filter(([id]) => !pairedLockstep.has(id)).sort((a, b) => b[1] - a[1]);
  const factIds = new Set(lockFacts.map((f) => f.id));
  const behaviourIds = new Set([...transactionBehaviours.map((b) => b.id), LOCKS_HELD_UNTIL_TRANSACTION_END.id]);

  const doc = [
    '# Lockstep and Squawk on the same corpus',
    '',
    `<!-- Generated by \`npm run compare-squawk\` (bench/compare-squawk.ts); rerun it instead of editing this file. -->`,
    '',
    `Generated ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC over ${manifest.length} migration files of ../shared/corpus ` +
      `(15 open-source projects), with ${squawkVersion} (\`--pg-version ${PG_VERSION}\`, default rules, no configuration) and Lockstep's ` +
      `${known.size} rules run as \`lockstep lint\` runs them (each file with its runner's transactions and the schema of the migrations ` +
      `before it, PostgreSQL ${PG_VERSION}). Lockstep analyzed the corpus in ${lockstepSeconds.toFixed(1)} s.`,
    '',
    '## How findings are paired and judged',
    '',
    '- Both tools report per statement; a Squawk violation is placed on the statement whose text contains its position. ' +
      `${unmapped} of ${violations.length} Squawk violations fall outside any statement Lockstep split (mostly Squawk's syntax errors) and are left out.`,
    "- A pair groups the rules of both tools that look at the same problem (the table in bench/compare-squawk.ts). A statement counts for a tool when any of its rules in the pair reports it.",
    "- A disagreement is judged by PostgreSQL's behaviour, as the lock model states it for that statement: the facts cited in the proof column " +
      '(ids in server/src/analysis/lockmodel/facts/) each carry examples that `npm run verify-model` (test/lockmodel/proof.test.ts) runs on a real ' +
      'PostgreSQL 17 and compares with the prediction. Transaction questions cite the transaction behaviours of ' +
      'server/src/analysis/transactions/postgres-behaviour.ts, proven by test/transactions/postgres-behaviour.test.ts.',
    '- "Lockstep" / "Squawk" in the verdict column: that tool is right for those statements. "neither": both tools report the problem ' +
      '(Lockstep under another rule of its own, or once per file where Squawk reports every statement). "not a locking question": no PostgreSQL fact ' +
      'decides it (compatibility with running code, naming or type style); "undecided": the lock model has no fact for the statement.',
    `- Squawk could not parse ${squawkParseFailures.size} of the files (\`syntax-error\`); it reports nothing else for them. \`parser\` in the proof column: ` +
      "PostgreSQL's own parser (libpg-query, the server's grammar) accepts the statement.",
    '- Where the lock model answers for only part of a statement (an ALTER TABLE subcommand without a fact), its answer proves what the statement ' +
      'certainly does, not what it does not: such statements are "undecided" unless the hazard is proven.',
    '',
    '## Per pair of rules',
    '',
    '| Lockstep rule(s) | Squawk rule(s) | both | only Squawk | only Lockstep |',
    '|---|---|---:|---:|---:|',
    ...summary,
    '',
    'Disagreeing statements by verdict, over all pairs (a statement can count in more than one pair):',
    '',
    '| right according to PostgreSQL | statements |',
    '|---|---:|',
    ...[...verdictTotals].sort((a, b) => b[1] - a[1]).map(([verdict, n]) => `| ${verdict} | ${n} |`),
    '',
    '## Disagreements, by kind',
    '',
    ...sections,
    '## Rules without a counterpart',
    '',
    'Squawk rules (violations):',
    '',
    ...unpairedSquawk.map(([id, n]) => `- \`${id}\`: ${n}${SQUAWK_NOTES[id] ? ` — ${SQUAWK_NOTES[id]}` : ''}`),
    '',
    'Lockstep rules (findings):',
    '',
    ...unpairedLockstep.map(([id, n]) => `- \`${id}\`: ${n}`),
    '',
  ].join('\n');

  // Every id in the proof column must be a fact or behaviour that exists (and so is proven by the suites).
  const proofIds = sections.join('\n').split('\n').flatMap((l) => (l.startsWith('|') ? [...(l.split('|')[4] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!) : []));
  const unknownIds = proofIds.filter((id) => !factIds.has(id) && !behaviourIds.has(id) && id !== 'parser');
  if (unknownIds.length > 0) throw new Error(`proof ids that are neither lock facts nor transaction behaviours: ${[...new Set(unknownIds)].join(', ')}`);

  writeFileSync(docPath, doc);
  console.log(summaryForConsole(summary));
  console.log(`\nwrote ${relative(root, docPath)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const SQUAWK_NOTES: Record<string, string> = {
  'prefer-robust-stmts': 'idempotence (IF NOT EXISTS); not a locking question. Lockstep instead reports the one case where IF NOT EXISTS hides a failure (create-index-concurrently-if-not-exists)',
  'syntax-error': "Squawk's own parser; Lockstep uses PostgreSQL's (libpg-query) and reports syntax-error only where PostgreSQL would",
  'require-enum-value-ordering': 'a style rule about BEFORE/AFTER in ALTER TYPE … ADD VALUE',
};

function classify(
  pair: Pair,
  direction: Direction,
  item: Instance,
  implemented: string[],
  seen: { inL: Set<string>; lockstepAt: Map<string, Set<string>>; squawkParseFailures: Set<string> },
  kinds: Map<string, Kind>,
): void {
  const { statement, file } = item;
  const path = item.key.split('#')[0]!;
  const shape = shapeOf(statement);
  const facts = (statement.effect?.facts ?? []).map((f) => f.id);
  const evidence = pair.evidence === 'transaction' ? transactionProof(statement) : facts;
  // With part of the statement unknown the model's answer is a lower bound: it can prove the hazard, not its absence.
  const answer = pair.holds?.({ statement, file });
  const holds = answer === true ? true : statement.effect?.unknown === true || !statement.effect ? undefined : answer;
  const noFact = pair.evidence === 'none';
  let reason: string;
  let verdict: Verdict;
  let proof: string[] = evidence;
  if (direction === 'only Squawk') {
    const created = createdEarlier(file.result.statements, statement);
    // Lockstep rules of other pairs about the same kind of hazard (locks held during long work), not the per-file timeout rules.
    const otherRules = [...(seen.lockstepAt.get(item.key) ?? [])].filter((id) => !pair.lockstep.includes(id) && LOCK_HAZARD_RULES.has(id));
    if (NOT_SQL.has(statement.kind)) {
      reason = `PostgreSQL's parser does not accept the statement as SQL (${statement.kind})`;
      verdict = 'Lockstep';
      proof = ['parser'];
    } else if (implemented.length === 0) {
      reason = 'Lockstep has no such rule yet';
      verdict = noFact ? 'not a locking question' : holds === undefined ? 'undecided' : holds ? 'Squawk' : 'Lockstep';
    } else if (created) {
      reason = `the table is created in this file (${created.sameTransaction ? 'in the same transaction: no other session can see it yet' : 'a new, empty table'})`;
      verdict = noFact ? 'not a locking question' : 'Lockstep';
      proof = [...created.facts, ...(created.sameTransaction ? ['locks-held-until-transaction-end'] : [])];
    } else if (pair.oncePerFile && [...seen.inL].some((k) => k.startsWith(`${path}#`))) {
      reason = 'Lockstep reports it once, at the first such statement of the file or transaction';
      verdict = 'neither (same fact, reported once per file)';
    } else if (noFact) {
      reason = shape;
      verdict = 'not a locking question';
    } else if (holds === undefined) {
      reason = `${shape}: the lock model has no fact for (part of) it`;
      verdict = 'undecided';
    } else if (!holds) {
      reason = `${shape}: per the lock model, not "${pair.hazard}"`;
      verdict = 'Lockstep';
    } else if (otherRules.length > 0) {
      reason = `${shape}: Lockstep reports it too, as ${otherRules.map((id) => `\`${id}\``).join(', ')}`;
      verdict = 'neither (both report it)';
    } else {
      reason = `${shape}: the hazard happens and Lockstep is silent`;
      verdict = 'Squawk';
    }
  } else if (seen.squawkParseFailures.has(path)) {
    reason = "Squawk's parser rejects the file, so Squawk checks nothing in it (PostgreSQL's parser accepts the statement)";
    // Squawk said nothing about these statements (it did not check them), so only a proven hazard decides.
    verdict = noFact ? 'not a locking question' : holds ? 'Lockstep' : 'undecided';
    proof = ['parser', ...evidence];
  } else if (noFact) {
    reason = shape;
    verdict = 'not a locking question';
  } else if (holds === undefined) {
    reason = `${shape}: the lock model has no fact for (part of) it`;
    verdict = 'undecided';
  } else if (holds) {
    reason = `${shape}: Squawk does not recognise it`;
    verdict = 'Lockstep';
  } else {
    reason = `${shape}: per the lock model, not "${pair.hazard}"`;
    verdict = 'Squawk';
  }
  const id = `${direction}|${reason}|${verdict}`;
  const kind: Kind = kinds.get(id) ?? { direction, reason, verdict, instances: [], proof: new Map() };
  kind.instances.push(item);
  for (const p of new Set(proof)) kind.proof.set(p, (kind.proof.get(p) ?? 0) + 1);
  kinds.set(id, kind);
}

/**
 * The proof for a transaction question: the facts that make PostgreSQL refuse the statement in a transaction block,
 * and the behaviour that puts it in one (or not), from the plan the analyzer built for the file's runner.
 */
function transactionProof(statement: Statement): string[] {
  const forbidden = new Set(lockFacts.filter((f) => f.transaction === 'forbidden').map((f) => f.id));
  const ids = (statement.effect?.facts ?? []).map((f) => f.id).filter((id) => forbidden.has(id));
  const source = statement.transaction?.source;
  if (source === 'implicit') ids.push('multi-statement-query-is-one-transaction');
  if (source === 'runner' || source === 'explicit') ids.push('locks-held-until-transaction-end');
  if (statement.transaction?.inTransaction === false) ids.push('single-statement-query-is-not-a-block');
  if (/^(BEGIN|START)/i.test(statement.text)) ids.push('begin-does-not-nest');
  return ids;
}

/** "AlterTableStmt (AT_AddColumn, AT_AddConstraint)" — the statement's shape, to group disagreements. */
function shapeOf(statement: Statement): string {
  const alter = (statement.ast as { AlterTableStmt?: { cmds?: Array<{ AlterTableCmd?: { subtype?: string } }> } } | undefined)?.AlterTableStmt;
  if (alter) return `ALTER TABLE ${[...new Set((alter.cmds ?? []).map((c) => (c.AlterTableCmd?.subtype ?? '?').replace(/^AT_/, '')))].join(', ')}`;
  const index = (statement.ast as { IndexStmt?: { unique?: boolean; concurrent?: boolean } } | undefined)?.IndexStmt;
  if (index) return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX${index.concurrent ? ' CONCURRENTLY' : ''}`;
  return statement.kind.replace(/Stmt$/, '');
}

/**
 * The tables the statement's hazard is about — what it rewrites or reads in full, else what waits on it, else the
 * table it names — were all created in this file (by an earlier statement of the same section, possibly renamed
 * since, or by this statement itself): new, empty tables no running code uses yet.
 */
function createdEarlier(statements: readonly Statement[], statement: Statement): { sameTransaction: boolean; facts: string[] } | undefined {
  const effect = statement.effect;
  const heavy = [...(effect?.rewrites ?? []), ...(effect?.scans ?? [])];
  const waiting = [...(effect?.blocks.reads ?? []), ...(effect?.blocks.writes ?? [])];
  const names = [...new Set(heavy.length > 0 ? heavy : waiting)]
    .map((n) => parseQualifiedName(n))
    .filter((p): p is string[] => !!p)
    .map((p) => ({ schemaname: p.length > 1 ? p[0] : undefined, relname: p[p.length - 1]! }));
  const target = targetOf(statement);
  const wanted = names.length > 0 ? names : target?.relname ? [{ schemaname: target.schemaname, relname: target.relname }] : [];
  if (wanted.length === 0) return undefined;
  // Tables this file created so far (following renames), with the statement that created each.
  const created: Array<{ name: { schemaname?: string | undefined; relname: string }; by: Statement }> = [];
  const same = (a: { schemaname?: string | undefined; relname?: string | undefined }, b: { schemaname?: string | undefined; relname?: string | undefined }) =>
    a.relname === b.relname && (!a.schemaname || !b.schemaname || a.schemaname === b.schemaname);
  for (const earlier of statements.slice(0, statement.index + 1)) {
    if (earlier.transaction?.section !== statement.transaction?.section) continue;
    const rv = createdBy(earlier);
    if (rv?.relname) created.push({ name: { schemaname: rv.schemaname, relname: rv.relname }, by: earlier });
    const rename = (earlier.ast as { RenameStmt?: { renameType?: string; relation?: RangeVar; newname?: string } } | undefined)?.RenameStmt;
    if (rename?.renameType === 'OBJECT_TABLE' && rename.relation && rename.newname) {
      const entry = created.find((c) => same(c.name, rename.relation!));
      if (entry) entry.name = { schemaname: rename.relation.schemaname, relname: rename.newname };
    }
  }
  const creators = wanted.map((w) => created.find((c) => same(c.name, w))?.by);
  if (creators.some((c) => c === undefined)) return undefined;
  return {
    sameTransaction: creators.every((c) => c!.transaction !== undefined && c!.transaction.id === statement.transaction?.id),
    facts: creators.flatMap((c) => (c!.effect?.facts ?? []).map((f) => f.id)),
  };
}

function targetOf(statement: Statement): RangeVar | undefined {
  const ast = statement.ast as Record<string, { relation?: RangeVar } | undefined> | undefined;
  if (!ast) return undefined;
  return Object.values(ast)[0]?.relation;
}

function createdBy(statement: Statement): RangeVar | undefined {
  const ast = statement.ast as
    | { CreateStmt?: { relation?: RangeVar }; CreateTableAsStmt?: { into?: { rel?: RangeVar } }; SelectStmt?: { intoClause?: { rel?: RangeVar } } }
    | undefined;
  return ast?.CreateStmt?.relation ?? ast?.CreateTableAsStmt?.into?.rel ?? ast?.SelectStmt?.intoClause?.rel;
}

function instance(key: string, files: Map<string, AnalyzedFile>, squawkAt: Map<string, Map<string, string>>, pair: Pair): Instance {
  const [path, index] = key.split('#') as [string, string];
  const file = files.get(path)!;
  const statement = file.result.statements[Number(index)]!;
  const message = pair.squawk.map((id) => squawkAt.get(key)?.get(id)).find((m) => m !== undefined);
  return { key, file, statement, ...(message !== undefined ? { squawkMessage: message } : {}) };
}

/** The statement containing a 0-based (line, column) position, else the last one starting before it on that line. */
function statementAt(statements: readonly Statement[], line: number, column: number): Statement | undefined {
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  const pos = { line, character: column };
  return (
    statements.find((s) => before(s.range.start, pos) && before(pos, s.range.end)) ??
    [...statements].reverse().find((s) => s.range.start.line === line && s.range.start.character <= column) ??
    statements.find((s) => s.range.start.line <= line && line <= s.range.end.line)
  );
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/`/g, "'");
}

function summaryForConsole(rows: string[]): string {
  return ['Lockstep rule(s) | Squawk rule(s) | both | only Squawk | only Lockstep', ...rows.map((r) => r.replace(/^\| | \|$/g, '').replace(/`/g, ''))].join('\n');
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
