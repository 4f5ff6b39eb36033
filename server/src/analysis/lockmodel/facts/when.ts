/**
 * Small predicates the statement facts' `when` conditions share: they read the statement's syntax and the schema,
 * never decide a lock themselves.
 */
import type { Node } from '@pgsql/types';
import builtins from '../../pgfacts/builtin-functions.json';
import type { FactInput } from '../fact';

type Payload = Record<string, unknown>;

/** The statement payload as a plain record. */
export function payload(input: FactInput): Payload {
  return (input.statement ?? {}) as Payload;
}

/** True when the statement's `table` is a partitioned table (as far as the schema knows). */
export function onPartitionedTable(input: FactInput): boolean {
  return input.table !== undefined && input.schema.relationKind(input.table) === 'partitioned table';
}

/** DROP … CASCADE. */
export function cascades(input: FactInput): boolean {
  return payload(input).behavior === 'DROP_CASCADE';
}

/** The option list of a statement (DefElem nodes), by name. */
export function option(input: FactInput, name: string, field = 'options'): Payload | undefined {
  const options = (payload(input)[field] as Node[] | undefined) ?? [];
  return options.map((o) => (o as { DefElem?: Payload }).DefElem).find((d) => d?.defname === name);
}

const builtinFunctions = builtins.functions as Record<string, string>;

/**
 * Builtin functions that touch relations the model does not follow (a size or a prewarm reads the relation a
 * regclass argument names, currval reads a sequence): a call to one makes the statement's effect unknown.
 */
const RELATION_TOUCHING_BUILTINS = new Set([
  'currval',
  'lastval',
  'pg_relation_size',
  'pg_total_relation_size',
  'pg_table_size',
  'pg_indexes_size',
  'pg_prewarm',
  'pg_truncate_visibility_map',
  'lo_import',
  'lo_export',
]);

/**
 * Functions of the relation-free extensions (misc.ts RELATION_FREE_EXTENSIONS) that migrations call in data
 * backfills: C functions computing a value from their arguments, touching no relation.
 */
const RELATION_FREE_EXTENSION_FUNCTIONS = new Set([
  // uuid-ossp
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v3',
  'uuid_generate_v4',
  'uuid_generate_v5',
  'uuid_nil',
  // pgcrypto
  'digest',
  'hmac',
  'crypt',
  'gen_salt',
  'gen_random_bytes',
  'encrypt',
  'decrypt',
  'pgp_sym_encrypt',
  'pgp_sym_decrypt',
  'armor',
  'dearmor',
  // ltree
  'nlevel',
  'subpath',
  'subltree',
  'text2ltree',
  'ltree2text',
  'lca',
  // pg_trgm, unaccent
  'similarity',
  'word_similarity',
  'show_trgm',
  'unaccent',
]);

/**
 * Functions a statement calls whose effect on relations the model does not know: user (or extension) functions —
 * their bodies are not analyzed — and the builtins above. nextval/setval are modelled (the `sequences` role).
 */
export function unanalyzedCalls(value: unknown, input: FactInput): string[] {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      const call = (v as { FuncCall?: { funcname?: Array<{ String?: { sval?: string } }> } }).FuncCall;
      if (call) {
        const parts = (call.funcname ?? []).map((n) => n.String?.sval ?? '');
        const name = parts[parts.length - 1] ?? '';
        const qualified = parts.join('.');
        const builtin =
          ((parts.length === 1 || parts[0] === 'pg_catalog') && builtinFunctions[name] !== undefined) ||
          RELATION_FREE_EXTENSION_FUNCTIONS.has(name);
        const user = input.schema.functionVolatility(qualified) !== undefined;
        if (user || !builtin || RELATION_TOUCHING_BUILTINS.has(name)) out.add(qualified);
      }
      for (const key in v as Record<string, unknown>) visit((v as Record<string, unknown>)[key]);
    }
  };
  visit(value);
  return [...out];
}
