import { ruleDocPath, type RuleMeta } from './rule';

/**
 * Findings about statements the analyzer could not look into. The analyzer reports them itself (there is no
 * check to run); they are listed here so they have metadata and documentation like every other rule.
 */
export const notAnalyzedRules: readonly RuleMeta[] = [
  {
    id: 'syntax-error',
    description: 'The statement does not parse with the PostgreSQL grammar; it is skipped, the rest is analyzed.',
    defaultSeverity: 'error',
    docs: ruleDocPath('syntax-error'),
  },
  {
    id: 'psql-meta-command',
    description: 'A psql meta-command (\\set, \\if, …): not SQL, so not analyzed.',
    defaultSeverity: 'info',
    docs: ruleDocPath('psql-meta-command'),
  },
  {
    id: 'template-placeholder',
    description: 'A Go-template placeholder ({{ … }}): the statement is generated at run time and is not analyzed.',
    defaultSeverity: 'info',
    docs: ruleDocPath('template-placeholder'),
  },
];
