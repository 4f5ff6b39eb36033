// One finding per line, `file:line:col  severity  rule  message`, with 1-based line and column (UTF-16
// units, like editors and ESLint) so terminals and CI annotators turn it into a link.
import type { LintedFile } from '../lint-report';

export function formatText(files: readonly LintedFile[]): string {
  let out = '';
  for (const file of files) {
    for (const f of file.findings) {
      const where = `${file.displayPath}:${f.range.start.line + 1}:${f.range.start.character + 1}`;
      // A multi-line message would break the one-line-per-finding contract that grep and CI rely on.
      const message = f.message.replace(/\s*\r?\n\s*/g, ' ');
      out += `${where}  ${f.severity}  ${f.rule}  ${message}\n`;
    }
  }
  return out;
}
