import { io, type Socket } from 'socket.io-client';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, qs, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const fn = (body: string) =>
  `function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;

const actApp: AppDefinitionInput = {
  appName: 'actapp',
  actionTimeoutMs: 500,
  anonymousToken: 'act-anon',
  users: [
    { username: 'boss@act.test', password: 'boss-password', role: 'Admin' },
    { username: 'uma@act.test', password: 'uma-password', role: 'User' },
    { username: 'vic@act.test', password: 'vic-password', role: 'User' },
  ],
  objects: {
    orders: {
      fields: {
        item: { type: 'string', required: true },
        qty: 'int',
        owner: 'string',
        note: 'string',
      },
      ownerField: 'owner',
      realtime: true,
      permissions: {
        Admin: 'crud',
        User: { create: 'all', read: 'own', update: 'own', delete: 'own' },
        Public: { read: 'all' },
      },
      actions: [
        {
          name: 'checkQty',
          trigger: 'beforeCreate',
          code: fn(
            "if (userInput.qty > 100) throw new Error('qty too large'); userInput.note = 'checked by ' + userProfile.username;",
          ),
        },
        {
          name: 'announce',
          trigger: 'afterCreate',
          code: fn("socket.emitAll('order_created', { item: dbRow.item });"),
        },
        {
          name: 'keepLocked',
          trigger: 'beforeDelete',
          code: fn("if (dbRow.item === 'locked') throw new Error('locked rows stay');"),
        },
        {
          name: 'failOnBoom',
          trigger: 'afterUpdate',
          code: fn(
            "socket.emitAll('order_updated', userInput); if (userInput.item === 'boom') throw 'after update failed';",
          ),
        },
        {
          name: 'echo',
          trigger: 'onDemand',
          code: fn(
            'return { userInput: userInput, dbRow: dbRow, parameters: parameters, username: userProfile.username, role: userProfile.role, method: userProfile.request.method };',
          ),
        },
        { name: 'fail', trigger: 'onDemand', code: fn("throw new Error('failed on purpose');") },
        { name: 'spin', trigger: 'onDemand', code: fn('while (true) {}') },
        { name: 'adminOnly', trigger: 'onDemand', roles: ['Admin'], code: fn('return 42;') },
        {
          name: 'later',
          trigger: 'onDemand',
          code: fn('return Promise.resolve({ later: true });'),
        },
        { name: 'text', trigger: 'onDemand', code: fn("return 'plain text';") },
        { name: 'nothing', trigger: 'onDemand', code: fn('') },
      ],
    },
    secrets: {
      fields: { value: 'string' },
      permissions: { Admin: 'crud' },
      actions: [{ name: 'peek', trigger: 'onDemand', code: fn('return 1;') }],
    },
  },
  queries: {
    myOrders: {
      sql: 'SELECT item, qty FROM orders WHERE owner = :username ORDER BY id',
      roles: ['User'],
    },
    byItem: {
      sql: 'SELECT id, item FROM orders WHERE item = :item ORDER BY id',
      roles: ['User', 'Public'],
    },
    countAll: { sql: 'SELECT COUNT(*) AS n FROM orders' },
    whoami: { sql: 'SELECT :username AS username, :role AS role', roles: ['User'] },
  },
  functions: [
    {
      name: 'hello',
      code: fn(
        "return { hello: parameters.name || userInput.name || 'nobody', by: userProfile.username };",
      ),
    },
    {
      name: 'shout',
      roles: ['Admin'],
      code: fn(
        "socket.emitAll('shout', '{\"loud\":true}'); socket.emitAll('whisper', 'just {text'); return 'ok';",
      ),
    },
  ],
};

describe('actions, queries, functions and bulk (docs/PROTOCOL.md §6, §8)', () => {
  let server: RunningServer;
  let boss: Auth;
  let uma: Auth;
  let vic: Auth;
  let socket: Socket;
  const events: Array<[string, unknown]> = [];
  const ANON: Auth = { anonymous: 'act-anon' };

  beforeAll(async () => {
    server = await startTestServer(actApp);
    const [b, u, v] = await Promise.all([
      signIn(server.url, 'boss@act.test', 'boss-password', 'actapp'),
      signIn(server.url, 'uma@act.test', 'uma-password', 'actapp'),
      signIn(server.url, 'vic@act.test', 'vic-password', 'actapp'),
    ]);
    boss = { bearer: b.access_token };
    uma = { bearer: u.access_token };
    vic = { bearer: v.access_token };
    socket = io(server.url, { transports: ['websocket'] });
    socket.onAny((event: string, data: unknown) => events.push([event, data]));
    socket.on('connect', () => socket.emit('login', `Bearer ${b.access_token}`, null, 'actapp'));
    await new Promise((resolve) => socket.once('authorized', resolve));
  });
  afterAll(async () => {
    socket.close();
    await server.close();
  });

  /** Resolves with the first event named `name` that arrives from now on. */
  const nextEvent = (name: string) => new Promise<unknown>((resolve) => socket.once(name, resolve));
  const call = (method: string, path: string, auth: Auth, body?: unknown) =>
    api(server.url, method, path, auth, body);

  describe('triggers', () => {
    it('lets a before* action change the input and an after* action emit after the commit', async () => {
      const announced = nextEvent('order_created');
      const res = await call('POST', '/1/objects/orders?returnObject=true', uma, {
        item: 'pen',
        qty: 2,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        item: 'pen',
        qty: 2,
        owner: 'uma@act.test',
        note: 'checked by uma@act.test',
      });
      expect(await announced).toEqual({ item: 'pen' });
    });

    it('cancels the write when a before* action throws: 417 with its message, no row, no event', async () => {
      events.length = 0;
      const res = await call('POST', '/1/objects/orders', uma, { item: 'crate', qty: 500 });
      expect(res.status).toBe(417);
      expect(res.body.Message).toBe('qty too large');
      const list = await call(
        'GET',
        `/1/objects/orders${qs({ filter: [{ fieldName: 'item', operator: 'equals', value: 'crate' }] })}`,
        boss,
      );
      expect(list.body.totalRows).toBe(0);
      // Barrier: the next successful create's events are the first ones the socket sees.
      const barrier = nextEvent('order_created');
      await call('POST', '/1/objects/orders', uma, { item: 'barrier-1', qty: 1 });
      await barrier;
      expect(events.map(([name]) => name)).toEqual(['orders.created', 'order_created']);
    });

    it('keeps the update when an after* action throws, and emits nothing of that action', async () => {
      const { body: row } = await call('POST', '/1/objects/orders?returnObject=true', uma, {
        item: 'cup',
        qty: 1,
      });
      events.length = 0;
      // "After" actions run once the write is done (Backand's semantics): it stands.
      const res = await call('PUT', `/1/objects/orders/${row.id}?returnObject=true`, uma, {
        item: 'boom',
      });
      expect(res.status).toBe(200);
      expect(res.body.item).toBe('boom');
      expect((await call('GET', `/1/objects/orders/${row.id}`, uma)).body.item).toBe('boom');
      const barrier = nextEvent('order_updated');
      await call('PUT', `/1/objects/orders/${row.id}`, uma, { item: 'mug' });
      expect(await barrier).toEqual({ item: 'mug' });
      expect(events.map(([name]) => name)).toEqual([
        'orders.updated',
        'orders.updated',
        'order_updated',
      ]);
    });

    it('keeps a row whose beforeDelete action throws', async () => {
      const { body: row } = await call('POST', '/1/objects/orders?returnObject=true', uma, {
        item: 'locked',
      });
      const res = await call('DELETE', `/1/objects/orders/${row.id}`, uma);
      expect(res.status).toBe(417);
      expect(res.body.Message).toBe('locked rows stay');
      expect((await call('GET', `/1/objects/orders/${row.id}`, uma)).status).toBe(200);
    });
  });

  describe('on-demand actions', () => {
    it('runs by GET with parameters and by POST with the body in parameters; userInput is null', async () => {
      const get = await call(
        'GET',
        `/1/objects/action/orders${qs({ name: 'echo', parameters: { a: 1 } })}`,
        uma,
      );
      expect(get.status).toBe(200);
      expect(get.body).toEqual({
        userInput: null,
        dbRow: null,
        parameters: { a: 1 },
        username: 'uma@act.test',
        role: 'User',
        method: 'GET',
      });
      const post = await call(
        'POST',
        `/1/objects/action/orders${qs({ name: 'echo', parameters: { b: 'x+y' } })}`,
        uma,
        { hello: 'there' },
      );
      expect(post.body).toEqual({
        userInput: null,
        dbRow: null,
        parameters: { hello: 'there', b: 'x+y' },
        username: 'uma@act.test',
        role: 'User',
        method: 'POST',
      });
    });

    it('hands the row as dbRow when called with an id, if the caller may read it', async () => {
      const { body: row } = await call('POST', '/1/objects/orders?returnObject=true', uma, {
        item: 'lamp',
      });
      const own = await call('GET', `/1/objects/action/orders/${row.id}?name=echo`, uma);
      expect(own.body.dbRow).toMatchObject({ id: row.id, item: 'lamp', owner: 'uma@act.test' });
      expect((await call('GET', `/1/objects/action/orders/${row.id}?name=echo`, vic)).status).toBe(
        403,
      );
      expect((await call('GET', '/1/objects/action/orders/999999?name=echo', uma)).status).toBe(
        404,
      );
    });

    it('answers 417 with the message of a throwing action and of one that runs too long', async () => {
      const fail = await call('GET', '/1/objects/action/orders?name=fail', uma);
      expect(fail.status).toBe(417);
      expect(fail.body.Message).toBe('failed on purpose');
      const spin = await call('GET', '/1/objects/action/orders?name=spin', uma);
      expect(spin.status).toBe(417);
      expect(spin.body.Message).toMatch(/timed out/);
      expect((await call('GET', '/1/objects/action/orders?name=echo', uma)).status).toBe(200);
    });

    it('returns awaited promises, strings and undefined as JSON', async () => {
      expect((await call('GET', '/1/objects/action/orders?name=later', uma)).body).toEqual({
        later: true,
      });
      const text = await call('GET', '/1/objects/action/orders?name=text', uma);
      expect(text.headers.get('content-type')).toMatch(/json/);
      expect(text.body).toBe('plain text');
      expect((await call('GET', '/1/objects/action/orders?name=nothing', uma)).body).toEqual({});
    });

    it('checks roles: 403 without permission, 404 for unknown actions and objects, 400 without name', async () => {
      expect((await call('GET', '/1/objects/action/orders?name=adminOnly', uma)).status).toBe(403);
      expect((await call('GET', '/1/objects/action/orders?name=adminOnly', boss)).body).toBe(42);
      expect((await call('GET', '/1/objects/action/secrets?name=peek', uma)).status).toBe(403);
      expect((await call('GET', '/1/objects/action/orders?name=nope', uma)).status).toBe(404);
      expect((await call('GET', '/1/objects/action/nope?name=echo', uma)).status).toBe(404);
      expect((await call('GET', '/1/objects/action/orders', uma)).status).toBe(400);
      expect((await call('GET', '/1/objects/action/orders?name=echo', null)).status).toBe(401);
    });
  });

  describe('named queries', () => {
    beforeAll(async () => {
      await call('POST', '/1/objects/orders', vic, { item: 'vic-thing', qty: 3 });
    });

    it('binds :username from the caller, never from parameters', async () => {
      const res = await call(
        'GET',
        `/1/query/data/myOrders${qs({ parameters: { username: 'vic@act.test' } })}`,
        uma,
      );
      expect(res.status).toBe(200);
      expect(res.body.map((r: { item: string }) => r.item)).not.toContain('vic-thing');
      expect(res.body.length).toBeGreaterThan(0);
      const who = await call('POST', '/1/query/data/whoami', vic, {
        parameters: { username: 'boss@act.test', role: 'Admin' },
      });
      expect(who.body).toEqual([{ username: 'vic@act.test', role: 'User' }]);
    });

    it('binds parameters by GET and POST; injection strings stay values', async () => {
      const get = await call(
        'GET',
        `/1/query/data/byItem${qs({ parameters: { item: 'vic-thing' } })}`,
        uma,
      );
      expect(get.body).toEqual([{ id: expect.any(Number), item: 'vic-thing' }]);
      const post = await call('POST', '/1/query/data/byItem', ANON, {
        parameters: { item: 'vic-thing' },
      });
      expect(post.body).toEqual(get.body);
      const injected = await call('POST', '/1/query/data/byItem', uma, {
        parameters: { item: "x' OR '1'='1" },
      });
      expect(injected.status).toBe(200);
      expect(injected.body).toEqual([]);
      const drop = await call('POST', '/1/query/data/byItem', uma, {
        parameters: { item: "'; DROP TABLE orders; --" },
      });
      expect(drop.body).toEqual([]);
      expect((await call('GET', '/1/query/data/countAll', boss)).body[0].n).toBeGreaterThan(0);
    });

    it('checks roles (no roles = admins only) and parameters', async () => {
      expect((await call('GET', '/1/query/data/countAll', uma)).status).toBe(403);
      expect((await call('GET', '/1/query/data/myOrders', ANON)).status).toBe(403);
      expect((await call('GET', '/1/query/data/nope', uma)).status).toBe(404);
      const missing = await call('GET', '/1/query/data/byItem', uma);
      expect(missing.status).toBe(400);
      expect(missing.body.Message).toMatch(/Missing parameter "item"/);
      const nonScalar = await call('POST', '/1/query/data/byItem', uma, {
        parameters: { item: { $gt: '' } },
      });
      expect(nonScalar.status).toBe(400);
    });
  });

  describe('functions', () => {
    it('runs /1/function/general/{name} by GET and POST', async () => {
      const get = await call(
        'GET',
        `/1/function/general/hello${qs({ parameters: { name: 'get' } })}`,
        ANON,
      );
      expect(get.status).toBe(200);
      expect(get.body).toEqual({ hello: 'get', by: null });
      const post = await call('POST', '/1/function/general/hello', uma, { name: 'post' });
      expect(post.body).toEqual({ hello: 'post', by: 'uma@act.test' });
      expect((await call('GET', '/1/function/general/nope', uma)).status).toBe(404);
    });

    it('checks a function’s roles and delivers its emits (JSON strings parsed)', async () => {
      expect((await call('POST', '/1/function/general/shout', uma)).status).toBe(403);
      const shout = nextEvent('shout');
      const whisper = nextEvent('whisper');
      const res = await call('POST', '/1/function/general/shout', boss);
      expect(res.body).toBe('ok');
      expect(await shout).toEqual({ loud: true });
      expect(await whisper).toBe('just {text');
    });
  });

  describe('bulk', () => {
    it('runs each entry with the caller’s identity (or its own, checked) and answers one {status, body} per entry', async () => {
      const { body: vicRow } = await call('POST', '/1/objects/orders?returnObject=true', vic, {
        item: 'vic-bulk',
      });
      const res = await call('POST', '/1/bulk', uma, [
        {
          method: 'POST',
          url: `${server.url}/1/objects/orders`,
          data: { item: 'bulk-a', owner: 'vic@act.test' },
        },
        { method: 'GET', url: '/1/objects/orders', parameters: { x: 1 } },
        {
          method: 'PUT',
          url: `/1/objects/orders/${vicRow.id}`,
          data: { item: 'stolen' },
          headers: { Authorization: 'Basic eDp5' },
        },
        { method: 'GET', url: '/1/objects/action/orders?name=echo', parameters: { p: 2 } },
        { method: 'POST', url: '/1/query/data/whoami', data: {} },
        {
          method: 'GET',
          url: '/1/objects/orders?qty=not-a-thing&filter=%5B%7B%22fieldName%22%3A%22nope%22%7D%5D',
        },
      ]);
      expect(res.status).toBe(200);
      expect(res.body.map((r: { status: number }) => r.status)).toEqual([
        200, 200, 401, 200, 200, 400,
      ]);
      const created = res.body[0].body.__metadata.id;
      expect((await call('GET', `/1/objects/orders/${created}`, uma)).body.owner).toBe(
        'uma@act.test',
      );
      expect(
        res.body[1].body.data.every((r: { owner: string }) => r.owner === 'uma@act.test'),
      ).toBe(true);
      expect(res.body[3].body).toMatchObject({ parameters: { p: 2 }, username: 'uma@act.test' });
      expect(res.body[4].body).toEqual([{ username: 'uma@act.test', role: 'User' }]);
      expect((await call('GET', `/1/objects/orders/${vicRow.id}`, vic)).body.item).toBe('vic-bulk');
    });

    it('refuses more than 1000 entries and malformed entries with 400', async () => {
      const tooMany = Array.from({ length: 1001 }, () => ({
        method: 'GET',
        url: '/1/objects/orders',
      }));
      const res = await call('POST', '/1/bulk', uma, tooMany);
      expect(res.status).toBe(400);
      expect(res.body.Message).toMatch(/at most 1000/);
      expect((await call('POST', '/1/bulk', uma, { method: 'GET' })).status).toBe(400);
      expect(
        (await call('POST', '/1/bulk', uma, [{ method: 'PATCH', url: '/1/objects/orders' }]))
          .status,
      ).toBe(400);
      const empty = await call('POST', '/1/bulk', uma, []);
      expect(empty).toMatchObject({ status: 200, body: [] });
    });
  });
});
