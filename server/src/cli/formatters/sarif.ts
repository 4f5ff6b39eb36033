// `--format sarif`: SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), what GitHub
// code scanning and most CI dashboards read. Regions are 1-based; SARIF's default column unit is the UTF-16 code
// unit, which is what Lockstep's positions count, so columns are the LSP characters plus one. endColumn is the
// column just past the region (exclusive), as SARIF defines it.
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { Severity } from '../../analysis/types';
import type { RuleMeta } from '../../analysis/rules/rule';
import type { LintedFile } from '../lint-report';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVELS: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export interface SarifOptions {
  rules: readonly RuleMeta[];
  /** Prefix of rule documentation links, ending with '/': `${docsBaseUrl}${id}.md`. */
  docsBaseUrl: string;
  version: string;
}

export function toSarif(files: readonly LintedFile[], options: SarifOptions): Record<string, unknown> {
  const used = new Set(files.flatMap((f) => f.findings.map((x) => x.rule)));
  // Every rule that produced a result, in the registry's order; ids unknown to it still get an entry.
  const rules = [
    ...options.rules.filter((r) => used.has(r.id)),
    ...[...used].filter((id) => !options.rules.some((r) => r.id === id)).map((id) => ({ id, description: id, defaultSeverity: 'warning' as Severity, docs: '' })),
  ];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = files.flatMap((file) =>
    file.findings.map((f) => ({
      ruleId: f.rule,
      ruleIndex: ruleIndex.get(f.rule)!,
      level: LEVELS[f.severity] ?? 'warning',
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(file.displayPath),
            region: {
              startLine: f.range.start.line + 1,
              startColumn: f.range.start.character + 1,
              endLine: f.range.end.line + 1,
              endColumn: f.range.end.character + 1,
            },
          },
        },
      ],
    })),
  );
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lockstep',
            version: options.version,
            informationUri: options.docsBaseUrl,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: r.description },
              helpUri: `${options.docsBaseUrl}${r.id}.md`,
              help: { text: `${r.description} See ${options.docsBaseUrl}${r.id}.md` },
              defaultConfiguration: { level: LEVELS[r.defaultSeverity] ?? 'warning' },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(files: readonly LintedFile[], options: SarifOptions): string {
  return `${JSON.stringify(toSarif(files, options), null, 2)}\n`;
}

/** Relative paths stay relative (code scanning resolves them against the checkout), forward slashes everywhere. */
function artifactLocation(displayPath: string): { uri: string } {
  if (isAbsolute(displayPath)) return { uri: pathToFileURL(displayPath).href };
  const forward = sep === '\\' ? displayPath.split(sep).join('/') : displayPath;
  return { uri: forward.split('/').map(encodeURIComponent).join('/') };
}
