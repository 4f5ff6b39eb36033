/**
 * "Ignore" fixes: a `-- lockstep-ignore <rule>: <reason>` comment above the statement, or a
 * `-- lockstep-ignore-file <rule>: <reason>` comment at the top of the file (the syntax of
 * syntaxes/lockstep-comments.injection.json: `-- lockstep-ignore[-file] rule-a, rule-b: reason`). An existing
 * directive of the same kind in that place gets the rule added to its list instead of a second comment.
 */
import type { Finding } from '../types';
import type { Fix, FixInput, TextEdit } from './types';
import { lineStartOf } from './plan';

/** Placeholder reason: the directive wants one, and only the author knows it. */
export const REASON_PLACEHOLDER = 'TODO say why this is safe';

/** Findings that cannot be ignored: the statement was not analyzed at all. */
const NOT_IGNORABLE = new Set(['syntax-error']);

export function ignoreFixes(input: FixInput, finding: Finding): Fix[] {
  if (NOT_IGNORABLE.has(finding.rule)) return [];
  const statement = input.analysis.statements[finding.statement];
  if (!statement) return [];
  const fixes: Fix[] = [];
  const statementEdit = directiveEdit(input.text, lineStartOf(input.text, statement.start), 'lockstep-ignore', finding.rule, 'above');
  if (statementEdit) fixes.push(ignoreFix('ignore-statement', `Ignore ${finding.rule} for this statement`, finding, statementEdit));
  const fileEdit = directiveEdit(input.text, 0, 'lockstep-ignore-file', finding.rule, 'top');
  if (fileEdit) fixes.push(ignoreFix('ignore-file', `Ignore ${finding.rule} in this file`, finding, fileEdit));
  return fixes;
}

function ignoreFix(recipe: string, title: string, finding: Finding, edit: TextEdit): Fix {
  return {
    recipe,
    title,
    resolves: [finding.rule],
    statement: finding.statement,
    preferred: false,
    fixAll: false,
    edits: [edit],
    files: [],
    fallbackEdits: [edit],
    notes: [],
  };
}

const DIRECTIVE = /^([ \t]*--[ \t]*)(lockstep-ignore(?:-file)?)(?![\w-])([^:\r\n]*)(:?)(.*)$/;

/**
 * Adds `rule` to the directive on the line before `lineStart` ('above') or on the first lines of the file
 * ('top'), or inserts a new directive line there.
 */
function directiveEdit(text: string, lineStart: number, directive: string, rule: string, where: 'above' | 'top'): TextEdit | undefined {
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const existing = where === 'above' ? previousLine(text, lineStart) : firstDirectiveLine(text, directive);
  if (existing) {
    const m = DIRECTIVE.exec(existing.text);
    if (m && m[2] === directive) {
      const rules = m[3]!.split(',').map((r) => r.trim()).filter(Boolean);
      if (rules.includes(rule)) return undefined; // already ignored there: nothing to offer
      const listEnd = existing.start + m[1]!.length + m[2]!.length + m[3]!.trimEnd().length;
      return { start: listEnd, end: listEnd, newText: `${rules.length > 0 ? ',' : ''} ${rule}` };
    }
  }
  const indent = where === 'above' ? /^[ \t]*/.exec(text.slice(lineStart))![0] : '';
  return { start: lineStart, end: lineStart, newText: `${indent}-- ${directive} ${rule}: ${REASON_PLACEHOLDER}${nl}` };
}

function previousLine(text: string, lineStart: number): { start: number; text: string } | undefined {
  if (lineStart === 0) return undefined;
  let end = lineStart - 1;
  if (text[end] === '\n' && text[end - 1] === '\r') end--;
  let start = end;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  return { start, text: text.slice(start, end) };
}

/** The first `-- lockstep-ignore-file` line among the file's leading comment lines. */
function firstDirectiveLine(text: string, directive: string): { start: number; text: string } | undefined {
  let start = 0;
  while (start < text.length) {
    let end = start;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    const line = text.slice(start, end);
    if (!/^\s*(--.*)?$/.test(line)) return undefined;
    const m = DIRECTIVE.exec(line);
    if (m && m[2] === directive) return { start, text: line };
    start = end + (text.startsWith('\r\n', end) ? 2 : 1);
  }
  return undefined;
}
