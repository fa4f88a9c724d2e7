import type { TapEvent } from '../api/console-types';
import { matchesFilter } from './event-filter';

const event: TapEvent = {
  seq: 1,
  at: '2026-01-01T00:00:00.000Z',
  node: 'n',
  event: 'items.created',
  kind: 'row',
  audience: 'readers of items 7',
  delivered: 2,
  data: '{"name":"Milk"}',
};

describe('matchesFilter', () => {
  it('matches everything with an empty filter', () => {
    expect(matchesFilter(event, '  ')).toBe(true);
  });

  it('needs every word somewhere in name, kind, audience or data, whatever the case', () => {
    expect(matchesFilter(event, 'ITEMS milk')).toBe(true);
    expect(matchesFilter(event, 'row readers')).toBe(true);
    expect(matchesFilter(event, 'items bread')).toBe(false);
  });
});
