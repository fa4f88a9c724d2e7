import fc from 'fast-check';
import * as path from 'node:path';
import { loadAppDefinition } from '../../app-definition/load-app-definition';
import type { RunningServer } from '../../index';
import { api, qs, type Auth, type LooseJson } from '../../testing/http-client';
import { signIn, startTestServer } from '../../testing/test-server';

// Hostile NoSQL filters and {{param}} values: every answer is a 200 within the caller's rows or
// a clean 4xx; never a SQL error, never another user's row, never a change to the data.

const FIXTURE = path.join(__dirname, '../../testing/fixtures/nosql-app.json');
let server: RunningServer;
let ann: Auth;
let ada: Auth;
const guest: Auth = { anonymous: 'hr-anonymous-token' };
let annItems: number[];
let snapshot: string;

const INJECTIONS = [
  "' OR '1'='1",
  '" OR 1=1 --',
  "'); DROP TABLE items; --",
  '1; DELETE FROM notes',
  '%',
  '_',
  '\\',
  '{{sys::role}}',
  '{{x}}',
  '*/ OR 1=1 /*',
  'items.user',
  '(select id from users)',
];
const KEYS = [
  'name',
  'user',
  'id',
  'NAME',
  'Name',
  '$or',
  '$and',
  '$not',
  '$union',
  'bogus',
  'name"; DROP TABLE items; --',
  '__proto__',
  'constructor',
  'toString',
  '',
  '$where',
];
const OPS = [
  '$eq',
  '$ne',
  '$neq',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$between',
  '$exists',
  '$like',
  '$in',
  '$nin',
  '$not',
  '$within',
  '$withinMiles',
  '$regex',
  'eq',
  '$',
  '__proto__',
];

const scalar = fc.oneof(
  fc.constantFrom('a1', 'a2', 'b1', 'a%', 1, 2, 3),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(...INJECTIONS),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);
const subquery = fc.record(
  {
    object: fc.constantFrom(
      'items',
      'items',
      'notes',
      'secrets',
      'users',
      'tasks',
      'nope',
      'ITEMS',
    ),
    q: fc.constant({}),
    fields: fc.constantFrom(
      ['id'],
      ['user'],
      ['id'],
      ['user'],
      ['id', 'name'],
      ['email'],
      ['bogus'],
    ),
  },
  { requiredKeys: ['object'] },
);
const { expr } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    { weight: 3, arbitrary: fc.constantFrom('a1', 'a2', 'b1', 1, 2, 3) },
    scalar,
    fc.array(scalar, { maxLength: 3 }),
    subquery,
    fc.dictionary(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...OPS.slice(0, 13)) },
        fc.constantFrom(...OPS),
      ),
      fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), subquery, tie('value')),
      { minKeys: 1, maxKeys: 2 },
    ),
  ),
  expr: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    {
      weight: 4,
      arbitrary: fc.dictionary(fc.constantFrom('name', 'user', 'id', 'NAME'), tie('value'), {
        minKeys: 1,
        maxKeys: 2,
      }),
    },
    fc.record({ $or: fc.array(tie('expr'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ $not: tie('expr') }),
    fc.dictionary(
      fc.constantFrom(...KEYS),
      fc.oneof(tie('value'), fc.array(tie('expr'), { maxLength: 2 })),
      { maxKeys: 3 },
    ),
  ),
}));

async function everything(): Promise<string> {
  const out: unknown[] = [];
  for (const object of ['items', 'notes', 'secrets', 'tasks', 'employees']) {
    out.push((await api(server.url, 'GET', `/1/objects/${object}?pageSize=200`, ada)).body);
  }
  return JSON.stringify(out);
}

beforeAll(async () => {
  server = await startTestServer(await loadAppDefinition(FIXTURE));
  const annToken = await signIn(server.url, 'ann@hr.test', 'ann-password', 'hr');
  ann = { bearer: annToken.access_token };
  ada = { bearer: (await signIn(server.url, 'ada@hr.test', 'ada-password', 'hr')).access_token };
  const bob = await signIn(server.url, 'bob@hr.test', 'bob-password', 'hr');
  const post = (object: string, row: object) =>
    api(server.url, 'POST', `/1/objects/${object}?returnObject=true`, ada, row);
  annItems = [];
  for (const name of ['a1', 'a2'])
    annItems.push((await post('items', { name, user: Number(annToken.userId) })).body.id);
  await post('items', { name: 'b1', user: Number(bob.userId) });
  await post('notes', { title: 'bob private', owner: 'bob@hr.test', shared: false });
  await post('secrets', { text: 'top' });
  await post('employees', { name: 'E', position: 'Engineer', age: 30 });
  snapshot = await everything();
});

afterAll(() => server?.close());

it('answers any NoSQL filter with rows the caller may see, or a clean 4xx', async () => {
  await fc.assert(
    fc.asyncProperty(expr, fc.boolean(), async (q, wrapped) => {
      const filter = wrapped ? { q } : q;
      const res = await api(server.url, 'GET', `/1/objects/items${qs({ filter })}`, ann);
      if (res.status === 200) {
        for (const row of res.body.data as LooseJson[]) expect(annItems).toContain(row.id);
      } else {
        expect([400, 403, 404]).toContain(res.status);
        expect(typeof res.body.Message).toBe('string');
      }
      const asGuest = await api(server.url, 'GET', `/1/objects/items${qs({ filter })}`, guest);
      if (asGuest.status === 200) expect(asGuest.body.data).toEqual([]);
      else expect([400, 403, 404]).toContain(asGuest.status);
    }),
    { numRuns: 150 },
  );
  expect(await everything()).toBe(snapshot);
});

it('binds any {{param}} value: a saved query answers 200 or 400, and only what it selects', async () => {
  const anyJson = fc.oneof(scalar, fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...INJECTIONS));
  await fc.assert(
    fc.asyncProperty(anyJson, anyJson, async (pos, q) => {
      const get = (name: string, parameters: unknown) =>
        api(server.url, 'GET', `/1/query/data/${name}${qs({ parameters })}`, ann);
      const byPosition = await get('byPosition', { pos });
      expect([200, 400]).toContain(byPosition.status);
      if (byPosition.status === 200) {
        const expected = pos === 'Engineer' ? [{ name: 'E' }] : [];
        expect(byPosition.body).toEqual(expected);
      }
      const nameLike = await get('nameLike', { q });
      expect([200, 400]).toContain(nameLike.status);
      const near = await get('nearRestaurants', { lan: pos, lon: q, dist: 10 });
      expect([200, 400]).toContain(near.status);
      const filtered = await api(
        server.url,
        'GET',
        `/1/objects/items${qs({ filter: { q: { name: '{{p}}' } }, parameters: { p: pos } })}`,
        ann,
      );
      expect([200, 400]).toContain(filtered.status);
      if (filtered.status === 200)
        for (const row of filtered.body.data as LooseJson[]) expect(annItems).toContain(row.id);
    }),
    { numRuns: 100 },
  );
  expect(await everything()).toBe(snapshot);
});
