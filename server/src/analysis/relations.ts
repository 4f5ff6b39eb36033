import type { Node, RangeVar } from '@pgsql/types';
import { asNode } from './node-kinds';
import { qualify } from './names';

/**
 * Schema-qualified, quote_ident-style name of a RangeVar (public.orders, public."Order"); unqualified names
 * resolve to `public` here (the catalog resolves them through search_path).
 */
export function qualifiedName(rv: RangeVar): string {
  return qualify(rv.schemaname ?? 'public', rv.relname ?? '');
}

/** Every relation a statement names (every RangeVar in its tree), schema-qualified, without duplicates. */
export function referencedRelationNames(ast: Node): string[] {
  const names = new Set<string>();
  walk(ast, (rv) => names.add(qualifiedName(rv)));
  return [...names];
}

/** Relations a statement creates (tables, views, materialized views, CREATE TABLE AS). */
export function createdRelationNames(ast: Node): string[] {
  const create = asNode(ast, 'CreateStmt');
  if (create?.relation) return [qualifiedName(create.relation)];
  const view = asNode(ast, 'ViewStmt');
  if (view?.view) return [qualifiedName(view.view)];
  const createAs = asNode(ast, 'CreateTableAsStmt');
  if (createAs?.into?.rel) return [qualifiedName(createAs.into.rel)];
  return [];
}

/** RangeVars appear both wrapped ({RangeVar: …}) and bare (relation, pktable, view, into.rel): match the shape. */
function walk(value: unknown, visit: (rv: RangeVar) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record.relname === 'string') {
    visit(record as RangeVar);
    return;
  }
  for (const key in record) walk(record[key], visit);
}
