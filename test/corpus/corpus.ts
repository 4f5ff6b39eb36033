/**
 * `npm run corpus`: lints every file of ../shared/corpus (real migrations from 15 projects) with the analysis
 * core and reports how many statements parsed, how many did not and why (grouped), per-rule finding counts, and
 * any crash. It also checks the exemption users care most about: a CREATE INDEX on a table created earlier in the
 * same file (and section) must never be reported — that table is new and empty. Exits 1 on a crash or on such a
 * finding. `--write` also rewrites the figures section of docs/corpus.md.
 * Absent corpus: prints a note and exits 0, so machines without it are not broken.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RangeVar } from '@pgsql/types';
import { DocumentAnalyzer, initParser } from '../../server/src/analysis/analyzer';
import type { Statement } from '../../server/src/analysis/types';

interface ManifestRow {
  project: string;
  corpusPath: string;
  direction: string;
}

const root = resolve(__dirname, '..', '..');
const corpusDir = resolve(process.env.LOCKSTEP_CORPUS ?? join(root, '..', 'shared', 'corpus'));

function readManifest(): ManifestRow[] {
  const lines = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = lines.shift()!.split('\t');
  const col = (name: string): number => header.indexOf(name);
  return lines.map((line) => {
    const cells = line.split('\t');
    return { project: cells[col('project')]!, corpusPath: cells[col('corpus_path')]!, direction: cells[col('direction')]! };
  });
}

/** Groups PostgreSQL messages by their shape: `syntax error at or near "X"` keeps X, numbers are folded. */
function reasonOf(message: string): string {
  return message.replace(/\d+/g, 'N');
}

/** The RangeVar a statement creates a table with (CREATE TABLE, CREATE TABLE AS, SELECT INTO), from the AST alone. */
function createdTable(statement: Statement): RangeVar | undefined {
  const ast = statement.ast as
    | { CreateStmt?: { relation?: RangeVar }; CreateTableAsStmt?: { into?: { rel?: RangeVar } }; SelectStmt?: { intoClause?: { rel?: RangeVar } } }
    | undefined;
  return ast?.CreateStmt?.relation ?? ast?.CreateTableAsStmt?.into?.rel ?? ast?.SelectStmt?.intoClause?.rel;
}

/** Same table by what the text says: relname equal, schemas equal when both are written. */
function sameTable(a: RangeVar, b: RangeVar): boolean {
  return a.relname === b.relname && (!a.schemaname || !b.schemaname || a.schemaname === b.schemaname);
}

/**
 * Non-concurrent CREATE INDEX statements on a table an earlier statement of the same section created. Worked out
 * from the statements' ASTs, independently of the rule's own exemption (FileContext#createdInFile), so the check
 * below can catch a regression there.
 */
function indexBuildsOnNewTables(statements: readonly Statement[]): Set<number> {
  const found = new Set<number>();
  statements.forEach((statement, i) => {
    const index = (statement.ast as { IndexStmt?: { relation?: RangeVar; concurrent?: boolean } } | undefined)?.IndexStmt;
    if (!index?.relation || index.concurrent) return;
    const section = statement.transaction?.section;
    const createdEarlier = statements.slice(0, i).some((earlier) => {
      const created = createdTable(earlier);
      return created !== undefined && earlier.transaction?.section === section && sameTable(created, index.relation!);
    });
    if (createdEarlier) found.add(i);
  });
  return found;
}

async function main(): Promise<void> {
  if (!existsSync(join(corpusDir, 'MANIFEST.tsv'))) {
    console.log(`corpus: ${corpusDir} not found; nothing to do (this check runs where ../shared/corpus exists).`);
    return;
  }
  await initParser();
  const rows = readManifest();
  const totals = { files: 0, bytes: 0, statements: 0, parsed: 0, syntaxErrors: 0, meta: 0, psqlVariables: 0, templates: 0, crashes: 0 };
  const reasons = new Map<string, { count: number; projects: Map<string, number>; example: string }>();
  const ruleCounts = new Map<string, number>();
  const perProject = new Map<string, { files: number; statements: number; failed: number }>();
  const crashes: string[] = [];
  /** CREATE INDEX on a table created earlier in the file: how many, and those reported anyway (must be none). */
  const newTableIndexes = { builds: 0, reported: [] as string[] };
  const started = performance.now();

  for (const row of rows) {
    const path = join(corpusDir, row.corpusPath);
    const text = readFileSync(path, 'utf8');
    totals.files++;
    totals.bytes += Buffer.byteLength(text);
    const project = perProject.get(row.project) ?? { files: 0, statements: 0, failed: 0 };
    project.files++;
    perProject.set(row.project, project);
    let result;
    try {
      result = new DocumentAnalyzer().analyze(text, { pgVersion: 17 });
    } catch (error) {
      totals.crashes++;
      crashes.push(`${row.corpusPath}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      continue;
    }
    for (const statement of result.statements) {
      totals.statements++;
      project.statements++;
      if (statement.kind === 'SyntaxError') {
        totals.syntaxErrors++;
        project.failed++;
        const reason = reasonOf(statement.problem?.message ?? 'unknown');
        const entry = reasons.get(reason) ?? { count: 0, projects: new Map(), example: '' };
        entry.count++;
        entry.projects.set(row.project, (entry.projects.get(row.project) ?? 0) + 1);
        if (!entry.example) {
          const line = statement.range.start.line + 1;
          entry.example = `${row.corpusPath}:${line}`;
        }
        reasons.set(reason, entry);
      } else if (statement.kind === 'PsqlMetaCommand') totals.meta++;
      else if (statement.kind === 'PsqlVariable') totals.psqlVariables++;
      else if (statement.kind === 'TemplatePlaceholder') totals.templates++;
      else totals.parsed++;
    }
    for (const finding of result.findings) ruleCounts.set(finding.rule, (ruleCounts.get(finding.rule) ?? 0) + 1);
    const onNewTables = indexBuildsOnNewTables(result.statements);
    newTableIndexes.builds += onNewTables.size;
    for (const finding of result.findings) {
      if (finding.rule === 'create-index-nonconcurrent' && onNewTables.has(finding.statement)) {
        newTableIndexes.reported.push(`${row.corpusPath}:${finding.range.start.line + 1}`);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;

  const out: string[] = [];
  out.push(`Corpus: ${totals.files} files, ${(totals.bytes / 1e6).toFixed(2)} MB, analyzed in ${seconds.toFixed(2)} s`);
  out.push(`Statements: ${totals.statements} — parsed ${totals.parsed}, syntax errors ${totals.syntaxErrors}, psql meta-commands ${totals.meta}, statements using psql variables ${totals.psqlVariables}, template placeholders ${totals.templates}`);
  out.push(`Crashes: ${totals.crashes}`);
  out.push(
    `Index builds on tables created earlier in the same file: ${newTableIndexes.builds} CREATE INDEX statements, ` +
      `create-index-nonconcurrent findings on them: ${newTableIndexes.reported.length} (must be 0)`,
  );
  out.push('');
  out.push('| project | files | statements | not parsed |');
  out.push('|---|---:|---:|---:|');
  for (const [name, p] of [...perProject].sort()) out.push(`| ${name} | ${p.files} | ${p.statements} | ${p.failed} |`);
  out.push('');
  out.push('Syntax errors grouped by PostgreSQL message:');
  out.push('');
  out.push('| count | message | projects | first example |');
  out.push('|---:|---|---|---|');
  for (const [reason, r] of [...reasons].sort((a, b) => b[1].count - a[1].count)) {
    const projects = [...r.projects].map(([p, n]) => `${p} (${n})`).join(', ');
    out.push(`| ${r.count} | ${reason.replace(/\|/g, '\\|')} | ${projects} | ${r.example} |`);
  }
  out.push('');
  out.push('Findings per rule:');
  out.push('');
  out.push('| rule | findings |');
  out.push('|---|---:|');
  for (const [rule, n] of [...ruleCounts].sort((a, b) => b[1] - a[1])) out.push(`| ${rule} | ${n} |`);
  const report = out.join('\n');
  console.log(report);
  for (const crash of crashes) console.error(`CRASH ${crash}`);
  for (const where of newTableIndexes.reported) console.error(`REPORTED INDEX ON A NEW TABLE ${where}`);

  if (process.argv.includes('--write')) {
    const docPath = join(root, 'docs', 'corpus.md');
    const begin = '<!-- corpus-figures:begin -->';
    const end = '<!-- corpus-figures:end -->';
    const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : `# Corpus run\n\n${begin}\n${end}\n`;
    const i = doc.indexOf(begin);
    const j = doc.indexOf(end);
    if (i < 0 || j < 0) throw new Error(`docs/corpus.md lacks the ${begin} … ${end} markers`);
    const stamp = `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run corpus -- --write\`.`;
    writeFileSync(docPath, `${doc.slice(0, i + begin.length)}\n${stamp}\n\n${report}\n${doc.slice(j)}`);
    console.log(`\nwrote ${docPath}`);
  }
  if (totals.crashes > 0 || newTableIndexes.reported.length > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
