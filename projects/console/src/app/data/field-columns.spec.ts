import { columnsOf, fieldType, fromText, toText } from './field-columns';
import type { ObjectSummary } from '../api/console-types';

const object: ObjectSummary = {
  name: 'items',
  fields: {
    name: { type: 'string', required: true },
    qty: 'int',
    done: 'boolean',
    meta: 'json',
    owner: { object: 'users' },
    tags: { collection: 'tags', via: 'item' },
  },
  realtime: true,
  ownerField: null,
  permissions: {},
  actions: [],
};

describe('field columns', () => {
  it('lists the fields that hold a value, with their types, collections left out', () => {
    expect(columnsOf(object)).toEqual([
      { name: 'name', type: 'string' },
      { name: 'qty', type: 'int' },
      { name: 'done', type: 'boolean' },
      { name: 'meta', type: 'json' },
      { name: 'owner', type: 'object' },
    ]);
    expect(fieldType({ collection: 'x' })).toBe('collection');
  });

  it('turns typed text into the value of the field type', () => {
    expect(fromText({ name: 'qty', type: 'int' }, ' 42 ')).toBe(42);
    expect(fromText({ name: 'done', type: 'boolean' }, 'false')).toBe(false);
    expect(fromText({ name: 'meta', type: 'json' }, '{"a":[1]}')).toEqual({ a: [1] });
    expect(fromText({ name: 'qty', type: 'int' }, '')).toBeNull();
    expect(fromText({ name: 'name', type: 'string' }, '')).toBe('');
    expect(fromText({ name: 'name', type: 'string' }, ' keep spaces ')).toBe(' keep spaces ');
  });

  it('refuses text that does not fit, naming the field', () => {
    expect(() => fromText({ name: 'qty', type: 'int' }, 'many')).toThrow('qty must be a number');
    expect(() => fromText({ name: 'done', type: 'boolean' }, 'yes')).toThrow(
      'done must be true or false',
    );
    expect(() => fromText({ name: 'meta', type: 'json' }, '{')).toThrow('meta must be JSON');
  });

  it('shows values as text', () => {
    expect(toText(null)).toBe('');
    expect(toText({ a: 1 })).toBe('{"a":1}');
    expect(toText(3.5)).toBe('3.5');
  });
});
