import { scanTokens } from './parse/parser';

/**
 * Relation names as PostgreSQL prints them with quote_ident: a part is quoted unless it is all lower-case
 * letters, digits, underscores (not starting with a digit) and not a keyword that needs quoting. This is also
 * how the tracer names what it observes, so predictions and observations compare as strings.
 */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !needsQuotingAsKeyword(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualify(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

const keywordCache = new Map<string, boolean>();

/** quote_ident quotes every keyword except unreserved ones (ruleutils.c: ScanKeywordCategories). */
function needsQuotingAsKeyword(name: string): boolean {
  // Every PostgreSQL keyword is letters and underscores (kwlist.h): names with a digit, such as the generated
  // orders_note_idx12, need no scan. This keeps name generation cheap when many candidates are probed.
  if (/[0-9]/.test(name)) return false;
  let quote = keywordCache.get(name);
  if (quote === undefined) {
    const [token] = scanTokens(name) ?? [];
    quote = token !== undefined && token.keywordKind !== undefined && token.keywordKind !== 'UNRESERVED_KEYWORD';
    keywordCache.set(name, quote);
  }
  return quote;
}
