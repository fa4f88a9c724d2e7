import { io as ioClient, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type { RunningServer } from '../index';
import { startTestServer } from '../testing/test-server';

// Backand's own published Node client (@backand/nodejs-sdk → @backand/vanilla-sdk over the
// `xmlhttprequest` package) against the real server, as an app that used hosted Backand would.

const APP = 'demo';
const ANON = 'demo-anonymous-token';
const SIGNUP = 'demo-signup-token';

/** A row as the server returns it. */
interface Row {
  id: string | number;
  name?: string;
  qty?: number;
  value?: number;
  count?: number;
  __metadata?: { id: string };
}
/** What the client resolves or rejects with. */
interface BackandResponse<T = Record<string, unknown>> {
  status: number;
  data: T;
  totalRows?: number;
}
/** Event data as `backand.on` hands it over. */
type EventData = Record<string, unknown> | undefined;
/** What the client keeps in its storage under `user`. */
interface StoredUser {
  token: Record<string, string>;
  details: Record<string, unknown>;
}
/** The subset of the old client's API these tests use (it ships its own d.ts, but loosely typed). */
interface OldBackand {
  init(config: Record<string, unknown>): void;
  helpers: {
    filter: {
      create(field: string, operator: string, value: unknown): object;
      operators: { text: Record<string, string>; numeric: Record<string, string> };
    };
    sort: { create(field: string, order: string): object; orders: { asc: string; desc: string } };
    exclude: { options: { all: string; metadata: string } };
  };
  utils: {
    storage: {
      get(key: 'user'): StoredUser;
      set(key: 'user', value: StoredUser): void;
      storage: { getItem(key: string): string | null };
    };
    socket?: { disconnect(): void; socket: { connected: boolean } };
  };
  signin(username: string, password: string): Promise<BackandResponse>;
  signup(
    first: string,
    last: string,
    email: string,
    pw: string,
    confirm: string,
    params?: object,
  ): Promise<BackandResponse>;
  signout(): Promise<BackandResponse>;
  useAnonymousAuth(): Promise<BackandResponse>;
  on(event: string, cb: (data: EventData) => void): Promise<unknown>;
  user: {
    getUsername(): Promise<BackandResponse<string>>;
    getUserDetails(force?: boolean): Promise<BackandResponse>;
  };
  object: {
    getList(name: string, options?: object): Promise<BackandResponse<Row[]>>;
    getOne(name: string, id: string | number, options?: object): Promise<BackandResponse<Row>>;
    create(
      name: string,
      data: object,
      options?: object,
      parameters?: object,
    ): Promise<BackandResponse<Row>>;
    update(
      name: string,
      id: string | number,
      data: object,
      options?: object,
    ): Promise<BackandResponse>;
    remove(name: string, id: string | number): Promise<BackandResponse>;
    action: {
      get(name: string, action: string, parameters?: object): Promise<BackandResponse>;
      post(
        name: string,
        action: string,
        data?: object,
        parameters?: object,
      ): Promise<BackandResponse>;
    };
  };
  query: {
    get(name: string, parameters?: object): Promise<BackandResponse<Row[]>>;
    post(name: string, parameters?: object): Promise<BackandResponse<Row[]>>;
  };
}

/** What the old client expects as the page's `io`: socket.io-client. */
function pageIo(url: string, opts: Partial<ManagerOptions & SocketOptions>) {
  // Each SDK instance in this file stands for its own page, so it gets its own connection.
  return ioClient(url, { ...opts, forceNew: true });
}
pageIo.connect = pageIo;

/** A fresh copy of the SDK module (its state is module-global, one per page). */
function loadSdk(): OldBackand {
  let sdk: OldBackand | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sdk = require('@backand/nodejs-sdk') as OldBackand;
  });
  return sdk!;
}

/** Resolves with the first `event` the SDK's socket receives that `pred` accepts. */
function next(
  sdk: OldBackand,
  event: string,
  pred: (d: EventData) => boolean = () => true,
): Promise<EventData> {
  return new Promise<EventData>((resolve) => {
    void sdk.on(event, (data) => {
      if (pred(data)) resolve(data);
    });
  });
}

/** A Web-Storage-like store holding `entries` (what a browser's localStorage kept). */
function storeWith(entries: Record<string, string>) {
  const data = new Map<string, string>(Object.entries(entries));
  return {
    setItem: (k: string, v: string) => void data.set(k, String(v)),
    getItem: (k: string) => (data.has(k) ? data.get(k)! : null),
    removeItem: (k: string) => void data.delete(k),
    clear: () => data.clear(),
  };
}

let server: RunningServer;
let backand: OldBackand;
const pages: OldBackand[] = [];
let guestAuthorized: Promise<unknown>;

beforeAll(async () => {
  server = await startTestServer();
  const g = globalThis as Record<string, unknown>;
  g['io'] = pageIo;
  g['window'] = { io: pageIo };
  // The old client logs socket state with console.info and deprecations with console.warn.
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  backand = loadSdk();
  pages.push(backand);
  backand.init({
    appName: APP,
    anonymousToken: ANON,
    signUpToken: SIGNUP,
    apiUrl: server.url,
    socketUrl: server.url,
    runSocket: true,
    exportUtils: true,
  });
  guestAuthorized = next(backand, 'authorized');
});

afterAll(async () => {
  for (const page of pages) page.utils?.socket?.disconnect();
  await server?.close();
});

describe('@backand/nodejs-sdk against backand-server', () => {
  let itemId: string;
  const marker = `compat-${Date.now()}`;

  it('connects its socket at init and logs in as a guest', async () => {
    await guestAuthorized;
    expect(backand.utils.socket?.socket.connected).toBe(true);
  });

  it('signs in with username and password', async () => {
    const res = await backand.signin('ann@demo.test', 'ann-password');
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      token_type: 'bearer',
      appName: APP,
      username: 'ann@demo.test',
      role: 'User',
      firstName: 'Ann',
      lastName: 'Lee',
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    expect((await backand.user.getUsername()).data).toBe('ann@demo.test');
  });

  it('refuses a wrong password with the Backand error shape', async () => {
    const other = backand.signin('ann@demo.test', 'wrong');
    await expect(other).rejects.toMatchObject({ status: 400, data: { error: 'invalid_grant' } });
    // The failed attempt did not replace the signed-in user.
    expect((await backand.user.getUsername()).data).toBe('ann@demo.test');
  });

  it('creates rows (returnObject) and reads them back with getOne', async () => {
    const res = await backand.object.create(
      'items',
      { name: `${marker} one`, qty: 3 },
      { returnObject: true },
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ name: `${marker} one`, qty: 3, owner: 'ann@demo.test' });
    itemId = String(res.data.id);
    const plain = await backand.object.create('items', { name: `${marker} two words`, qty: 5 });
    expect(plain.data.__metadata?.id).toEqual(expect.any(String));
    const one = await backand.object.getOne('items', itemId);
    expect(one.data).toMatchObject({ id: expect.anything(), name: `${marker} one`, qty: 3 });
  });

  it('getList with a filter, sort and paging', async () => {
    const { filter, sort } = backand.helpers;
    const res = await backand.object.getList('items', {
      filter: [filter.create('name', filter.operators.text.startsWith, marker)],
      sort: [sort.create('qty', sort.orders.desc)],
      pageSize: 10,
      pageNumber: 1,
    });
    expect(res.totalRows).toBe(2);
    expect(res.data.map((r) => r.name)).toEqual([`${marker} two words`, `${marker} one`]);
    const eq = await backand.object.getList('items', {
      filter: [filter.create('qty', filter.operators.numeric.equals, 3)],
    });
    expect(eq.data.map((r) => String(r.id))).toContain(itemId);
    expect(eq.data.every((r) => r.qty === 3)).toBe(true);
  });

  it('getList with search and exclude (sent double-encoded by this client)', async () => {
    const found = await backand.object.getList('items', { search: `${marker} two words` });
    expect(found.data.map((r) => r.name)).toEqual([`${marker} two words`]);
    const bare = await backand.object.getList('items', {
      filter: [backand.helpers.filter.create('name', 'startsWith', marker)],
      exclude: backand.helpers.exclude.options.all,
    });
    expect(bare.data).toHaveLength(2);
    expect(bare.totalRows).toBeUndefined();
    expect(bare.data[0].__metadata).toBeUndefined();
  });

  it("getList filter values holding '+' (which this client pre-encodes)", async () => {
    const name = `plus-${marker} c++ & 100% "quoted"`;
    const created = await backand.object.create('items', { name }, { returnObject: true });
    try {
      const res = await backand.object.getList('items', {
        filter: [backand.helpers.filter.create('name', 'equals', name)],
      });
      expect(res.data.map((r) => r.name)).toEqual([name]);
    } finally {
      await backand.object.remove('items', created.data.id);
    }
  });

  it('updates a row and receives the afterUpdate action event through backand.on', async () => {
    const event = next(backand, 'items_updated', (d) => String(d?.id) === itemId);
    const res = await backand.object.update(
      'items',
      itemId,
      { name: `${marker} renamed` },
      { returnObject: true },
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ name: `${marker} renamed` });
    await expect(event).resolves.toMatchObject({ name: `${marker} renamed` });
  });

  it('runs an on-demand action by POST and by GET; backand.on gets what it emitted', async () => {
    const posted = next(backand, 'broadcast', (d) => d?.message === `${marker} posted`);
    const res = await backand.object.action.post('items', 'broadcast', {
      message: `${marker} posted`,
    });
    expect(res.data).toMatchObject({ message: `${marker} posted`, from: 'ann@demo.test' });
    await expect(posted).resolves.toMatchObject({
      message: `${marker} posted`,
      from: 'ann@demo.test',
    });

    const got = next(backand, 'broadcast', (d) => d?.message === `${marker} by get`);
    const viaGet = await backand.object.action.get('items', 'broadcast', {
      message: `${marker} by get`,
    });
    expect(viaGet.data).toMatchObject({ message: `${marker} by get` });
    await expect(got).resolves.toMatchObject({ message: `${marker} by get` });
  });

  it('runs named queries by POST and GET with parameters', async () => {
    const byName = await backand.query.post('itemsByName', { pattern: `${marker}%` });
    expect(byName.data.map((r) => r.name).sort()).toEqual([
      `${marker} renamed`,
      `${marker} two words`,
    ]);
    const count = await backand.query.get('itemsCount');
    expect(count.data).toEqual([{ count: expect.any(Number) }]);
    expect(count.data[0].count).toBeGreaterThanOrEqual(2);
    const viaGet = await backand.query.get('itemsByName', { pattern: `${marker} two%` });
    expect(viaGet.data.map((r) => r.name)).toEqual([`${marker} two words`]);
  });

  it("refreshes by itself after a 401 'invalid or expired token' and replays the call", async () => {
    const user = backand.utils.storage.get('user');
    backand.utils.storage.set('user', {
      ...user,
      token: { Authorization: 'Bearer not-a-valid-token' },
    });
    const res = await backand.object.getOne('items', itemId);
    expect(res.data.name).toBe(`${marker} renamed`);
    const after = backand.utils.storage.get('user');
    expect(after.token.Authorization).not.toBe('Bearer not-a-valid-token');
    expect(after.details).toMatchObject({
      username: 'ann@demo.test',
      refresh_token: expect.any(String),
    });
  });

  it('a reloaded page logs its socket in with the stored token and gets emitUsers', async () => {
    // The page reloads with the signed-in user still in its storage.
    const stored = backand.utils.storage.storage.getItem('BACKAND_user') as string;
    expect(stored).toContain('ann@demo.test');
    const page = loadSdk();
    pages.push(page);
    page.init({
      appName: APP,
      anonymousToken: ANON,
      apiUrl: server.url,
      socketUrl: server.url,
      runSocket: true,
      exportUtils: true,
      externalStorage: storeWith({ BACKAND_user: stored }),
    });
    await next(page, 'authorized');
    const message = next(page, 'user_message', (d) => d?.message === `${marker} for ann`);
    await page.object.action.post('items', 'notifyUsers', {
      users: ['ann@demo.test'],
      message: `${marker} for ann`,
    });
    await expect(message).resolves.toMatchObject({ to: ['ann@demo.test'], from: 'ann@demo.test' });
    expect((await page.user.getUserDetails(true)).data).toMatchObject({
      username: 'ann@demo.test',
      role: 'User',
    });
  });

  it('removes a row; reading it then fails with 404', async () => {
    const res = await backand.object.remove('items', itemId);
    expect(res.status).toBe(200);
    await expect(backand.object.getOne('items', itemId)).rejects.toMatchObject({ status: 404 });
  });

  it('signs up a new user (then signs in as them) and signs out', async () => {
    const email = `new-${Date.now()}@demo.test`;
    const res = await backand.signup('New', 'Person', email, 'new-password', 'new-password');
    expect(res.data).toMatchObject({
      username: email,
      role: 'User',
      access_token: expect.any(String),
    });
    expect((await backand.user.getUsername()).data).toBe(email);
    const out = await backand.signout();
    expect(out.status).toBe(200);
    // Signed out, the client falls back to the anonymous token: guests may read items.
    const list = await backand.object.getList('items', { pageSize: 1 });
    expect(list.status).toBe(200);
    expect((await backand.user.getUsername()).data).toBe('Guest');
  });

  it('works with Basic master/user tokens', async () => {
    const page = loadSdk();
    pages.push(page);
    page.init({
      appName: APP,
      masterToken: 'demo-master-token',
      userToken: 'demo-user-token',
      apiUrl: server.url,
      exportUtils: true,
    });
    const created = await page.object.create(
      'metrics',
      { name: `${marker} basic`, value: 1.5 },
      { returnObject: true },
    );
    expect(created.data).toMatchObject({ name: `${marker} basic`, value: 1.5 });
    await expect(page.object.remove('metrics', created.data.id)).resolves.toMatchObject({
      status: 200,
    });
  });
});

/** Splits an Engine.IO v3 text payload ("<length>:<packet>" repeated) into packets. */
function decodeEio3(body: string): string[] {
  const packets: string[] = [];
  let i = 0;
  while (i < body.length) {
    const colon = body.indexOf(':', i);
    const length = Number(body.slice(i, colon));
    packets.push(body.slice(colon + 1, colon + 1 + length));
    i = colon + 1 + length;
  }
  return packets;
}

/**
 * The long-polling wire of socket.io-client 1.x/2.x (Engine.IO v3, Socket.IO protocol 4), as the
 * apps that loaded the old Backand SDK spoke it: no client library involved, so nothing newer
 * can negotiate on its behalf.
 */
async function eio3Session(url: string) {
  const base = `${url}/socket.io/?EIO=3&transport=polling`;
  const handshake = await fetch(`${base}&t=open`);
  expect(handshake.status).toBe(200);
  const first = decodeEio3(await handshake.text());
  expect(first[0]).toMatch(/^0\{"sid":"[^"]+"/);
  const sid = (JSON.parse(first[0].slice(1)) as { sid: string }).sid;
  const pending = first.slice(1);
  let polls = 0;
  return {
    async send(packet: string): Promise<void> {
      const res = await fetch(`${base}&sid=${sid}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
        body: `${packet.length}:${packet}`,
      });
      expect(res.status).toBe(200);
      await res.text();
    },
    /** Polls until a packet matching `pred` arrives; returns it (earlier ones are dropped). */
    async receive(pred: (packet: string) => boolean): Promise<string> {
      for (;;) {
        const hit = pending.findIndex(pred);
        if (hit >= 0) return pending.splice(0, hit + 1)[hit];
        pending.length = 0;
        const res = await fetch(`${base}&sid=${sid}&t=${++polls}`);
        expect(res.status).toBe(200);
        pending.push(...decodeEio3(await res.text()));
      }
    },
  };
}

describe('old socket.io clients (Engine.IO v3 long-polling)', () => {
  it('connect, log in and receive an action event', async () => {
    const session = await eio3Session(server.url);
    // Socket.IO v2 clients are put in the default namespace without asking.
    await session.receive((p) => p === '40');
    await session.send(`42${JSON.stringify(['login', null, ANON, APP])}`);
    await session.receive((p) => p.startsWith('42["authorized"'));

    const message = `eio3-${Date.now()}`;
    const res = await fetch(`${server.url}/1/objects/action/items?name=broadcast`, {
      method: 'POST',
      headers: { AnonymousToken: ANON, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    expect(res.status).toBe(200);
    const packet = await session.receive(
      (p) => p.startsWith('42["broadcast"') && p.includes(message),
    );
    const [name, data] = JSON.parse(packet.slice(2)) as [string, { message: string; from: string }];
    expect(name).toBe('broadcast');
    expect(data).toMatchObject({ message, from: 'guest' });
  });
});
