import { describe, expect, it } from 'vitest';
import { migrationSections } from './sections';

const slice = (text: string, range: [number, number] | undefined) => (range ? text.slice(range[0], range[1]).trim() : undefined);

describe('migrationSections', () => {
  it('splits goose files at their annotations', () => {
    const text = '-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE t (a int);\n-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE t;\n';
    const s = migrationSections(text);
    expect(slice(text, s.up)).toBe('-- +goose StatementBegin\nCREATE TABLE t (a int);\n-- +goose StatementEnd');
    expect(slice(text, s.down)).toBe('DROP TABLE t;');
    expect(s.noTransaction).toBe(false);
  });

  it('splits dbmate files and reads transaction:false', () => {
    const text = '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n-- migrate:down\nDROP INDEX i;\n';
    const s = migrationSections(text);
    expect(slice(text, s.up)).toBe('CREATE INDEX CONCURRENTLY i ON t (a);');
    expect(slice(text, s.down)).toBe('DROP INDEX i;');
    expect(s.noTransaction).toBe(true);
  });

  it('treats a file without markers as all up, and reads goose NO TRANSACTION', () => {
    expect(migrationSections('CREATE TABLE t ();')).toEqual({ up: [0, 18], noTransaction: false });
    expect(migrationSections('-- +goose NO TRANSACTION\n-- +goose Up\nSELECT 1;').noTransaction).toBe(true);
  });

  it('handles a down section that comes first', () => {
    const text = '-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t ();\n';
    const s = migrationSections(text);
    expect(slice(text, s.up)).toBe('CREATE TABLE t ();');
    expect(slice(text, s.down)).toBe('DROP TABLE t;');
  });
});
