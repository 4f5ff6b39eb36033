import type { DropStmt, Node, TruncateStmt } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import type { RuleContext } from './rule';
import { asNode } from '../node-kinds';

/**
 * CASCADE drops (or, for TRUNCATE, empties) whatever depends on the named object, without naming it: views that
 * read a dropped table, foreign keys of other tables that reference it, columns of a dropped type, tables whose
 * foreign keys reference a truncated one. The migration's author sees one object; the database loses several.
 * The finding names what the catalog (earlier migrations and this file) knows will go; the real database may have
 * more. Dropping the dependents explicitly, then the object without CASCADE, makes the migration say what it does
 * and fail instead of silently dropping something nobody listed.
 */
export const cascade = defineRule({
  meta: {
    id: 'cascade',
    description: 'DROP … CASCADE / TRUNCATE … CASCADE silently drops or empties dependent objects too.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('cascade'),
  },
  kinds: ['DropStmt', 'TruncateStmt'],
  check(context, stmt) {
    if ((stmt as { behavior?: string }).behavior !== 'DROP_CASCADE') return;
    const truncate = context.statement.kind === 'TruncateStmt';
    const found = truncate ? truncateDependents(context, stmt as TruncateStmt) : dropDependents(context, stmt as DropStmt);
    if (!found) return;
    const { objects, dependents } = found;
    const range = context.statement.findWords('CASCADE');
    const verb = truncate ? 'TRUNCATE' : 'DROP';
    const what =
      dependents.length > 0
        ? `${truncate ? 'also empties' : 'also drops'} ${dependents.join('; ')}, which the migration does not name`
        : `${truncate ? 'also empties every table whose foreign keys reference it' : 'also drops whatever depends on it'} in the real database, ` +
          'unnamed by the migration (the schema Lockstep knows lists no dependents)';
    context.report({
      message:
        `${verb} … CASCADE on ${objects.join(', ')} ${what}. ` +
        `${truncate ? 'Truncate' : 'Drop'} the dependents explicitly first, then ${truncate ? 'truncate' : 'drop'} without CASCADE, so the migration fails ` +
        'instead of silently removing something nobody listed.',
      data: { objects: objects.join(', '), dependents: dependents.join('; '), statement: truncate ? 'TRUNCATE' : 'DROP' },
      ...(range ? { range } : {}),
    });
  },
});

interface Found {
  objects: string[];
  dependents: string[];
}

function truncateDependents(context: RuleContext, stmt: TruncateStmt): Found | undefined {
  const named = (stmt.relations ?? []).map((r) => asNode(r, 'RangeVar')).filter((r) => r !== undefined);
  if (named.length === 0 || named.every((r) => context.file.createdInFile(r))) return undefined;
  const objects = named.map((r) => context.file.schema.resolve(r));
  // The lock model locks what TRUNCATE … CASCADE empties: the tables whose foreign keys reference these, transitively.
  const schema = context.file.schema;
  const extra = new Set<string>();
  const queue = [...objects];
  while (queue.length > 0) {
    const table = queue.shift()!;
    for (const fk of schema.foreignKeysTo(table)) {
      if (objects.includes(fk.table) || extra.has(fk.table)) continue;
      extra.add(fk.table);
      queue.push(fk.table);
    }
  }
  return { objects, dependents: [...extra].sort().map((t) => `table ${t}`) };
}

function dropDependents(context: RuleContext, stmt: DropStmt): Found | undefined {
  const schema = context.file.schema;
  const names = (stmt.objects ?? []).map(objectNameParts).filter((p) => p.length > 0 && p.every(Boolean));
  const relationName = (parts: string[]) =>
    schema.resolve({ relname: parts[parts.length - 1]!, ...(parts.length >= 2 ? { schemaname: parts[parts.length - 2]! } : {}), inh: true, relpersistence: 'p' });
  const dependents: string[] = [];
  let objects: string[];
  switch (stmt.removeType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_FOREIGN_TABLE': {
      objects = names.map(relationName);
      if (objects.every((o) => context.file.createdInFile(o) && dependentsCreatedInFile(context, o))) return undefined;
      const views = new Set(objects.flatMap((o) => schema.dependentViews(o)).filter((v) => !objects.includes(v)));
      if (views.size > 0) dependents.push(`${plural(views.size, 'view')} ${[...views].sort().join(', ')}`);
      const fks = objects.flatMap((o) => schema.foreignKeysTo(o)).filter((fk) => !objects.includes(fk.table));
      for (const fk of fks) dependents.push(`the foreign key of ${fk.table} (${fk.columns.join(', ')}) referencing ${fk.referenced}`);
      break;
    }
    case 'OBJECT_TYPE':
    case 'OBJECT_DOMAIN': {
      objects = names.map((p) => p.join('.'));
      const tables = new Set(objects.flatMap((t) => schema.tablesUsingType(t)));
      if (tables.size > 0) dependents.push(`the columns of that type in ${[...tables].sort().join(', ')}`);
      break;
    }
    case 'OBJECT_SCHEMA': {
      objects = names.map((p) => `schema ${p.join('.')}`);
      const relations = names.flatMap((p) => schema.relationsInSchema(p[0]!));
      if (relations.length > 0) dependents.push(`${plural(relations.length, 'relation')} in it: ${relations.sort().join(', ')}`);
      break;
    }
    default:
      objects = names.map((p) => p.join('.'));
  }
  if (objects.length === 0) return undefined;
  return { objects, dependents };
}

/** The name of a dropped object as DropStmt gives it: a List of Strings, a String, a function's or a type's name. */
function objectNameParts(object: Node): string[] {
  const strings = (items: Node[] | undefined) => (items ?? []).map((i) => asNode(i, 'String')?.sval ?? '');
  const list = asNode(object, 'List');
  if (list) return strings(list.items);
  const single = asNode(object, 'String')?.sval;
  if (single !== undefined) return [single];
  const fn = asNode(object, 'ObjectWithArgs');
  if (fn) return strings(fn.objname);
  const type = asNode(object, 'TypeName');
  if (type) return strings(type.names);
  return [];
}

/** True when every view and referencing table that depends on `relation` was also created in this file. */
function dependentsCreatedInFile(context: RuleContext, relation: string): boolean {
  const schema = context.file.schema;
  return (
    schema.dependentViews(relation).every((v) => context.file.createdInFile(v)) &&
    schema.foreignKeysTo(relation).every((fk) => context.file.createdInFile(fk.table))
  );
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${n} ${word}s`;
}
