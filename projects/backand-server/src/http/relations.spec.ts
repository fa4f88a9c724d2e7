import type { AppDefinitionInput } from '../app-definition/schema';
import { MAX_EMBEDDED_ROWS } from '../objects/related-rows';
import type { RunningServer } from '../server-options';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { api, qs, type Auth, type LooseJson } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const APP = 'rel';
const ANON: Auth = { anonymous: 'rel-anon' };

/**
 * users 1—* items (cascade) 1—* notes (restrict) and 1—* audits (cascade, admins only).
 * items are read by every role, notes only by their writer ("own"), users by themselves.
 */
const relApp: AppDefinitionInput = {
  appName: APP,
  anonymousToken: 'rel-anon',
  users: [
    { username: 'ada@rel.test', password: 'ada-password', role: 'Admin' },
    { username: 'ann@rel.test', password: 'ann-password', role: 'User' },
    { username: 'bob@rel.test', password: 'bob-password', role: 'User' },
  ],
  objects: {
    users: {
      // Backand's own model syntax for a collection.
      fields: { items: { collection: 'items', via: 'owner' } },
      realtime: true,
    },
    items: {
      fields: {
        name: { type: 'string', required: true },
        author: 'string',
        owner: { type: 'object', object: 'users', onDelete: 'cascade' },
        notes: { type: 'collection', object: 'notes', via: 'item' },
        audits: { type: 'collection', object: 'audits', via: 'item' },
      },
      ownerField: 'author',
      realtime: true,
      permissions: {
        Admin: 'crud',
        User: { create: 'all', read: 'all', update: 'own', delete: 'own' },
        '*': { read: 'all' },
      },
      actions: [
        {
          name: 'barrier',
          trigger: 'onDemand',
          code: "function backandCallback(i, r, p) { socket.emitAll('barrier', p.tag); }",
        },
      ],
    },
    notes: {
      // Backand's model syntax for a many-to-one field; the default rule is restrict.
      fields: { text: 'string', writer: 'string', item: { object: 'items' } },
      ownerField: 'writer',
      realtime: true,
      permissions: { Admin: 'crud', User: { create: 'all', read: 'own', delete: 'own' } },
    },
    audits: {
      fields: { what: 'string', item: { type: 'object', object: 'items', onDelete: 'cascade' } },
      realtime: true,
      permissions: { Admin: 'crud' },
    },
  },
};

describe('relations (object and collection fields)', () => {
  let server: RunningServer;
  let ada: Auth;
  let ann: Auth;
  let bob: Auth;
  const ids: Record<string, number> = {};

  const get = (path: string, auth: Auth = ada) => api(server.url, 'GET', path, auth);
  const post = (path: string, body: unknown, auth: Auth = ada) =>
    api(server.url, 'POST', path, auth, body);
  const create = async (object: string, body: unknown, auth: Auth = ada): Promise<number> => {
    const res = await post(`/1/objects/${object}?returnObject=true`, body, auth);
    expect(res.status).toBe(200);
    return res.body.id as number;
  };
  const del = (path: string, auth: Auth = ada) => api(server.url, 'DELETE', path, auth);

  beforeAll(async () => {
    server = await startTestServer(relApp);
    const tokens = await Promise.all(
      ['ada', 'ann', 'bob'].map((u) => signIn(server.url, `${u}@rel.test`, `${u}-password`, APP)),
    );
    [ada, ann, bob] = tokens.map((t) => ({ bearer: t.access_token }));
    for (const t of tokens) ids[t.username.split('@')[0]!] = Number(t.userId);
    ids['annItem'] = await create('items', { name: 'ann-1', owner: ids['ann'] }, ann);
    ids['bobItem'] = await create('items', { name: 'bob-1', owner: ids['bob'] }, bob);
    ids['annNote'] = await create('notes', { text: 'ann on bob-1', item: ids['bobItem'] }, ann);
    ids['bobNote'] = await create('notes', { text: 'bob on bob-1', item: ids['bobItem'] }, bob);
    ids['audit'] = await create('audits', { what: 'checked', item: ids['bobItem'] });
  });
  afterAll(() => server.close());

  describe('shapes', () => {
    it('answers a many-to-one field as the related id and a collection as null when shallow', async () => {
      const res = await get(`/1/objects/items/${ids['bobItem']}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: ids['bobItem'],
        name: 'bob-1',
        author: 'bob@rel.test',
        owner: ids['bob'],
        notes: null,
        audits: null,
        __metadata: expect.objectContaining({ id: String(ids['bobItem']) }),
      });
      // Relations are described in Backand's metadata shape.
      expect(res.body.__metadata.fields).toMatchObject({
        owner: { object: 'users' },
        notes: { collection: 'notes', via: 'item' },
      });
    });

    it('embeds the related row and the collections with deep=true', async () => {
      const res = await get(`/1/objects/items/${ids['bobItem']}?deep=true&exclude=metadata`);
      expect(res.status).toBe(200);
      const body = res.body as LooseJson;
      expect(body.owner).toMatchObject({ id: ids['bob'], email: 'bob@rel.test' });
      expect(body.owner.__metadata).toBeUndefined();
      expect(body.notes.map((n: LooseJson) => n.text)).toEqual(['ann on bob-1', 'bob on bob-1']);
      expect(body.audits).toEqual([
        {
          id: ids['audit'],
          what: 'checked',
          item: expect.objectContaining({ id: ids['bobItem'] }),
        },
      ]);
      // Level 3 (the default): the grandchildren are embedded, their relations are not.
      expect(body.owner.items.map((i: LooseJson) => i.id)).toEqual([ids['bobItem']]);
      expect(body.owner.items[0].owner).toBe(ids['bob']);
      expect(body.owner.items[0].notes).toBeNull();
      expect(body.notes[0].item).toMatchObject({
        id: ids['bobItem'],
        owner: ids['bob'],
        notes: null,
      });
    });

    it('embeds in every row of a list, with __metadata when not excluded', async () => {
      const res = await get(`/1/objects/items${qs({ deep: true, level: 2 })}`);
      expect(res.status).toBe(200);
      const [a, b] = res.body.data as LooseJson[];
      expect(a.owner).toMatchObject({ id: ids['ann'], __metadata: { id: String(ids['ann']) } });
      expect(a.owner.items).toBeNull(); // level 2: one hop only
      expect(b.owner.id).toBe(ids['bob']);
      expect(a.notes).toEqual([]);
    });

    it('answers the relatedObjects map by object and id', async () => {
      const res = await get(`/1/objects/items${qs({ relatedObjects: true, exclude: 'metadata' })}`);
      expect(res.status).toBe(200);
      expect(res.body.data[0].owner).toBe(ids['ann']);
      expect(res.body.relatedObjects).toEqual({
        users: {
          [String(ids['ann'])]: expect.objectContaining({ id: ids['ann'], email: 'ann@rel.test' }),
          [String(ids['bob'])]: expect.objectContaining({ id: ids['bob'], email: 'bob@rel.test' }),
        },
      });
    });

    it('level=1 embeds nothing; a huge level is served at the maximum; a bad level is a 400', async () => {
      const one = await get(`/1/objects/items/${ids['bobItem']}?deep=true&level=1`);
      expect(one.body.owner).toBe(ids['bob']);
      // users → items → users → items …: a cycle, cut at level 5.
      const huge = await get(`/1/objects/users/${ids['bob']}?deep=true&level=99999999999999999999`);
      expect(huge.status).toBe(200);
      const lvl2 = huge.body.items[0];
      const lvl3 = lvl2.owner;
      const lvl4 = lvl3.items[0];
      const lvl5 = lvl4.owner;
      expect(lvl5.id).toBe(ids['bob']);
      expect(lvl5.items).toBeNull();
      expect(lvl4.notes.length).toBe(2);
      for (const level of ['0', '-1', 'x', '1.5']) {
        const bad = await get(`/1/objects/items/${ids['bobItem']}?deep=true&level=${level}`);
        expect(bad.status).toBe(400);
        expect(bad.body.Message).toMatch(/level/);
      }
    });
  });

  describe('permissions on embedded rows', () => {
    it('leaves out rows the caller may not read, and relations to objects it may not read', async () => {
      const res = await get(`/1/objects/items/${ids['bobItem']}?deep=true`, ann);
      expect(res.status).toBe(200);
      // users: a User reads only their own row.
      expect(res.body.owner).toBeNull();
      // notes: "own" — ann's note only, not bob's.
      expect(res.body.notes.map((n: LooseJson) => n.text)).toEqual(['ann on bob-1']);
      // audits: the User role may not read them at all.
      expect(res.body.audits).toBeNull();
      const direct = await get(`/1/objects/users/${ids['bob']}`, ann);
      expect(direct.status).toBe(403);
    });

    it('keeps the relatedObjects map to rows the caller may read', async () => {
      const res = await get(`/1/objects/items${qs({ relatedObjects: true })}`, ann);
      expect(Object.keys(res.body.relatedObjects.users)).toEqual([String(ids['ann'])]);
      const guest = await get(`/1/objects/items${qs({ relatedObjects: true, deep: true })}`, ANON);
      expect(guest.status).toBe(200);
      expect(guest.body.relatedObjects).toEqual({ users: {} });
      expect(guest.body.data.map((i: LooseJson) => i.owner)).toEqual(
        guest.body.data.map(() => null),
      );
      expect(guest.body.data[1].notes).toBeNull();
    });

    it('refuses a link to a row that is missing or that the caller may not read, alike', async () => {
      const missing = await post('/1/objects/items', { name: 'x', owner: 999999 }, ann);
      const hidden = await post('/1/objects/items', { name: 'x', owner: ids['bob'] }, ann);
      expect(missing.status).toBe(400);
      expect(hidden.status).toBe(400);
      expect(missing.body.field).toBe('owner');
      expect(hidden.body.Message.replace(String(ids['bob']), 'N')).toBe(
        missing.body.Message.replace('999999', 'N'),
      );
      const put = await api(server.url, 'PUT', `/1/objects/items/${ids['annItem']}`, ann, {
        owner: ids['bob'],
      });
      expect(put.status).toBe(400);
      expect((await get(`/1/objects/items/${ids['annItem']}`)).body.owner).toBe(ids['ann']);
    });

    it('accepts a related row as read with deep, and refuses writes to a collection', async () => {
      const deepRow = (await get(`/1/objects/items/${ids['annItem']}?deep=true`, ann)).body;
      const put = await api(server.url, 'PUT', `/1/objects/items/${ids['annItem']}`, ann, {
        name: 'ann-1',
        owner: deepRow.owner,
      });
      expect(put.status).toBe(200);
      const bad = await api(server.url, 'PUT', `/1/objects/items/${ids['annItem']}`, ann, {
        notes: [{ text: 'x' }],
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({
        field: 'notes',
        Message: expect.stringMatching(/collection/),
      });
      const id = await create('items', { name: 'by-object', owner: { id: ids['ann'] } }, ann);
      expect((await get(`/1/objects/items/${id}`)).body.owner).toBe(ids['ann']);
      await del(`/1/objects/items/${id}`);
    });
  });

  describe('a collection of one row (lazy load)', () => {
    it('lists the collection with the list parameters and the permissions of its object', async () => {
      const all = await get(`/1/objects/items/${ids['bobItem']}/notes?exclude=metadata`);
      expect(all.status).toBe(200);
      expect(all.body.data.map((n: LooseJson) => n.text)).toEqual(['ann on bob-1', 'bob on bob-1']);
      const own = await get(`/1/objects/items/${ids['bobItem']}/notes`, ann);
      expect(own.body).toMatchObject({ totalRows: 1, data: [{ text: 'ann on bob-1' }] });
      expect((await get(`/1/objects/items/${ids['bobItem']}/audits`, ann)).status).toBe(403);
      expect((await get(`/1/objects/users/${ids['bob']}/items`, ann)).status).toBe(403);
      expect((await get(`/1/objects/items/${ids['bobItem']}/name`)).status).toBe(404);
      expect((await get(`/1/objects/items/999999/notes`)).status).toBe(404);
    });
  });

  describe('filters', () => {
    it('filters on a related id with equals and in; a collection cannot be filtered', async () => {
      const eq = await get(
        `/1/objects/items${qs({ filter: [{ fieldName: 'owner', operator: 'equals', value: ids['bob'] }] })}`,
      );
      expect(eq.body.data.map((i: LooseJson) => i.name)).toEqual(['bob-1']);
      const inList = await get(
        `/1/objects/notes${qs({ filter: { fieldName: 'item', operator: 'in', value: String(ids['bobItem']) } })}`,
      );
      expect(inList.body.totalRows).toBe(2);
      const coll = await get(
        `/1/objects/users${qs({ filter: [{ fieldName: 'items', operator: 'equals', value: 1 }] })}`,
      );
      expect(coll.status).toBe(400);
      expect(coll.body.Message).toMatch(/collection/);
    });
  });

  describe('delete rules', () => {
    it('restrict: 409 with a clear message and nothing deleted', async () => {
      const res = await del(`/1/objects/items/${ids['bobItem']}`, bob);
      expect(res.status).toBe(409);
      expect(res.body.Message).toMatch(/"notes".*"item".*restrict/);
      expect((await get(`/1/objects/items/${ids['bobItem']}`)).status).toBe(200);
      expect((await get(`/1/objects/audits/${ids['audit']}`)).status).toBe(200);
    });

    it('cascade: the children go in the same transaction; each deleted event reaches its own audience', async () => {
      const user = await create('users', { email: 'cara@rel.test', firstName: 'Cara' });
      const item = await create('items', { name: 'cara-1', owner: user });
      const audit = await create('audits', { what: 'a', item });
      const [admin, bobSocket] = await Promise.all([
        SocketProbe.open(server.url),
        SocketProbe.open(server.url),
      ]);
      try {
        expect(await admin.login(`Bearer ${(ada as { bearer: string }).bearer}`, null, APP)).toBe(
          'authorized',
        );
        expect(
          await bobSocket.login(`Bearer ${(bob as { bearer: string }).bearer}`, null, APP),
        ).toBe('authorized');
        const res = await del(`/1/objects/users/${user}`);
        expect(res.status).toBe(200);
        expect((await get(`/1/objects/items/${item}`)).status).toBe(404);
        expect((await get(`/1/objects/audits/${audit}`)).status).toBe(404);

        await admin.waitFor('items.deleted', (d) => (d as LooseJson).id === String(item));
        await admin.waitFor('audits.deleted', (d) => (d as LooseJson).id === String(audit));
        await bobSocket.waitFor('items.deleted', (d) => (d as LooseJson).id === String(item));
        const tag = `b-${Date.now()}`;
        expect(
          (
            await get(
              `/1/objects/action/items?name=barrier&parameters=${encodeURIComponent(JSON.stringify({ tag }))}`,
            )
          ).status,
        ).toBe(200);
        const barrier = await bobSocket.waitIndex((e) => e.event === 'barrier' && e.data === tag);
        // bob may read items but not audits or cara's user row.
        expect(bobSocket.names(0).slice(0, barrier)).not.toContain('audits.deleted');
        expect(bobSocket.names(0).slice(0, barrier)).not.toContain('users.deleted');
      } finally {
        admin.close();
        bobSocket.close();
      }
    });

    it('restrict anywhere below a cascade holds the whole delete back', async () => {
      // bob → bob-1 (cascade) → notes (restrict): deleting bob is refused, nothing goes.
      const res = await del(`/1/objects/users/${ids['bob']}`);
      expect(res.status).toBe(409);
      expect((await get(`/1/objects/users/${ids['bob']}`)).status).toBe(200);
      expect((await get(`/1/objects/items/${ids['bobItem']}`)).status).toBe(200);
    });
  });

  describe('bad definitions', () => {
    const objects = (extra: Record<string, unknown>) => ({
      appName: 'bad',
      objects: { items: { fields: { name: 'string' } }, ...extra },
    });
    it.each([
      [
        { a: { fields: { x: { type: 'object', object: 'nope' } } } },
        'objects.a.fields.x.object',
        /names no object: "nope"/,
      ],
      [
        { a: { fields: { x: { type: 'collection', object: 'items', via: 'missing' } } } },
        'objects.a.fields.x.via',
        /"missing" is not a field of "items"/,
      ],
      [
        { a: { fields: { x: { collection: 'items', via: 'name' } } } },
        'objects.a.fields.x.via',
        /must be \{ "type": "object", "object": "a" \}/,
      ],
      [
        { a: { fields: { x: { type: 'object', object: 'items', onDelete: 'explode' } } } },
        'objects.a.fields.x',
        /onDelete|restrict/,
      ],
      [
        {
          a: {
            fields: { x: { type: 'collection', object: 'items', collection: 'items', via: 'y' } },
          },
        },
        'objects.a.fields.x',
        /./,
      ],
    ])('stops the start with a problem naming the field (%#)', async (extra, at, message) => {
      const err = (await startTestServer(objects(extra) as AppDefinitionInput).then(
        (s) => s.close().then(() => undefined),
        (e: unknown) => e,
      )) as { problems?: Array<{ path: string; message: string }> } | undefined;
      expect(err?.problems).toBeDefined();
      const problem = err!.problems!.find((p) => p.path === at);
      expect(problem?.message).toMatch(message);
    });
  });

  describe('realtime', () => {
    it('events carry the flat row', async () => {
      const probe = await SocketProbe.open(server.url);
      try {
        expect(await probe.login(`Bearer ${(ann as { bearer: string }).bearer}`, null, APP)).toBe(
          'authorized',
        );
        const id = await create('items', { name: 'flat', owner: ids['ann'] }, ann);
        const event = await probe.waitFor(
          'items.created',
          (d) => (d as LooseJson).id === String(id),
        );
        expect((event.data as LooseJson).row).toMatchObject({ owner: ids['ann'], notes: null });
      } finally {
        probe.close();
      }
    });
  });

  describe('bounds', () => {
    it(`refuses a deep answer of more than ${MAX_EMBEDDED_ROWS} related rows with a 400`, async () => {
      const user = await create('users', { email: 'many@rel.test' });
      for (let start = 0; start <= MAX_EMBEDDED_ROWS; start += 1000) {
        const n = Math.min(1000, MAX_EMBEDDED_ROWS + 1 - start);
        const bulk = await post(
          '/1/bulk',
          Array.from({ length: n }, (_, i) => ({
            method: 'POST',
            url: `${server.url}/1/objects/items`,
            data: { name: `m-${start + i}`, owner: user },
          })),
        );
        expect(bulk.status).toBe(200);
        expect(bulk.body.every((r: LooseJson) => r.status === 200)).toBe(true);
      }
      const res = await get(`/1/objects/users/${user}?deep=true&level=2`);
      expect(res.status).toBe(400);
      expect(res.body.Message).toMatch(/level|pageSize/);
      // The shallow row and a filtered list still work.
      expect((await get(`/1/objects/users/${user}`)).status).toBe(200);
      const page = await get(
        `/1/objects/items${qs({ filter: [{ fieldName: 'owner', operator: 'equals', value: user }], pageSize: 5 })}`,
      );
      expect(page.body.totalRows).toBe(MAX_EMBEDDED_ROWS + 1);
    });
  });
});
