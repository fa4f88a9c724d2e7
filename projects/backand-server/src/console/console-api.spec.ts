import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { signIn, startTestServer, type TokenResponse } from '../testing/test-server';
import {
  CONSOLE_EVENTS,
  CONSOLE_SOCKET_PATH,
  type SocketsSnapshot,
  type TapEvent,
} from './event-tap';

// The console API and its live socket, over real HTTP and Socket.IO, against the demo app.
// Absence of an event is proved with a later barrier event on the same socket (in order).

const APP = 'demo';
const MASTER = `Basic ${Buffer.from('demo-master-token:demo-user-token').toString('base64')}`;
const SECRETS = [
  'demo-master-token',
  'demo-user-token',
  'demo-anonymous-token',
  'demo-signup-token',
  'ada-password',
  'ann-password',
];
let server: RunningServer;
let ada: TokenResponse;
let ann: TokenResponse;
const probes: SocketProbe[] = [];

beforeAll(async () => {
  server = await startTestServer();
  ada = await signIn(server.url, 'ada@demo.test', 'ada-password');
  ann = await signIn(server.url, 'ann@demo.test', 'ann-password');
});
afterAll(async () => {
  for (const p of probes) p.close();
  await server.close();
});

async function appSocket(token: string | null, anonymous: string | null = null) {
  const probe = await SocketProbe.open(server.url);
  probes.push(probe);
  expect(await probe.login(token, anonymous, APP)).toBe('authorized');
  return probe;
}

async function consoleSocket(token: string | null) {
  const probe = await SocketProbe.open(server.url, { path: CONSOLE_SOCKET_PATH });
  probes.push(probe);
  return { probe, answer: await probe.login(token, null, APP) };
}

const asAda = () => ({ bearer: ada.access_token });

describe('console API access', () => {
  // Every row has a body (none for GETs): jest passes a `done` to a test taking more arguments.
  const routes: [string, string, unknown][] = [
    ['GET', '/api/console/me', undefined],
    ['GET', '/api/console/app', undefined],
    ['GET', '/api/console/sockets', undefined],
    ['POST', '/api/console/users/1/signout', {}],
    ['POST', '/api/console/emit', { kind: 'all', event: 'x' }],
  ];

  it.each(routes)(
    '%s %s answers 403 to a User and to a guest, 401 without credentials',
    async (method, path, body) => {
      const user = await api(server.url, method, path, { bearer: ann.access_token }, body);
      expect(user.status).toBe(403);
      expect(JSON.stringify(user.body)).not.toMatch(/objects|sockets|delivered|revoked/);
      const guest = await api(
        server.url,
        method,
        path,
        { anonymous: 'demo-anonymous-token' },
        body,
      );
      expect(guest.status).toBe(403);
      expect((await api(server.url, method, path, null, body)).status).toBe(401);
    },
  );

  it('answers an Admin and the master key', async () => {
    const me = await api(server.url, 'GET', '/api/console/me', asAda());
    expect(me.body).toEqual({ kind: 'user', username: 'ada@demo.test', role: 'Admin' });
    const master = await api(server.url, 'GET', '/api/console/me', {
      headers: { Authorization: MASTER },
    });
    expect(master.body).toEqual({ kind: 'master', username: null, role: 'Admin' });
  });

  it('tells anyone the app name only', async () => {
    const meta = await api(server.url, 'GET', '/api/console/meta', null);
    expect(meta.body).toEqual({ appName: 'demo' });
  });

  it('describes the app without any secret', async () => {
    const res = await api(server.url, 'GET', '/api/console/app', asAda());
    expect(res.status).toBe(200);
    const items = res.body.objects.find((o: { name: string }) => o.name === 'items');
    expect(items.fields.name).toEqual({ type: 'string', required: true });
    expect(items.permissions.User).toBeDefined();
    expect(items.actions.map((a: { name: string }) => a.name)).toContain('items_updated');
    expect(res.body.queries.map((q: { name: string }) => q.name)).toContain('itemsCount');
    expect(res.body.hasMasterToken).toBe(true);
    const text = JSON.stringify(res.body);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"users"\s*:\s*\[/);
  });
});

describe('console sockets list', () => {
  it('lists app sockets with user, role, audiences and node, and no credential', async () => {
    const annSocket = await appSocket(`Bearer ${ann.access_token}`);
    const res = await api(server.url, 'GET', '/api/console/sockets', asAda());
    const mine = res.body.sockets.find((s: { id: string }) => s.id === annSocket.socket.id);
    expect(mine).toMatchObject({
      kind: 'user',
      username: 'ann@demo.test',
      role: 'User',
      node: res.body.node,
    });
    expect(mine.audiences).toEqual(
      expect.arrayContaining([
        'all',
        'role User',
        'user ann@demo.test',
        'own rows of ann@demo.test as User',
      ]),
    );
    expect(JSON.stringify(res.body)).not.toContain(ann.access_token);
    expect(JSON.stringify(res.body)).not.toMatch(/sessionId|userTokenId|token/i);
  });
});

describe('console test emits', () => {
  it('sends emitAll, emitRole and emitUsers and counts the sockets reached', async () => {
    const annSocket = await appSocket(`Bearer ${ann.access_token}`);
    const guest = await appSocket(null, 'demo-anonymous-token');
    const send = (body: unknown) => api(server.url, 'POST', '/api/console/emit', asAda(), body);

    const all = await send({ kind: 'all', event: 'hello', data: { n: 1 } });
    expect(all.status).toBe(200);
    expect(all.body.delivered).toBeGreaterThanOrEqual(2);
    expect((await annSocket.waitFor('hello')).data).toEqual({ n: 1 });
    await guest.waitFor('hello');

    const from = guest.log.length;
    const role = await send({ kind: 'role', event: 'to-users', data: 'x', role: 'User' });
    expect(role.body.delivered).toBeGreaterThanOrEqual(1);
    await annSocket.waitFor('to-users');
    const users = await send({ kind: 'users', event: 'to-ann', data: 2, users: ['ann@demo.test'] });
    expect(users.body.delivered).toBeGreaterThanOrEqual(1);
    await annSocket.waitFor('to-ann');
    await send({ kind: 'all', event: 'barrier' });
    await guest.waitFor('barrier', undefined, from);
    expect(guest.names(from)).toEqual(['barrier']);
  });

  it.each([
    [{ kind: 'all', event: '' }, 'event'],
    [{ kind: 'all', event: 'disconnect' }, 'event'],
    [{ kind: 'all', event: 'authorized' }, 'event'],
    [{ kind: 'all', event: '_console.event' }, 'event'],
    [{ kind: 'role', event: 'e' }, 'role'],
    [{ kind: 'users', event: 'e', users: [] }, 'users'],
    [{ kind: 'users', event: 'e', users: [3] }, 'users'],
    [{ kind: 'everyone', event: 'e' }, 'kind'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const res = await api(server.url, 'POST', '/api/console/emit', asAda(), body);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
  });
});

describe('sign-out everywhere', () => {
  it('ends every session of a user and their sockets lose the audience', async () => {
    const bob1 = await signIn(server.url, 'bob@demo.test', 'bob-password');
    const bob2 = await signIn(server.url, 'bob@demo.test', 'bob-password');
    const socket = await appSocket(`Bearer ${bob1.access_token}`);
    const from = socket.log.length;
    const refused = await api(server.url, 'POST', `/api/console/users/${bob1.userId}/signout`, {
      bearer: ann.access_token,
    });
    expect(refused.status).toBe(403);
    const res = await api(
      server.url,
      'POST',
      `/api/console/users/${bob1.userId}/signout`,
      asAda(),
      {},
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ username: 'bob@demo.test', revoked: 2 });
    await socket.waitFor('notAuthorized', undefined, from);
    for (const token of [bob1, bob2]) {
      const profile = await api(server.url, 'GET', '/api/account/profile', {
        bearer: token.access_token,
      });
      expect(profile.status).toBe(401);
    }
    const missing = await api(server.url, 'POST', '/api/console/users/99999/signout', asAda());
    expect(missing.status).toBe(404);
  });
});

describe('console live socket', () => {
  it('refuses a User, a guest and a bad token, and sends them nothing', async () => {
    expect((await consoleSocket(`Bearer ${ann.access_token}`)).answer).toBe('notAuthorized');
    expect((await consoleSocket(null)).answer).toBe('notAuthorized');
    expect((await consoleSocket('Bearer nope')).answer).toBe('notAuthorized');
    const { probe } = await consoleSocket(`Bearer ${ann.access_token}`);
    await probe.waitFor('$disconnect');
    expect(probe.names()).toEqual(['notAuthorized', '$disconnect']);
  });

  it('streams every emit and row event to an admin, with audience and count, secrets redacted', async () => {
    const { probe, answer } = await consoleSocket(`Bearer ${ada.access_token}`);
    expect(answer).toBe('authorized');
    const snapshot = (await probe.waitFor(CONSOLE_EVENTS.sockets)).data as SocketsSnapshot;
    expect(Array.isArray(snapshot.sockets)).toBe(true);
    const annSocket = await appSocket(`Bearer ${ann.access_token}`);
    // The new socket shows up in a later snapshot.
    await probe.waitFor(CONSOLE_EVENTS.sockets, (d) =>
      (d as SocketsSnapshot).sockets.some((s) => s.id === annSocket.socket.id && s.role === 'User'),
    );

    await api(server.url, 'POST', '/api/console/emit', asAda(), {
      kind: 'role',
      event: 'secretive',
      role: 'User',
      data: { visible: 'yes', password: 'hunter2', nested: { accessToken: 'abc' } },
    });
    const tapped = (
      await probe.waitFor(CONSOLE_EVENTS.event, (d) => (d as TapEvent).event === 'secretive')
    ).data as TapEvent;
    expect(tapped).toMatchObject({ kind: 'role', audience: 'role User', node: snapshot.node });
    expect(tapped.delivered).toBeGreaterThanOrEqual(1);
    expect(tapped.data).toContain('"visible":"yes"');
    expect(tapped.data).not.toContain('hunter2');
    expect(tapped.data).not.toContain('abc');

    const created = await api(
      server.url,
      'POST',
      '/1/objects/items',
      { bearer: ann.access_token },
      { name: 'tapped' },
    );
    expect(created.status).toBe(200);
    const row = (
      await probe.waitFor(CONSOLE_EVENTS.event, (d) => (d as TapEvent).event === 'items.created')
    ).data as TapEvent;
    expect(row.kind).toBe('row');
    expect(row.audience).toBe(`readers of items ${created.body.__metadata.id}`);
    expect(row.data).toContain('tapped');
  });

  it('accepts the master key, and stops an admin who lost the role', async () => {
    expect((await consoleSocket(MASTER)).answer).toBe('authorized');
    const email = 'temp-admin@demo.test';
    const made = await api(server.url, 'POST', '/1/objects/users', asAda(), {
      email,
      role: 'Admin',
      firstName: 'T',
      lastName: 'A',
    });
    expect(made.status).toBe(200);
    await api(server.url, 'POST', '/1/user/resetPassword', null, {});
    const reset = await api(server.url, 'POST', '/1/user/requestResetPassword', asAda(), {
      appName: APP,
      username: email,
    });
    await api(server.url, 'POST', '/1/user/resetPassword', null, {
      resetToken: reset.body.resetToken,
      newPassword: 'temp-password',
    });
    const temp = await signIn(server.url, email, 'temp-password');
    const { probe, answer } = await consoleSocket(`Bearer ${temp.access_token}`);
    expect(answer).toBe('authorized');
    const demoted = await api(server.url, 'PUT', `/1/objects/users/${temp.userId}`, asAda(), {
      role: 'User',
    });
    expect(demoted.status).toBe(200);
    const from = probe.log.length;
    await api(server.url, 'POST', '/api/console/emit', asAda(), {
      kind: 'all',
      event: 'after-demotion',
    });
    await probe.waitFor('notAuthorized', undefined, from);
    expect(probe.names(from)).not.toContain(CONSOLE_EVENTS.event);
  });
});

describe('console off', () => {
  it('serves neither the page nor the API', async () => {
    const off = await startTestServer(undefined, { console: false });
    try {
      expect((await api(off.url, 'GET', '/api/console/me', asAda())).status).toBe(404);
      expect((await api(off.url, 'GET', '/api/console/meta', null)).status).toBe(404);
      expect((await api(off.url, 'GET', '/_console/', null)).status).toBe(404);
      const probe = await SocketProbe.open(off.url, { path: CONSOLE_SOCKET_PATH }).catch(
        (e: Error) => e,
      );
      expect(probe).toBeInstanceOf(Error);
    } finally {
      await off.close();
    }
  });
});
