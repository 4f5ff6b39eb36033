// Test support for the column rules' tests (add-column-*, column-type-*, prefer-*): findings of one rule, with an
// optional schema from earlier migrations and table sizes, and the text a finding's range covers.
import { analyzeText } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

export interface FindingsOptions {
  pgVersion?: number;
  /** lockstep.json "tables". */
  tables?: Record<string, { rows: number }>;
  /** SQL of earlier migrations (another file): the tables exist, and are not created in the analyzed file. */
  schema?: string;
}

export function findingsOf(rule: string, sql: string, options: FindingsOptions = {}): Finding[] {
  let base: Catalog | undefined;
  if (options.schema !== undefined) {
    base = new Catalog();
    replaySql(base, options.schema, 'earlier.sql');
  }
  const analysis = analyzeText(sql, { pgVersion: options.pgVersion ?? 17, ...(options.tables ? { project: { tables: options.tables } } : {}) }, base);
  return analysis.findings.filter((f) => f.rule === rule);
}

/** The source text a range covers. */
export function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}
