// `--format github`: GitHub Actions workflow commands, one annotation per finding
// (https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-a-warning-message):
//   ::warning file=db/1.sql,line=2,col=1,endLine=2,endColumn=40,title=create-index-nonconcurrent::message
// Lines and columns are 1-based; endColumn is the last column of the range (inclusive). Values are escaped as the
// Actions toolkit does: % CR LF in the message, and also : , in properties.
import { sep } from 'node:path';
import type { Severity } from '../../analysis/types';
import type { LintedFile } from '../lint-report';

const COMMANDS: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

export function formatGithub(files: readonly LintedFile[]): string {
  let out = '';
  for (const file of files) {
    const path = sep === '\\' ? file.displayPath.split(sep).join('/') : file.displayPath;
    for (const f of file.findings) {
      const line = f.range.start.line + 1;
      const col = f.range.start.character + 1;
      const endLine = f.range.end.line + 1;
      // An exclusive 0-based end is the inclusive 1-based last column; an empty range marks its start column.
      const endColumn = endLine === line ? Math.max(col, f.range.end.character) : Math.max(1, f.range.end.character);
      const properties = [
        `file=${escapeProperty(path)}`,
        `line=${line}`,
        `col=${col}`,
        `endLine=${endLine}`,
        `endColumn=${endColumn}`,
        `title=${escapeProperty(f.rule)}`,
      ].join(',');
      out += `::${COMMANDS[f.severity] ?? 'warning'} ${properties}::${escapeData(f.message)}\n`;
    }
  }
  return out;
}

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
