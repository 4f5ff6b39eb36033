// `lockstep.rehearsal.*` settings → the options of a `lockstep/rehearse` request, and the check of a database URL
// before it goes into secret storage. Pure (the configuration is passed in), so unit-tested.
import type { RehearseParams } from '../../../server/src/lsp/rehearse-protocol';

/** The part of vscode.WorkspaceConfiguration read here. */
export interface SettingsReader {
  get<T>(key: string): T | undefined;
}

export type RehearsalRequestOptions = Pick<RehearseParams, 'sizes' | 'rows' | 'budgetMs' | 'thresholdMs' | 'repeat' | 'workload' | 'allowRemote'>;

/** Valid settings become request options; an invalid one is left out (the server's default applies) and explained. */
export function rehearsalOptions(settings: SettingsReader): { params: RehearsalRequestOptions; problems: string[] } {
  const params: RehearsalRequestOptions = {};
  const problems: string[] = [];
  const sizes = settings.get<unknown>('rehearsal.sizes');
  if (sizes !== undefined && sizes !== null && !(Array.isArray(sizes) && sizes.length === 0)) {
    if (Array.isArray(sizes) && sizes.every((n) => Number.isSafeInteger(n) && (n as number) > 0)) params.sizes = sizes as number[];
    else problems.push(`setting lockstep.rehearsal.sizes: expected positive whole row counts, e.g. [10000, 100000], got ${JSON.stringify(sizes)}; using the default sizes`);
  }
  const rows = settings.get<unknown>('rehearsal.rows');
  if (rows !== undefined && rows !== null) {
    const entries = typeof rows === 'object' && !Array.isArray(rows) ? Object.entries(rows as Record<string, unknown>) : undefined;
    if (entries && entries.every(([, n]) => Number.isSafeInteger(n) && (n as number) >= 0)) {
      if (entries.length > 0) params.rows = Object.fromEntries(entries) as Record<string, number>;
    } else {
      problems.push(`setting lockstep.rehearsal.rows: expected { "table": rowCount }, e.g. { "orders": 50000000 }, got ${JSON.stringify(rows)}; extrapolating to no target`);
    }
  }
  for (const [key, field] of [
    ['rehearsal.budgetSeconds', 'budgetMs'],
    ['rehearsal.thresholdSeconds', 'thresholdMs'],
  ] as const) {
    const value = settings.get<unknown>(key);
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) params[field] = value * 1000;
    else problems.push(`setting lockstep.${key}: expected a positive number of seconds, got ${JSON.stringify(value)}; using the default`);
  }
  const repeat = settings.get<unknown>('rehearsal.repeat');
  if (repeat !== undefined && repeat !== null) {
    if (Number.isInteger(repeat) && (repeat as number) >= 1 && (repeat as number) <= 20) params.repeat = repeat as number;
    else problems.push(`setting lockstep.rehearsal.repeat: expected a whole number from 1 to 20, got ${JSON.stringify(repeat)}; using the default`);
  }
  for (const [key, field] of [
    ['rehearsal.workload', 'workload'],
    ['rehearsal.allowRemote', 'allowRemote'],
  ] as const) {
    const value = settings.get<unknown>(key);
    if (value === undefined || value === null) continue;
    // Only `true` turns either on: a mistyped value must not allow a remote server.
    if (typeof value === 'boolean') {
      if (value) params[field] = true;
    } else problems.push(`setting lockstep.${key}: expected true or false, got ${JSON.stringify(value)}; using false`);
  }
  return { params, problems };
}

/** Why `value` is not a PostgreSQL URL we can use, or undefined. Never echoes the value (it holds a password). */
export function validateDatabaseUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Not a URL. Expected postgres://user:password@host:5432/database';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `The scheme must be postgres:// or postgresql://, not ${url.protocol}//`;
  if (url.hostname === '' && !url.searchParams.has('host')) return 'The URL names no host. Expected postgres://user:password@host:5432/database';
  return undefined;
}
