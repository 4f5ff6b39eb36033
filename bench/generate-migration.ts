/**
 * Generates a realistic migration document of N statements for benchmarks: the mix seen in real migration
 * folders (new tables, added columns and constraints, indexes, backfills, the odd function), on tables created
 * in the same file and on tables that already exist, so rules find something to report. Deterministic per seed.
 */
import { Prng } from '../test/fuzz/prng';

const types = ['bigint', 'integer', 'text', 'varchar(255)', 'timestamptz', 'boolean', 'jsonb', 'numeric(12,2)', 'uuid'];
const columnWords = ['name', 'email', 'status', 'created_at', 'updated_at', 'owner_id', 'amount', 'note', 'flags', 'ref'];
/** Tables the migration assumes exist already (created by earlier migrations). */
const existingTables = ['users', 'accounts', 'orders', 'invoices', 'events', 'sessions', 'payments', 'projects'];

export interface GeneratedMigration {
  text: string;
  /** [start, end) UTF-16 offsets of each statement, semicolon included. */
  statements: Array<[number, number]>;
}

export function generateMigration(statementCount: number, seed = 1): GeneratedMigration {
  const rng = new Prng(seed);
  const created: string[] = [];
  const columns = new Map<string, string[]>();
  const parts: string[] = [];
  const statements: Array<[number, number]> = [];
  let offset = 0;

  const anyTable = (): string =>
    created.length > 0 && rng.chance(0.6) ? rng.pick(created) : rng.pick(existingTables);
  const columnOf = (table: string): string => rng.pick(columns.get(table) ?? columnWords);

  for (let i = 0; i < statementCount; i++) {
    let sql: string;
    const roll = rng.int(100);
    if (roll < 14 || created.length === 0) {
      const table = `t_${i}_${rng.pick(['audit', 'item', 'log', 'link', 'tag'])}`;
      const cols = Array.from({ length: rng.range(2, 7) }, (_, k) => `${rng.pick(columnWords)}_${k}`);
      created.push(table);
      columns.set(table, cols);
      const defs = cols.map((c) => `  ${c} ${rng.pick(types)}${rng.chance(0.3) ? ' NOT NULL' : ''}${rng.chance(0.15) ? ' DEFAULT now()' : ''}`);
      sql = `CREATE TABLE ${table} (\n  id bigserial PRIMARY KEY,\n${defs.join(',\n')}\n);`;
    } else if (roll < 34) {
      const table = anyTable();
      const column = `${rng.pick(columnWords)}_${i}`;
      columns.get(table)?.push(column);
      const extra = rng.pick(['', ' NOT NULL', " DEFAULT 'x'", ' DEFAULT 0', ' DEFAULT gen_random_uuid()']);
      sql = `ALTER TABLE ${table} ADD COLUMN ${column} ${rng.pick(types)}${extra};`;
    } else if (roll < 46) {
      const table = anyTable();
      sql = rng.chance(0.5)
        ? `ALTER TABLE ${table} ALTER COLUMN ${columnOf(table)} SET NOT NULL;`
        : `ALTER TABLE ${table} ALTER COLUMN ${columnOf(table)} TYPE ${rng.pick(types)};`;
    } else if (roll < 64) {
      const table = anyTable();
      const concurrently = rng.chance(0.4) ? ' CONCURRENTLY' : '';
      const unique = rng.chance(0.2) ? 'UNIQUE ' : '';
      sql = `CREATE ${unique}INDEX${concurrently} idx_${i} ON ${table} (${columnOf(table)})${rng.chance(0.2) ? ' WHERE deleted_at IS NULL' : ''};`;
    } else if (roll < 76) {
      const table = anyTable();
      sql = `UPDATE ${table} SET ${columnOf(table)} = ${rng.pick(["'pending'", '0', 'now()', 'NULL'])} WHERE ${columnOf(table)} IS NULL${rng.chance(0.3) ? ` AND id < ${rng.range(1000, 999999)}` : ''};`;
    } else if (roll < 84) {
      const table = anyTable();
      const target = rng.pick(existingTables);
      sql = `ALTER TABLE ${table} ADD CONSTRAINT fk_${i} FOREIGN KEY (${columnOf(table)}) REFERENCES ${target} (id)${rng.chance(0.4) ? ' NOT VALID' : ''};`;
    } else if (roll < 89) {
      const table = anyTable();
      sql = `INSERT INTO ${table} (${columnOf(table)}) VALUES ('${rng.pick(['a', 'b', 'seed'])}-${i}');`;
    } else if (roll < 92) {
      sql = `DROP INDEX${rng.chance(0.5) ? ' CONCURRENTLY' : ''} IF EXISTS idx_${rng.int(i + 1)};`;
    } else if (roll < 95) {
      const table = anyTable();
      sql = `ALTER TABLE ${table} ADD CONSTRAINT chk_${i} CHECK (${columnOf(table)} IS NOT NULL)${rng.chance(0.5) ? ' NOT VALID' : ''};`;
    } else if (roll < 97) {
      const table = anyTable();
      sql = `CREATE OR REPLACE FUNCTION touch_${i}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$;\nCREATE TRIGGER trg_${i} BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION touch_${i}();`;
    } else {
      sql = `SET lock_timeout = '${rng.pick([1, 2, 5])}s';`;
    }
    const lead = rng.chance(0.1) ? `-- step ${i}: ${rng.pick(['backfill', 'index for lookups', 'new feature', 'cleanup'])}\n` : '';
    const chunk = `${lead}${sql}\n\n`;
    // The trigger case holds two statements; record each so edits can target either.
    let local = lead.length;
    for (const piece of sql.split(/(?<=;)\n(?=CREATE TRIGGER)/)) {
      statements.push([offset + local, offset + local + piece.length]);
      local += piece.length + 1;
    }
    parts.push(chunk);
    offset += chunk.length;
  }
  return { text: parts.join(''), statements };
}
