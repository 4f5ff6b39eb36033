/**
 * Ignore comments (the syntax of syntaxes/lockstep-comments.injection.json and of the "ignore" quick fixes):
 *
 *   -- lockstep-ignore rule-a, rule-b: why this is safe        the NEXT statement
 *   -- lockstep-ignore-file rule-a: why                        the whole file
 *
 * A statement directive sits in the statement's leading trivia (the comments and blank lines between the previous
 * statement's semicolon and this statement); a file directive may sit in any trivia. Only `--` line comments are
 * directives, and only when the directive word follows the dashes directly, so prose that mentions it is not one.
 */

export interface IgnoreDirective {
  scope: 'statement' | 'file';
  /** The rule ids listed, with their UTF-16 offsets in the document. */
  rules: Array<{ id: string; start: number; end: number }>;
  reason: string | undefined;
  /** UTF-16 offsets of the whole comment. */
  start: number;
  end: number;
  /** For statement directives: the statement it applies to; undefined when no statement follows. */
  statement: number | undefined;
}

/** A stretch of trivia and the statement that follows it (undefined at the end of the file). */
export interface TriviaSpan {
  start: number;
  end: number;
  statement: number | undefined;
}

const DIRECTIVE = /^--[ \t]*(lockstep-ignore(?:-file)?)(?![\w-])([^:\r\n]*)(?::([^\r\n]*))?/;

export function findDirectives(text: string, trivia: readonly TriviaSpan[]): IgnoreDirective[] {
  const out: IgnoreDirective[] = [];
  for (const span of trivia) {
    for (const comment of lineComments(text, span.start, span.end)) {
      const m = DIRECTIVE.exec(text.slice(comment.start, comment.end));
      if (!m) continue;
      const listStart = comment.start + m[0].indexOf(m[1]!) + m[1]!.length;
      const rules: IgnoreDirective['rules'] = [];
      for (const part of m[2]!.matchAll(/[^,\s]+/g)) {
        rules.push({ id: part[0], start: listStart + part.index!, end: listStart + part.index! + part[0].length });
      }
      const reason = m[3]?.trim();
      out.push({
        scope: m[1] === 'lockstep-ignore-file' ? 'file' : 'statement',
        rules,
        reason: reason ? reason : undefined,
        start: comment.start,
        end: comment.start + m[0].trimEnd().length,
        statement: span.statement,
      });
    }
  }
  return out;
}

/** `--` comments in [start, end) of trivia, skipping block comments (which may nest) and whitespace. */
function lineComments(text: string, start: number, end: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let i = start;
  while (i < end) {
    if (text.startsWith('--', i)) {
      let j = i;
      while (j < end && text[j] !== '\n' && text[j] !== '\r') j++;
      out.push({ start: i, end: j });
      i = j;
    } else if (text.startsWith('/*', i)) {
      let depth = 1;
      i += 2;
      while (i < end && depth > 0) {
        if (text.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (text.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      }
    } else i++;
  }
  return out;
}
