import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../parse/parser';
import { chooseObjectName, clipToBytes, makeObjectName, parseQualifiedName, qualifiedKey, splitSearchPath } from './names';

beforeAll(async () => {
  await initParser();
});

describe('identifiers', () => {
  it('parses dotted names, folding unquoted parts and keeping quoted ones', () => {
    expect(parseQualifiedName('Users')).toEqual(['users']);
    expect(parseQualifiedName('Public."Users"')).toEqual(['public', 'Users']);
    expect(parseQualifiedName('"a.b"."c""d"')).toEqual(['a.b', 'c"d']);
    expect(parseQualifiedName(' app . items ')).toEqual(['app', 'items']);
    expect(parseQualifiedName('ÄBC')).toEqual(['Äbc']);
    expect(parseQualifiedName('')).toBeUndefined();
    expect(parseQualifiedName('a..b')).toBeUndefined();
    expect(parseQualifiedName('"unterminated')).toBeUndefined();
  });

  it('builds quote_ident-style keys', () => {
    expect(qualifiedKey('public', 'users')).toBe('public.users');
    expect(qualifiedKey('app', 'Users')).toBe('app."Users"');
    expect(qualifiedKey('public', 'user')).toBe('public."user"');
    expect(qualifiedKey('public', 'a"b')).toBe('public."a""b"');
  });

  it('splits search_path strings like SplitIdentifierString', () => {
    expect(splitSearchPath('"$user", public')).toEqual(['$user', 'public']);
    expect(splitSearchPath('App, "My,Schema" ,x')).toEqual(['app', 'My,Schema', 'x']);
    expect(splitSearchPath('')).toEqual([]);
  });
});

describe('generated names (makeObjectName / ChooseRelationName)', () => {
  it('joins parts and appends digits on conflicts', () => {
    expect(makeObjectName('orders', 'user_id', 'fkey')).toBe('orders_user_id_fkey');
    expect(makeObjectName('orders', undefined, 'pkey')).toBe('orders_pkey');
    const taken = new Set(['t_a_idx', 't_a_idx1']);
    expect(chooseObjectName('t', 'a', 'idx', (n) => taken.has(n))).toBe('t_a_idx2');
  });

  it('shortens the longer part first and never splits a multi-byte character', () => {
    const long = 'x'.repeat(70);
    const name = makeObjectName(long, 'col', 'key');
    expect(name).toBe(`${'x'.repeat(55)}_col_key`);
    expect(Buffer.byteLength(name)).toBe(63);
    const accented = 'é'.repeat(40); // 80 bytes
    const clipped = makeObjectName(accented, undefined, 'pkey');
    expect(Buffer.byteLength(clipped)).toBeLessThanOrEqual(63);
    expect(clipped).toBe(`${'é'.repeat(29)}_pkey`);
    expect(clipToBytes('aé', 2)).toBe('a');
  });
});
