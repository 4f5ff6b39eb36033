/**
 * What the column rules (add-column-*, column-type-*, prefer-*) share: the columns a statement defines, the lock
 * model's answer for ONE ALTER TABLE subcommand, why an ADD COLUMN rewrites, and where a column's type is written.
 *
 * Rewrite causes have one owner each, so a statement gets one finding per problem: identity and serial columns
 * (add-column-serial-or-identity), stored generated columns (add-column-generated-stored), volatile or unknown
 * defaults (add-column-volatile-default), domains with constraints (add-column-constrained-domain). The order of
 * `rewriteCauseOf` decides which rule reports a column that has several causes.
 */
import type { AlterTableStmt, ColumnDef, Constraint, CreateStmt, TypeName } from '@pgsql/types';
import { asNode } from '../node-kinds';
import { statementEffect, type StatementEffect } from '../lockmodel/model';
import { explainVolatility } from '../pgfacts/volatility';
import type { StatementView } from '../statement-view';
import type { TypeFacts } from '../lockmodel/schema';
import type { RuleContext } from './rule';
import { alterTableClauses, existingAlteredTable, type ClauseRange } from './alter-table-clauses';

export const SERIAL_TYPES = new Set(['smallserial', 'serial2', 'serial', 'serial4', 'bigserial', 'serial8']);

export function constraintsOf(column: ColumnDef): Constraint[] {
  return (column.constraints ?? []).map((c) => asNode(c, 'Constraint')).filter((c): c is Constraint => !!c);
}

/** The type's name without pg_catalog (int4, varchar, timestamp, serial, json, app.money_amount). */
export function typeNameOf(type: TypeName | undefined): string {
  const names = (type?.names ?? []).map((n) => asNode(n, 'String')?.sval ?? '');
  return (names[0] === 'pg_catalog' ? names.slice(1) : names).join('.');
}

export function isArrayType(type: TypeName | undefined): boolean {
  return (type?.arrayBounds?.length ?? 0) > 0;
}

/** The serial pseudo-type a column is declared with (serial, bigserial…), if any. */
export function serialTypeOf(column: ColumnDef): string | undefined {
  const name = typeNameOf(column.typeName);
  return SERIAL_TYPES.has(name) && !isArrayType(column.typeName) ? name : undefined;
}

/**
 * The lock model's answer for one subcommand of an ALTER TABLE: the statement's own effect when it has one
 * subcommand, else the model asked about that subcommand alone (same schema and settings, so the look-ups are
 * recorded for the cache like the statement's own).
 */
export function subcommandEffect(context: RuleContext, stmt: AlterTableStmt, index: number): StatementEffect {
  const cmds = stmt.cmds ?? [];
  if (cmds.length <= 1) return context.effect;
  return statementEffect(
    { AlterTableStmt: { ...stmt, cmds: [cmds[index]!] } },
    { schema: context.file.schema, settings: context.file.settings, pgVersion: context.pgVersion },
  );
}

/** Tables (not indexes) whose storage the effect rewrites. */
export function rewrittenTables(effect: StatementEffect): string[] {
  const indexes = new Set(effect.locks.filter((l) => l.kind === 'index' || l.kind === 'partitioned index').map((l) => l.relation));
  return effect.rewrites.filter((r) => !indexes.has(r));
}

/** Indexes whose storage the effect rewrites (rebuilt). */
export function rebuiltIndexes(effect: StatementEffect): string[] {
  const indexes = new Set(effect.locks.filter((l) => l.kind === 'index' || l.kind === 'partitioned index').map((l) => l.relation));
  return effect.rewrites.filter((r) => indexes.has(r));
}

export interface AddedColumn {
  column: ColumnDef & { colname: string };
  constraints: Constraint[];
  /** The ADD COLUMN clause, when the clauses could be told apart (worked out on first read: see AlterTableClause). */
  readonly range: ClauseRange | undefined;
  effect: StatementEffect;
}

/** The ADD COLUMN subcommands of an ALTER TABLE on an existing table (not created earlier in the file). */
export function addedColumnsOnExistingTable(context: RuleContext, stmt: AlterTableStmt): AddedColumn[] {
  if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return [];
  if (context.file.createdInFile(stmt.relation)) return [];
  const out: AddedColumn[] = [];
  for (const clause of alterTableClauses(context.statement, stmt)) {
    const { cmd, index } = clause;
    if (cmd.subtype !== 'AT_AddColumn') continue;
    const column = asNode(cmd.def, 'ColumnDef');
    if (!column?.colname) continue;
    // ADD COLUMN IF NOT EXISTS of a column the table already has does nothing (PostgreSQL only says NOTICE).
    if (cmd.missing_ok && context.file.schema.column(context.file.schema.resolve(stmt.relation!), column.colname)) continue;
    out.push({
      column: column as ColumnDef & { colname: string },
      constraints: constraintsOf(column),
      get range() {
        return clause.range;
      },
      get effect() {
        return subcommandEffect(context, stmt, index);
      },
    });
  }
  return out;
}

export type RewriteCause =
  | { cause: 'identity' }
  | { cause: 'serial'; type: string }
  | { cause: 'stored-generated' }
  | { cause: 'volatile-default'; function: string; culprit: string }
  | { cause: 'unknown-volatility'; function: string; culprit: string }
  | { cause: 'constrained-domain'; domain: string };

/**
 * Why an ADD COLUMN would give every existing row its own value, first cause first. Whether PostgreSQL then really
 * rewrites is the lock model's answer (the effect), which the rules check as well.
 */
export function rewriteCauseOf(context: RuleContext, column: ColumnDef, constraints: readonly Constraint[]): RewriteCause | undefined {
  if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY')) return { cause: 'identity' };
  const serial = serialTypeOf(column);
  if (serial) return { cause: 'serial', type: serial };
  const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
  if (generated?.generated_kind === 's') return { cause: 'stored-generated' };
  const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
  if (defaultExpr) {
    const verdict = explainVolatility(defaultExpr, context.file.functionVolatility);
    if (verdict.volatility === 'volatile' || verdict.volatility === 'unknown') {
      const name = verdict.culprit?.name ?? '';
      const culprit =
        verdict.culprit?.kind === 'function' ? `${name}()` : verdict.culprit?.kind === 'operator' ? `operator ${name}` : `a ${name} node`;
      return verdict.volatility === 'volatile'
        ? { cause: 'volatile-default', function: name, culprit }
        : { cause: 'unknown-volatility', function: name, culprit };
    }
  }
  if (column.typeName) {
    const type = context.file.schema.resolveType(column.typeName);
    if (type.kind === 'domain' && type.domain?.hasConstraints) {
      return { cause: 'constrained-domain', domain: type.schema ? `${type.schema}.${type.name}` : type.name };
    }
  }
  return undefined;
}

/** " It also builds the new unique index." when the column is UNIQUE or a PRIMARY KEY (the rewrite covers it). */
export function uniqueIndexNote(constraints: readonly Constraint[]): string {
  const key = constraints.find((c) => c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE');
  if (!key) return '';
  return ` The ${key.contype === 'CONSTR_PRIMARY' ? 'primary key' : 'unique'} index is built in the same pass.`;
}

/** A column a CREATE TABLE or ALTER TABLE … ADD COLUMN defines, for the style rules (new tables included). */
export interface DefinedColumn {
  table: string;
  column: ColumnDef & { colname: string };
  constraints: Constraint[];
  /**
   * True when the column is the table's single-column PRIMARY KEY (column or table constraint). Members of a
   * composite key are not: they are usually references or small discriminators (shard_id, kind), not counters.
   */
  primaryKey: boolean;
  form: 'create-table' | 'add-column';
}

export function definedColumns(context: RuleContext, stmt: CreateStmt | AlterTableStmt, kind: 'CreateStmt' | 'AlterTableStmt'): DefinedColumn[] {
  if (!stmt.relation) return [];
  const table = context.file.schema.resolve(stmt.relation);
  const out: DefinedColumn[] = [];
  if (kind === 'CreateStmt') {
    const elements = (stmt as CreateStmt).tableElts ?? [];
    const pkColumns = new Set(
      elements
        .map((e) => asNode(e, 'Constraint'))
        .filter((c) => c?.contype === 'CONSTR_PRIMARY' && (c.keys?.length ?? 0) === 1)
        .flatMap((c) => (c!.keys ?? []).map((k) => asNode(k, 'String')?.sval ?? '')),
    );
    for (const element of elements) {
      const column = asNode(element, 'ColumnDef');
      if (!column?.colname || !column.typeName) continue;
      const constraints = constraintsOf(column);
      out.push({
        table,
        column: column as ColumnDef & { colname: string },
        constraints,
        primaryKey: pkColumns.has(column.colname) || constraints.some((c) => c.contype === 'CONSTR_PRIMARY'),
        form: 'create-table',
      });
    }
    return out;
  }
  const alter = stmt as AlterTableStmt;
  if (alter.objtype !== 'OBJECT_TABLE') return [];
  for (const item of alter.cmds ?? []) {
    const cmd = asNode(item, 'AlterTableCmd');
    if (cmd?.subtype !== 'AT_AddColumn') continue;
    const column = asNode(cmd.def, 'ColumnDef');
    if (!column?.colname || !column.typeName) continue;
    const constraints = constraintsOf(column);
    out.push({
      table,
      column: column as ColumnDef & { colname: string },
      constraints,
      primaryKey: constraints.some((c) => c.contype === 'CONSTR_PRIMARY'),
      form: 'add-column',
    });
  }
  return out;
}

const TYPE_ENDS = new Set([',', ')', 'NOT', 'NULL', 'DEFAULT', 'PRIMARY', 'REFERENCES', 'UNIQUE', 'CHECK', 'CONSTRAINT', 'GENERATED', 'COLLATE', 'USING', 'STORAGE', 'COMPRESSION']);

/**
 * The text range of a column's type as written (`varchar(50)`, `timestamp without time zone`, `serial`): from the
 * TypeName's location to the last token before a constraint keyword, a comma or the closing parenthesis.
 */
export function typeRange(view: StatementView, type: TypeName | undefined): ClauseRange | undefined {
  const start = view.offsetOfLocation(type?.location);
  if (start === undefined) return undefined;
  const tokens = view.tokens().filter((t) => t.name !== 'SQL_COMMENT' && t.name !== 'C_COMMENT');
  let i = tokens.findIndex((t) => t.start >= start);
  if (i < 0) return undefined;
  let end = tokens[i]!.end;
  let depth = 0;
  for (i++; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (depth === 0 && (TYPE_ENDS.has(token.text.toUpperCase()) || token.text === ';')) break;
    if (token.text === '(' || token.text === '[') depth++;
    else if (token.text === ')' || token.text === ']') depth--;
    end = token.end;
  }
  return { start, end };
}

/** An ALTER COLUMN … TYPE subcommand on an existing table, with the column's old and new types as the catalog knows them. */
export interface ChangedColumnType {
  column: string;
  /** Undefined when the catalog does not know the column. */
  from?: TypeFacts;
  to: TypeFacts;
  /** The ALTER COLUMN … TYPE clause (worked out on first read: see AlterTableClause). */
  readonly range: ClauseRange | undefined;
  effect: StatementEffect;
}

export function changedColumnTypesOnExistingTable(context: RuleContext, stmt: AlterTableStmt): ChangedColumnType[] {
  const table = existingAlteredTable(context, stmt);
  if (table === undefined) return [];
  const out: ChangedColumnType[] = [];
  for (const clause of alterTableClauses(context.statement, stmt)) {
    const { cmd, index } = clause;
    if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.name) continue;
    const def = asNode(cmd.def, 'ColumnDef');
    if (!def?.typeName) continue;
    const from = context.file.schema.columnType(table, cmd.name)?.type;
    out.push({
      column: cmd.name,
      ...(from ? { from } : {}),
      to: context.file.schema.resolveType(def.typeName),
      get range() {
        return clause.range;
      },
      get effect() {
        return subcommandEffect(context, stmt, index);
      },
    });
  }
  return out;
}

/** pg_type names of builtins as migrations write them. */
const SQL_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'char',
};

/** A type as SQL shows it: varchar(20), integer, app.positive_int, text[]. */
export function displayType(type: TypeFacts): string {
  const name = type.kind === 'builtin' || type.schema === undefined ? (SQL_NAMES[type.name] ?? type.name) : `${type.schema}.${type.name}`;
  const mods = type.typmods.length > 0 ? `(${type.typmods.join(',')})` : '';
  return `${name}${mods}${'[]'.repeat(type.arrayDimensions)}`;
}

/** timestamp → timestamptz or back (arrays excluded): the conversion reads values in the session TimeZone. */
export function isTimestampConversion(from: TypeFacts | undefined, to: TypeFacts): boolean {
  if (!from || from.kind !== 'builtin' || to.kind !== 'builtin' || from.arrayDimensions > 0 || to.arrayDimensions > 0) return false;
  return (from.name === 'timestamp' && to.name === 'timestamptz') || (from.name === 'timestamptz' && to.name === 'timestamp');
}
