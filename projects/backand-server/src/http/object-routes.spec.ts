import type { RunningServer } from '../server-options';
import { api, qs, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const ANON: Auth = { anonymous: 'demo-anonymous-token' };

describe('objects REST (docs/PROTOCOL.md §5) on the demo app', () => {
  let server: RunningServer;
  let ada: Auth;
  let ann: Auth;
  let bob: Auth;
  let rita: Auth;

  beforeAll(async () => {
    server = await startTestServer();
    const tokens = await Promise.all(
      ['ada', 'ann', 'bob', 'rita'].map((u) =>
        signIn(server.url, `${u}@demo.test`, `${u}-password`),
      ),
    );
    [ada, ann, bob, rita] = tokens.map((t) => ({ bearer: t.access_token }));
  });
  afterAll(() => server.close());

  const get = (path: string, auth: Auth = ada) => api(server.url, 'GET', path, auth);
  const post = (path: string, body: unknown, auth: Auth = ada) =>
    api(server.url, 'POST', path, auth, body);

  describe('create, read, update, delete', () => {
    it('creates with 200 {__metadata:{id}} and returns the typed row with returnObject=true', async () => {
      const created = await post('/1/objects/items', { name: 'crud-1' }, ann);
      expect(created.status).toBe(200);
      expect(created.body).toEqual({ __metadata: { id: expect.stringMatching(/^\d+$/) } });

      const full = await post(
        '/1/objects/items?returnObject=true',
        {
          name: 'crud-2',
          description: 'long text',
          done: true,
          price: 2.5,
          qty: '7',
          createdAt: '2024-01-02T03:04:05Z',
          meta: { tags: ['a'], n: 1 },
        },
        ann,
      );
      expect(full.status).toBe(200);
      expect(full.body).toEqual({
        id: expect.any(Number),
        name: 'crud-2',
        description: 'long text',
        owner: 'ann@demo.test',
        done: true,
        price: 2.5,
        qty: 7,
        createdAt: '2024-01-02T03:04:05.000Z',
        meta: { tags: ['a'], n: 1 },
        __metadata: {
          id: String(full.body.id),
          fields: expect.objectContaining({
            id: { type: 'int', unique: true },
            name: { type: 'string', required: true },
            createdAt: { type: 'datetime' },
          }),
          descriptives: {},
          dates: { createdAt: '2024-01-02 03:04:05Z' },
        },
      });
      const one = await get(`/1/objects/items/${full.body.id}`, ann);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(full.body);
    });

    it('updates with 200 {} (or the row with returnObject) and deletes with 200 {__metadata}', async () => {
      const { body } = await post(
        '/1/objects/items?returnObject=true',
        { name: 'crud-3', qty: 1 },
        ann,
      );
      const put = await api(server.url, 'PUT', `/1/objects/items/${body.id}`, ann, { qty: 2 });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({});
      const put2 = await api(
        server.url,
        'PUT',
        `/1/objects/items/${body.id}?returnObject=true`,
        ann,
        {
          description: 'changed',
        },
      );
      expect(put2.body).toMatchObject({
        id: body.id,
        name: 'crud-3',
        qty: 2,
        description: 'changed',
      });
      const del = await api(server.url, 'DELETE', `/1/objects/items/${body.id}`, ann);
      expect(del.status).toBe(200);
      expect(del.body).toEqual({ __metadata: { id: String(body.id) } });
      const gone = await get(`/1/objects/items/${body.id}`, ann);
      expect(gone.status).toBe(404);
      expect(gone.body.Message).toMatch(/No row/);
      expect(
        (await api(server.url, 'PUT', `/1/objects/items/${body.id}`, ann, { qty: 1 })).status,
      ).toBe(404);
      expect((await api(server.url, 'DELETE', `/1/objects/items/${body.id}`, ann)).status).toBe(
        404,
      );
    });

    it('answers 404 for an unknown object on every route', async () => {
      for (const [method, path] of [
        ['GET', '/1/objects/nope'],
        ['GET', '/1/objects/nope/1'],
        ['POST', '/1/objects/nope'],
        ['PUT', '/1/objects/nope/1'],
        ['DELETE', '/1/objects/nope/1'],
      ] as const) {
        const res = await api(
          server.url,
          method,
          path,
          ada,
          method === 'GET' || method === 'DELETE' ? undefined : { a: 1 },
        );
        expect(res.status).toBe(404);
        expect(res.body.Message).toMatch(/Unknown object "nope"/);
      }
    });
  });

  describe('list parameters', () => {
    // Rows only this block reads: metrics (no owner), named with a prefix.
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    beforeAll(async () => {
      for (const [i, name] of names.entries()) {
        const res = await post('/1/objects/metrics', {
          name: `m-${name}`,
          value: i + 1,
          at: i === 4 ? null : `2024-01-0${i + 1}T00:00:00Z`,
        });
        expect(res.status).toBe(200);
      }
    });
    const listNames = async (params: Record<string, unknown>, auth: Auth = ada) => {
      const res = await get(`/1/objects/metrics${qs({ pageSize: 100, ...params })}`, auth);
      expect(res.status).toBe(200);
      return (res.body.data as Array<{ name: string }>).map((r) => r.name.replace(/^m-/, ''));
    };
    const byFilter = (fieldName: string, operator: string, value?: unknown) =>
      listNames({
        filter: [
          { fieldName: 'name', operator: 'startsWith', value: 'm-' },
          { fieldName, operator, value },
        ],
      });

    it.each([
      ['value', 'equals', 3, ['gamma']],
      ['value', 'notEquals', 3, ['alpha', 'beta', 'delta', 'epsilon']],
      ['value', 'greaterThan', 3, ['delta', 'epsilon']],
      ['value', 'greaterThanOrEqualsTo', 3, ['gamma', 'delta', 'epsilon']],
      ['value', 'lessThan', 3, ['alpha', 'beta']],
      ['value', 'lessThanOrEqualsTo', 3, ['alpha', 'beta', 'gamma']],
      ['at', 'empty', undefined, ['epsilon']],
      ['at', 'notEmpty', undefined, ['alpha', 'beta', 'gamma', 'delta']],
      ['name', 'startsWith', 'm-ga', ['gamma']],
      ['name', 'endsWith', 'ta', ['beta', 'delta']],
      ['name', 'contains', 'lt', ['delta']],
      ['name', 'notContains', 'a', ['epsilon']],
      ['value', 'in', [1, 5], ['alpha', 'epsilon']],
      ['name', 'in', 'm-beta,m-delta', ['beta', 'delta']],
      ['at', 'greaterThan', '2024-01-03T00:00:00Z', ['delta']],
    ])('filter %s %s %j', async (field, operator, value, expected) => {
      expect(await byFilter(field, operator, value)).toEqual(expected);
    });

    it('accepts a single filter object instead of an array', async () => {
      expect(
        await listNames({ filter: { fieldName: 'value', operator: 'equals', value: 2 } }),
      ).toEqual(['beta']);
    });

    it('sorts by one or more fields, ascending or descending', async () => {
      const prefix = { filter: [{ fieldName: 'name', operator: 'startsWith', value: 'm-' }] };
      expect(await listNames({ ...prefix, sort: [{ fieldName: 'value', order: 'desc' }] })).toEqual(
        ['epsilon', 'delta', 'gamma', 'beta', 'alpha'],
      );
      expect(await listNames({ ...prefix, sort: [{ fieldName: 'name', order: 'asc' }] })).toEqual([
        'alpha',
        'beta',
        'delta',
        'epsilon',
        'gamma',
      ]);
    });

    it('searches the text fields', async () => {
      expect(await listNames({ search: 'silo' })).toEqual(['epsilon']);
      expect(await listNames({ search: 'no-such-text' })).toEqual([]);
    });

    it('pages with pageSize and pageNumber and counts totalRows over all pages', async () => {
      const prefix = { filter: [{ fieldName: 'name', operator: 'startsWith', value: 'm-' }] };
      const page = await get(`/1/objects/metrics${qs({ ...prefix, pageSize: 2, pageNumber: 2 })}`);
      expect(page.body.totalRows).toBe(5);
      expect(page.body.data.map((r: { name: string }) => r.name)).toEqual(['m-gamma', 'm-delta']);
      const last = await get(`/1/objects/metrics${qs({ ...prefix, pageSize: 2, pageNumber: 3 })}`);
      expect(last.body.data.map((r: { name: string }) => r.name)).toEqual(['m-epsilon']);
      const beyond = await get(
        `/1/objects/metrics${qs({ ...prefix, pageSize: 2, pageNumber: 9 })}`,
      );
      expect(beyond.body).toEqual({ totalRows: 5, data: [] });
    });

    it('uses 20 rows per page by default and at most 200', async () => {
      const many = Array.from({ length: 201 }, (_, i) => ({
        method: 'POST',
        url: '/1/objects/metrics',
        data: { name: `bulk-${i}`, value: i },
      }));
      const bulk = await post('/1/bulk', many);
      expect(bulk.status).toBe(200);
      const byDefault = await get('/1/objects/metrics');
      expect(byDefault.body.data).toHaveLength(20);
      const capped = await get('/1/objects/metrics?pageSize=1000');
      expect(capped.body.data).toHaveLength(200);
      expect(capped.body.totalRows).toBeGreaterThan(200);
    });

    it('excludes metadata and totalRows on request', async () => {
      const res = await get(
        `/1/objects/metrics${qs({ pageSize: 1, exclude: 'metadata,totalRows' })}`,
      );
      expect(res.body).toEqual({
        data: [expect.not.objectContaining({ __metadata: expect.anything() })],
      });
      const meta = await get(`/1/objects/metrics${qs({ pageSize: 1, exclude: 'metadata' })}`);
      expect(meta.body.totalRows).toEqual(expect.any(Number));
      expect(meta.body.data[0].__metadata).toBeUndefined();
      const one = await get(`/1/objects/metrics/${meta.body.data[0].id}?exclude=metadata`);
      expect(one.body.__metadata).toBeUndefined();
      expect(one.body.id).toBe(meta.body.data[0].id);
    });
  });

  describe('permissions and own rows', () => {
    it('fills the owner field with the creator and ignores a non-admin’s choice', async () => {
      const res = await post(
        '/1/objects/items?returnObject=true',
        { name: 'mine', owner: 'bob@demo.test' },
        ann,
      );
      expect(res.status).toBe(200);
      expect(res.body.owner).toBe('ann@demo.test');
      const byAdmin = await post(
        '/1/objects/items?returnObject=true',
        { name: 'given', owner: 'bob@demo.test' },
        ada,
      );
      expect(byAdmin.body.owner).toBe('bob@demo.test');
    });

    it('lets a user update and delete only own items (403 otherwise) and never move ownership', async () => {
      const { body: annItem } = await post(
        '/1/objects/items?returnObject=true',
        { name: 'ann-own' },
        ann,
      );
      const bobPut = await api(server.url, 'PUT', `/1/objects/items/${annItem.id}`, bob, {
        name: 'hijack',
      });
      expect(bobPut.status).toBe(403);
      const bobDel = await api(server.url, 'DELETE', `/1/objects/items/${annItem.id}`, bob);
      expect(bobDel.status).toBe(403);
      const give = await api(server.url, 'PUT', `/1/objects/items/${annItem.id}`, ann, {
        owner: 'bob@demo.test',
      });
      expect(give.status).toBe(403);
      expect(give.body.Message).toMatch(/owner/);
      const row = await get(`/1/objects/items/${annItem.id}`, ann);
      expect(row.body).toMatchObject({ name: 'ann-own', owner: 'ann@demo.test' });
      const adminMove = await api(
        server.url,
        'PUT',
        `/1/objects/items/${annItem.id}?returnObject=true`,
        ada,
        {
          owner: 'bob@demo.test',
        },
      );
      expect(adminMove.body.owner).toBe('bob@demo.test');
    });

    it('refuses writes to read-only roles and guests with 403', async () => {
      expect((await post('/1/objects/items', { name: 'x' }, rita)).status).toBe(403);
      expect((await post('/1/objects/items', { name: 'x' }, ANON)).status).toBe(403);
      expect((await get('/1/objects/items', ANON)).status).toBe(200);
      expect((await get('/1/objects/notes', ANON)).status).toBe(403);
    });

    it('shows a user only own notes (list, get, totalRows), admins and read-all roles every note', async () => {
      const { body: annNote } = await post(
        '/1/objects/notes?returnObject=true',
        { text: 'ann note' },
        ann,
      );
      const { body: bobNote } = await post(
        '/1/objects/notes?returnObject=true',
        { text: 'bob note' },
        bob,
      );
      const annList = await get('/1/objects/notes', ann);
      expect(annList.body.data.map((n: { text: string }) => n.text)).toEqual(['ann note']);
      expect(annList.body.totalRows).toBe(1);
      expect((await get(`/1/objects/notes/${bobNote.id}`, ann)).status).toBe(403);
      expect((await get(`/1/objects/notes/${annNote.id}`, ann)).status).toBe(200);
      const filtered = await get(
        `/1/objects/notes${qs({ filter: [{ fieldName: 'owner', operator: 'equals', value: 'bob@demo.test' }] })}`,
        ann,
      );
      expect(filtered.body.data).toEqual([]);
      for (const auth of [ada, rita]) {
        const all = await get('/1/objects/notes', auth);
        expect(all.body.data.map((n: { text: string }) => n.text).sort()).toEqual([
          'ann note',
          'bob note',
        ]);
      }
    });

    it('has a built-in users object: each user reads only own row, only admins change roles', async () => {
      const annUsers = await get('/1/objects/users', ann);
      expect(annUsers.body.data).toEqual([
        expect.objectContaining({
          email: 'ann@demo.test',
          firstName: 'Ann',
          lastName: 'Lee',
          role: 'User',
        }),
      ]);
      const annId = annUsers.body.data[0].id;
      expect(
        (await api(server.url, 'PUT', `/1/objects/users/${annId}`, ann, { role: 'Admin' })).status,
      ).toBe(403);
      expect((await get('/1/objects/users', ada)).body.totalRows).toBeGreaterThanOrEqual(4);
      expect((await get('/1/objects/users', ANON)).body.data).toEqual([]);
    });
  });
});
