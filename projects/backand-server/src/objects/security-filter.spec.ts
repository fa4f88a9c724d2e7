import * as path from 'node:path';
import { loadAppDefinition } from '../app-definition/load-app-definition';
import type { RunningServer } from '../index';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { api, qs, type Auth, type LooseJson } from '../testing/http-client';
import { signIn, startTestServer, type TokenResponse } from '../testing/test-server';
import { buildWhere } from './list-query';

// Pre-defined (data security) filters: the docs' SQL example on `items`, a NoSQL filter on
// `notes`, and a NoSQL filter with a sub-query on `tasks` (testing/fixtures/nosql-app.json).

const FIXTURE = path.join(__dirname, '../testing/fixtures/nosql-app.json');
const ANON = 'hr-anonymous-token';
const MASTER = {
  headers: { Authorization: `Basic ${Buffer.from('hr-master:hr-user').toString('base64')}` },
};
let server: RunningServer;
const who = {} as Record<'ada' | 'ann' | 'bob', TokenResponse>;
const as = (u: 'ada' | 'ann' | 'bob'): Auth => ({ bearer: who[u].access_token });
const guest: Auth = { anonymous: ANON };
const items = {} as Record<'ann1' | 'ann2' | 'bob1', number>;
const sockets: SocketProbe[] = [];

async function post(object: string, row: object, auth: Auth = as('ada')): Promise<LooseJson> {
  const res = await api(server.url, 'POST', `/1/objects/${object}?returnObject=true`, auth, row);
  if (res.status !== 200) throw new Error(`${object}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const ids = (res: { body: LooseJson }) =>
  (res.body.data as Array<{ id: number }>).map((r) => r.id).sort((a, b) => a - b);
const get = (url: string, auth: Auth) => api(server.url, 'GET', url, auth);

beforeAll(async () => {
  server = await startTestServer(await loadAppDefinition(FIXTURE));
  for (const u of ['ada', 'ann', 'bob'] as const) {
    who[u] = await signIn(server.url, `${u}@hr.test`, `${u}-password`, 'hr');
  }
  const userId = (u: 'ann' | 'bob') => Number(who[u].userId);
  items.ann1 = (await post('items', { name: 'ann one', user: userId('ann') })).id;
  items.ann2 = (await post('items', { name: 'ann two', user: userId('ann') })).id;
  items.bob1 = (await post('items', { name: 'bob one', user: userId('bob') })).id;
  await post('notes', { title: 'ann private', owner: 'ann@hr.test', shared: false });
  await post('notes', { title: 'bob private', owner: 'bob@hr.test', shared: false });
  await post('notes', { title: 'bob shared', owner: 'bob@hr.test', shared: true });
  await post('tasks', { title: 'ann task', user: userId('ann') });
  await post('tasks', { title: 'bob task', user: userId('bob') });
  await post('secrets', { text: 'top' });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

describe('the docs SQL filter (items of the signed-in user; Admin sees all)', () => {
  it('hides the other users rows from the list, its count, search, sort and old-style filters', async () => {
    const mine = [items.ann1, items.ann2];
    expect(ids(await get('/1/objects/items', as('ann')))).toEqual(mine);
    expect((await get('/1/objects/items', as('ann'))).body.totalRows).toBe(2);
    expect(ids(await get(`/1/objects/items${qs({ search: 'one' })}`, as('ann')))).toEqual([
      items.ann1,
    ]);
    expect(
      ids(
        await get(
          `/1/objects/items${qs({ sort: [{ fieldName: 'name', order: 'desc' }] })}`,
          as('ann'),
        ),
      ),
    ).toEqual(mine);
    const byName = qs({ filter: [{ fieldName: 'name', operator: 'equals', value: 'bob one' }] });
    expect((await get(`/1/objects/items${byName}`, as('ann'))).body).toEqual({
      totalRows: 0,
      data: [],
    });
    expect(ids(await get('/1/objects/items', as('bob')))).toEqual([items.bob1]);
    expect(ids(await get('/1/objects/items', as('ada')))).toEqual([
      items.ann1,
      items.ann2,
      items.bob1,
    ]);
    expect(ids(await get('/1/objects/items', MASTER))).toEqual([
      items.ann1,
      items.ann2,
      items.bob1,
    ]);
    // A guest has no user name: the filter shows nothing.
    expect((await get('/1/objects/items', guest)).body).toEqual({ totalRows: 0, data: [] });
  });

  it('answers a hidden row with the same 404 as a missing one, for get, update, delete and actions', async () => {
    const missing = await get('/1/objects/items/999999', as('ann'));
    const hidden = await get(`/1/objects/items/${items.bob1}`, as('ann'));
    expect(hidden.status).toBe(404);
    expect(hidden.body.Message.replace(String(items.bob1), 'N')).toBe(
      missing.body.Message.replace('999999', 'N'),
    );
    const put = await api(server.url, 'PUT', `/1/objects/items/${items.bob1}`, as('ann'), {
      name: 'taken',
    });
    expect(put.status).toBe(404);
    const del = await api(server.url, 'DELETE', `/1/objects/items/${items.bob1}`, as('ann'));
    expect(del.status).toBe(404);
    const action = await api(
      server.url,
      'GET',
      `/1/objects/action/items/${items.bob1}?name=broadcast`,
      as('ann'),
    );
    expect(action.status).toBe(403); // the action is for admins: no row is read
    expect((await get(`/1/objects/items/${items.bob1}`, as('bob'))).body.name).toBe('bob one');
    expect((await get(`/1/objects/items/${items.ann1}`, as('ann'))).body.name).toBe('ann one');
  });

  it('applies to bulk reads', async () => {
    const res = await api(server.url, 'POST', '/1/bulk', as('ann'), [
      { method: 'GET', url: `${server.url}/1/objects/items` },
      { method: 'GET', url: `${server.url}/1/objects/items/${items.bob1}` },
    ]);
    expect(res.body[0].body.data.map((r: LooseJson) => r.id)).toEqual([items.ann1, items.ann2]);
    expect(res.body[1].status).toBe(404);
  });

  it('applies inside NoSQL sub-queries and unions', async () => {
    const probe = await post('employees', { name: 'Probe', deptId: items.bob1 });
    const q = { q: { deptId: { $in: { object: 'items', fields: ['id'] } } } };
    const seen = (await get(`/1/objects/employees${qs({ filter: q })}`, as('ann'))).body.data.map(
      (r: LooseJson) => r.id,
    );
    expect(seen).not.toContain(probe.id);
    const admin = (await get(`/1/objects/employees${qs({ filter: q })}`, as('ada'))).body.data.map(
      (r: LooseJson) => r.id,
    );
    expect(admin).toContain(probe.id);
    const union = await get('/1/query/data/itemsUnion', as('ann'));
    expect(union.body.map((r: LooseJson) => r.name).sort()).toEqual([
      'ann one',
      'ann private',
      'ann two',
      'bob shared',
    ]);
    const guestUnion = await get('/1/query/data/itemsUnion', guest);
    expect(guestUnion.body).toEqual([{ name: 'bob shared' }]);
    await api(server.url, 'DELETE', `/1/objects/employees/${probe.id}`, as('ada'));
  });

  it('refuses a sub-query or saved query on an object the caller may not read (403)', async () => {
    const q = { q: { deptId: { $in: { object: 'secrets', fields: ['id'] } } } };
    expect((await get(`/1/objects/employees${qs({ filter: q })}`, as('ann'))).status).toBe(403);
    expect((await get('/1/query/data/secretsNoSql', as('ann'))).status).toBe(403);
  });
});

describe('NoSQL pre-defined filters', () => {
  it('shows own and shared notes; a guest only the shared ones (its missing user name matches nothing)', async () => {
    const titles = async (auth: Auth) =>
      (await get('/1/objects/notes', auth)).body.data.map((r: LooseJson) => r.title).sort();
    expect(await titles(as('ann'))).toEqual(['ann private', 'bob shared']);
    expect(await titles(as('bob'))).toEqual(['bob private', 'bob shared']);
    expect(await titles(guest)).toEqual(['bob shared']);
  });

  it('runs the filter sub-query as the app owner (users rows are not readable to users)', async () => {
    const titles = (await get('/1/objects/tasks', as('ann'))).body.data.map(
      (r: LooseJson) => r.title,
    );
    expect(titles).toEqual(['ann task']);
  });

  it('fails closed when a read path does not pass the reader', () => {
    const app = server.app;
    expect(() =>
      buildWhere('items', app.objects['items']!, { filter: [], search: '' }, undefined),
    ).toThrow(/needs the reader/);
  });
});

describe('automatic realtime events follow the filter', () => {
  async function socketOf(u: 'ann' | 'bob' | 'ada'): Promise<SocketProbe> {
    const probe = await SocketProbe.open(server.url);
    sockets.push(probe);
    expect(await probe.login(`Bearer ${who[u].access_token}`, null, 'hr')).toBe('authorized');
    return probe;
  }
  const named = (name: string) => (d: unknown) => (d as LooseJson)?.row?.name === name;

  it('sends a row only to the users the filter shows it to; emitAll and emitRole override it', async () => {
    const [ann, bob, ada] = await Promise.all([socketOf('ann'), socketOf('bob'), socketOf('ada')]);
    const from = ann.log.length;
    await post('items', { name: 'bob live', user: Number(who.bob.userId) });
    await post('items', { name: 'ann live', user: Number(who.ann.userId) });
    await ann.waitFor('items.created', named('ann live'));
    await bob.waitFor('items.created', named('bob live'));
    await ada.waitFor('items.created', named('ann live'));
    await ada.waitFor('items.created', named('bob live'));
    // ann's socket got her row, and bob's (created first, so it would have come first) never.
    expect(
      ann
        .between(from, ann.log.length)
        .filter((e) => e.event === 'items.created')
        .map((e) => (e.data as LooseJson).row.name),
    ).toEqual(['ann live']);
    const bobSaw = bob.log
      .filter((e) => e.event === 'items.created')
      .map((e) => (e.data as LooseJson).row.name);
    expect(bobSaw).not.toContain('ann live');

    // Actions' emitAll / emitRole reach every socket of the audience, whatever the filter.
    await api(server.url, 'POST', '/1/objects/action/items?name=broadcast', as('ada'), {
      name: 'bob live',
    });
    await ann.waitFor('all_evt', (d) => (d as LooseJson)?.name === 'bob live');
    await ann.waitFor('role_evt', (d) => (d as LooseJson)?.name === 'bob live');
  });

  it('tells the sockets that lose sight of an updated row that it is gone, and the new readers the row', async () => {
    const [ann, bob] = await Promise.all([socketOf('ann'), socketOf('bob')]);
    const row = await post('items', { name: 'moving', user: Number(who.ann.userId) });
    await ann.waitFor('items.created', named('moving'));
    const res = await api(server.url, 'PUT', `/1/objects/items/${row.id}`, as('ada'), {
      user: Number(who.bob.userId),
    });
    expect(res.status).toBe(200);
    await ann.waitFor('items.deleted', (d) => (d as LooseJson).id === String(row.id));
    await bob.waitFor('items.updated', named('moving'));
    const removed = await api(server.url, 'DELETE', `/1/objects/items/${row.id}`, as('ada'));
    expect(removed.status).toBe(200);
    await bob.waitFor('items.deleted', (d) => (d as LooseJson).id === String(row.id));
    // ann got exactly one deletion of it (the move), none for the delete of a row she could not see.
    const barrier = await post('items', { name: 'barrier', user: Number(who.ann.userId) });
    await ann.waitFor('items.created', named('barrier'));
    expect(
      ann.log.filter(
        (e) => e.event === 'items.deleted' && (e.data as LooseJson).id === String(row.id),
      ),
    ).toHaveLength(1);
    expect(
      ann.log.filter(
        (e) => e.event === 'items.updated' && (e.data as LooseJson).id === String(row.id),
      ),
    ).toHaveLength(0);
    await api(server.url, 'DELETE', `/1/objects/items/${barrier.id}`, as('ada'));
  });
});

describe('a pre-defined filter that does not compile', () => {
  it('lets the server start, logs it, and answers 500 naming it instead of any row', async () => {
    const log: string[] = [];
    const broken = await startTestServer(
      {
        appName: 'broken',
        anonymousToken: 'anon',
        objects: {
          things: {
            fields: { name: 'string' },
            predefinedFilter: "name = CONCAT_WS('x', {{sys::username}}",
          },
          other: { fields: { name: 'string' }, predefinedFilter: { nope: '{{sys::username}}' } },
        },
      },
      { logLevel: 'warn', logStream: { write: (line: string) => void log.push(line) } },
    );
    try {
      expect(log.join('\n')).toMatch(/objects\.things\.predefinedFilter does not compile/);
      expect(log.join('\n')).toMatch(
        /objects\.other\.predefinedFilter does not compile.*Unknown field .{0,3}nope/,
      );
      for (const object of ['things', 'other']) {
        const res = await api(broken.url, 'GET', `/1/objects/${object}`, { anonymous: 'anon' });
        expect(res.status).toBe(500);
        expect(res.body.Message).toMatch(new RegExp(`objects\\.${object}\\.predefinedFilter`));
      }
    } finally {
      await broken.close();
    }
  });
});
