import { HttpError } from '../http/http-error';
import { fromStored, toStored } from './fields';

describe('field values', () => {
  it.each([
    ['string', 'abc', 'abc'],
    ['text', '', ''],
    ['int', 42, 42],
    ['int', ' -7 ', -7],
    ['float', 2.5, 2.5],
    ['float', '1e3', 1000],
    ['boolean', true, 1],
    ['boolean', 'false', 0],
    ['boolean', 0, 0],
    ['datetime', '2024-02-03T04:05:06+01:00', '2024-02-03T03:05:06.000Z'],
    ['datetime', 0, '1970-01-01T00:00:00.000Z'],
    ['json', { a: [1, null] }, '{"a":[1,null]}'],
    ['json', 'text', '"text"'],
    ['int', null, null],
  ] as const)('stores %s %j as %j', (type, value, stored) => {
    expect(toStored('o', 'f', type, value)).toEqual(stored);
  });

  it.each([
    ['string', 5],
    ['int', 1.5],
    ['int', '12abc'],
    ['int', 2 ** 60],
    ['float', 'NaN'],
    ['float', Infinity],
    ['boolean', 'yes'],
    ['boolean', 2],
    ['datetime', 'tomorrow'],
    ['datetime', ''],
    ['int', [1]],
  ] as const)('refuses %s %j with a 400 naming the field', (type, value) => {
    let error: unknown;
    try {
      toStored('items', 'qty', type, value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).message).toMatch(/field "qty" of "items"/);
    expect((error as HttpError).extra).toEqual({ field: 'qty' });
  });

  it('reads stored values back as JSON types', () => {
    expect(fromStored('boolean', 1)).toBe(true);
    expect(fromStored('boolean', 0)).toBe(false);
    expect(fromStored('json', '{"a":1}')).toEqual({ a: 1 });
    expect(fromStored('json', 'not json')).toBe('not json');
    expect(fromStored('int', 5n)).toBe(5);
    expect(fromStored('string', null)).toBeNull();
  });
});
