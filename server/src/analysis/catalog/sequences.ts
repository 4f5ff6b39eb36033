// CREATE SEQUENCE / ALTER SEQUENCE: the sequence relation, its data type and the column that owns it.
import type { AlterSeqStmt, CreateSeqStmt, Node, TypeName } from '@pgsql/types';
import { defElems, nodeAs, stringList } from './ast';
import { ApplyContext, newRelation } from './context';
import type { SequenceInfo } from './model';
import { dropRelation } from './tables';
import { builtinType, columnTypeOf } from './type-names';

/** OWNED BY table.column | OWNED BY NONE → the owner, null for NONE, undefined when not specified. */
function ownedBy(ctx: ApplyContext, arg: Node | undefined): SequenceInfo['ownedBy'] | null | undefined {
  const names = stringList(nodeAs<{ items?: Node[] }>(arg, 'List')?.items);
  if (names.length === 0) return undefined;
  if (names.length === 1 && names[0] === 'none') return null;
  const column = names[names.length - 1]!;
  const table = names.slice(0, -1);
  const rv = table.length >= 2 ? { schemaname: table[table.length - 2], relname: table[table.length - 1] } : { relname: table[0] };
  return { table: ctx.relationKeyOf(rv), column };
}

function dataTypeOf(ctx: ApplyContext, arg: Node | undefined) {
  const tn = nodeAs<TypeName>(arg, 'TypeName');
  return tn ? columnTypeOf(tn, (s, n) => ctx.store.resolveTypeSchema(s, n)) : undefined;
}

export function createSequence(ctx: ApplyContext, stmt: CreateSeqStmt): void {
  if (!stmt.sequence) return;
  const target = ctx.targetOf(stmt.sequence);
  if (ctx.store.classNameTaken(target.schema, target.name)) {
    if (stmt.if_not_exists) return;
    ctx.problem('duplicate-object', `relation ${target.key} already exists; the sequence replaces it`, target.key);
    dropRelation(ctx, target.key, true);
  }
  const options = defElems(stmt.options);
  const owner = ownedBy(ctx, options.get('owned_by')?.arg);
  ctx.putRelation(
    newRelation('sequence', target.schema, target.name, {
      persistence: stmt.sequence.relpersistence === 't' ? 'temporary' : stmt.sequence.relpersistence === 'u' ? 'unlogged' : 'permanent',
      sequence: {
        dataType: dataTypeOf(ctx, options.get('as')?.arg) ?? builtinType('int8'),
        identity: false,
        ...(owner ? { ownedBy: owner } : {}),
      },
      createdBy: ctx.origin,
    }),
  );
}

export function alterSequence(ctx: ApplyContext, stmt: AlterSeqStmt): void {
  if (!stmt.sequence) return;
  const rel = ctx.relationForAlter(stmt.sequence, 'sequence', stmt.missing_ok === true);
  if (!rel) return;
  const options = defElems(stmt.options);
  const owner = ownedBy(ctx, options.get('owned_by')?.arg);
  const dataType = dataTypeOf(ctx, options.get('as')?.arg);
  if (owner === undefined && dataType === undefined) return;
  const current: SequenceInfo = rel.sequence ?? { dataType: builtinType('int8'), identity: false };
  let next: SequenceInfo = dataType ? { ...current, dataType } : current;
  if (owner === null) {
    const { ownedBy: _dropped, ...rest } = next;
    next = rest;
  } else if (owner) next = { ...next, ownedBy: owner };
  ctx.putRelation({ ...rel, sequence: next });
}
