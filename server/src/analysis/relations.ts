import type { RangeVar } from '@pgsql/types';
import { qualify } from './names';

/**
 * Schema-qualified, quote_ident-style name of a RangeVar (public.orders, public."Order"); unqualified names
 * resolve to `public` here (the catalog resolves them through search_path).
 */
export function qualifiedName(rv: RangeVar): string {
  return qualify(rv.schemaname ?? 'public', rv.relname ?? '');
}
