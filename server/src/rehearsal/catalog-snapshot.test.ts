import { describe, expect, it } from 'vitest';
import { withScratchDatabase } from '../../../test/setup/pg.js';
import { catalogSnapshot } from './catalog-snapshot.js';

describe('catalogSnapshot', () => {
  it('reads columns, constraints and indexes of user relations in PostgreSQL’s own rendering', async () => {
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query(`
          CREATE SCHEMA app;
          CREATE TABLE app.parent (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
          CREATE TABLE app."Child" (
            id serial PRIMARY KEY,
            pid bigint NOT NULL,
            qty int DEFAULT 0 CHECK (qty >= 0),
            twice int GENERATED ALWAYS AS (qty * 2) STORED,
            note varchar(20)
          );
          INSERT INTO app."Child" (pid, qty) VALUES (1, 1), (1, 1);
          ALTER TABLE app."Child" ADD CONSTRAINT child_pid_fk FOREIGN KEY (pid) REFERENCES app.parent (id) NOT VALID;`);
        // A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index behind.
        await expect(session.query('CREATE UNIQUE INDEX CONCURRENTLY child_qty_uniq ON app."Child" (qty)')).rejects.toMatchObject({ code: '23505' });

        const snapshot = await catalogSnapshot(session);
        expect(snapshot.relations.map((relation) => relation.name)).toEqual(['app."Child"', 'app.parent']);
        const child = snapshot.relations[0]!;
        expect(child.kind).toBe('table');
        expect(child.columns).toEqual([
          { name: 'id', type: 'integer', nullable: false, default: `nextval('app."Child_id_seq"'::regclass)`, generated: null, identity: null },
          { name: 'pid', type: 'bigint', nullable: false, default: null, generated: null, identity: null },
          { name: 'qty', type: 'integer', nullable: true, default: '0', generated: null, identity: null },
          { name: 'twice', type: 'integer', nullable: true, default: '(qty * 2)', generated: 'stored', identity: null },
          { name: 'note', type: 'character varying(20)', nullable: true, default: null, generated: null, identity: null },
        ]);
        expect(child.constraints).toEqual([
          { name: 'Child_pkey', type: 'primary key', validated: true, definition: 'PRIMARY KEY (id)' },
          { name: 'Child_qty_check', type: 'check', validated: true, definition: 'CHECK ((qty >= 0))' },
          { name: 'child_pid_fk', type: 'foreign key', validated: false, definition: 'FOREIGN KEY (pid) REFERENCES app.parent(id) NOT VALID' },
        ]);
        expect(child.indexes).toEqual([
          { name: 'app."Child_pkey"', definition: 'CREATE UNIQUE INDEX "Child_pkey" ON app."Child" USING btree (id)', valid: true, unique: true, primary: true },
          { name: 'app.child_qty_uniq', definition: 'CREATE UNIQUE INDEX child_qty_uniq ON app."Child" USING btree (qty)', valid: false, unique: true, primary: false },
        ]);
        expect(snapshot.relations[1]!.columns).toEqual([
          { name: 'id', type: 'bigint', nullable: false, default: null, generated: null, identity: 'always' },
        ]);
      } finally {
        await session.close();
      }
    });
  });
});
