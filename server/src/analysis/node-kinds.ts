import type { Node } from '@pgsql/types';

/** Every libpg-query node name, e.g. 'IndexStmt'. */
export type NodeKind = Node extends infer U ? (U extends Record<infer K, unknown> ? K & string : never) : never;

/** The payload of a node of kind K, e.g. NodeOf<'IndexStmt'> is the IndexStmt interface. */
export type NodeOf<K extends NodeKind> = Extract<Node, Record<K, unknown>> extends infer N
  ? N extends Record<K, infer P>
    ? P
    : never
  : never;

export function nodeKind(node: Node): string {
  for (const key in node) return key;
  return 'Unknown';
}

/** The payload of `node` when it is of kind `kind`, else undefined. */
export function asNode<K extends NodeKind>(node: Node | undefined, kind: K): NodeOf<K> | undefined {
  if (!node) return undefined;
  return (node as Record<string, unknown>)[kind] as NodeOf<K> | undefined;
}
