import { beforeAll, expect, it } from 'vitest';
import { initParser } from './parse/parser';
import { qualify, quoteIdent } from './names';

beforeAll(() => initParser());

it('quotes names the way quote_ident does', () => {
  expect(quoteIdent('orders')).toBe('orders');
  expect(quoteIdent('Orders')).toBe('"Orders"');
  expect(quoteIdent('order')).toBe('"order"'); // reserved
  expect(quoteIdent('user')).toBe('"user"'); // reserved
  expect(quoteIdent('name')).toBe('name'); // unreserved
  expect(quoteIdent('int')).toBe('"int"'); // column-name keyword
  expect(quoteIdent('left')).toBe('"left"'); // type/function-name keyword
  expect(quoteIdent('1st')).toBe('"1st"');
  expect(quoteIdent('a"b')).toBe('"a""b"');
  expect(qualify('public', 'naïve')).toBe('public."naïve"');
});
