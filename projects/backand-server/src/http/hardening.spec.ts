import { io, type Socket } from 'socket.io-client';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, qs, type ApiResponse, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const fn = (body: string) =>
  `function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;
const asyncFn = (body: string) =>
  `async function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;

/** Actions that misbehave: they must fail alone (417) and leave the server serving. */
const hardApp: AppDefinitionInput = {
  appName: 'hardapp',
  anonymousToken: 'hard-anon',
  users: [{ username: 'uma@hard.test', password: 'uma-password', role: 'User' }],
  objects: {
    tasks: {
      fields: { title: { type: 'string', required: true } },
      permissions: { User: 'crud' },
      actions: [
        {
          name: 'cycleOnCreate',
          trigger: 'beforeCreate',
          code: fn(
            "if (userInput.title === 'cycle') { var o = {}; o.self = o; socket.emitAll('bad', o); }",
          ),
        },
        {
          name: 'asyncChain',
          trigger: 'onDemand',
          code: asyncFn(
            'var a = await Promise.resolve(20); var b = await new Promise(function (r) { r(22); }); return { sum: a + b };',
          ),
        },
        { name: 'never', trigger: 'onDemand', code: fn('return new Promise(function () {});') },
        {
          name: 'emitThenBigInt',
          trigger: 'onDemand',
          code: fn("socket.emitAll('first', { ok: 1 }); socket.emitAll('second', { n: 10n });"),
        },
        { name: 'bigResult', trigger: 'onDemand', code: fn('return 10n;') },
        { name: 'bigAsyncResult', trigger: 'onDemand', code: asyncFn('return { n: 10n };') },
        {
          name: 'ping',
          trigger: 'onDemand',
          code: fn("socket.emitAll('ping', 'pong'); return 1;"),
        },
      ],
    },
  },
};

describe('hardening: misbehaving actions', () => {
  let server: RunningServer;
  let uma: Auth;
  let socket: Socket;
  const events: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(hardApp);
    const token = (await signIn(server.url, 'uma@hard.test', 'uma-password', 'hardapp'))
      .access_token;
    uma = { bearer: token };
    socket = io(server.url, { transports: ['websocket'] });
    socket.onAny((event: string) => events.push(event));
    socket.on('connect', () => socket.emit('login', `Bearer ${token}`, null, 'hardapp'));
    await new Promise((resolve) => socket.once('authorized', resolve));
  });
  afterAll(async () => {
    // Still serving, and the actions still run.
    expect((await action('ping')).body).toBe(1);
    socket.close();
    await server.close();
  });

  const action = (name: string) =>
    api(server.url, 'GET', `/1/objects/action/tasks?name=${name}`, uma);
  /** Events seen up to a later `ping` event: what arrives before it was sent before it. */
  const eventsUntilPing = async () => {
    const from = events.length;
    const pong = new Promise((resolve) => socket.once('ping', resolve));
    expect((await action('ping')).status).toBe(200);
    await pong;
    return events.slice(from, events.lastIndexOf('ping'));
  };

  it('resolves async actions that await promises', async () => {
    expect((await action('asyncChain')).body).toEqual({ sum: 42 });
  });

  it('answers 417 for a promise that can never settle', async () => {
    const res = await action('never');
    expect(res.status).toBe(417);
    expect(res.body.Message).toMatch(/never settles/);
  });

  it('fails an emit whose data has no JSON form inside the action: 417, write rolled back', async () => {
    const res = await api(server.url, 'POST', '/1/objects/tasks', uma, { title: 'cycle' });
    expect(res.status).toBe(417);
    expect(res.body.Message).toMatch(/cannot be sent as JSON/);
    const list = await api(server.url, 'GET', '/1/objects/tasks', uma);
    expect(list.body.data.map((r: { title: string }) => r.title)).not.toContain('cycle');
    expect(await eventsUntilPing()).not.toContain('bad');
  });

  it('delivers none of the emits of an action whose later emit fails', async () => {
    const res = await action('emitThenBigInt');
    expect(res.status).toBe(417);
    expect(res.body.Message).toMatch(/"second".*cannot be sent as JSON/);
    const seen = await eventsUntilPing();
    expect(seen).not.toContain('first');
    expect(seen).not.toContain('second');
  });

  it('answers 417 for a result that has no JSON form', async () => {
    for (const name of ['bigResult', 'bigAsyncResult']) {
      const res = await action(name);
      expect(res.status).toBe(417);
      expect(res.body.Message).toMatch(/cannot be sent as JSON/);
    }
  });
});

describe('hardening: the demo app', () => {
  let server: RunningServer;
  let ada: Auth;
  let ann: Auth;
  let bob: Auth;
  let snapshot: unknown;
  const GUEST: Auth = { anonymous: 'demo-anonymous-token' };

  const listAll = async () =>
    (await api(server.url, 'GET', '/1/objects/items?pageSize=200', ada)).body;
  const upload = (auth: Auth, filename: string, text: string) =>
    api(server.url, 'POST', '/1/objects/action/items?name=files', auth, {
      filename,
      filedata: Buffer.from(text).toString('base64'),
    });
  const removeFile = (auth: Auth, filename: string) =>
    api(server.url, 'DELETE', '/1/objects/action/items?name=files', auth, { filename });
  const expect4xx = (res: ApiResponse, status: number, message: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.body).toEqual(expect.objectContaining({ Message: expect.stringMatching(message) }));
  };

  beforeAll(async () => {
    server = await startTestServer();
    const auth = async (user: string) => ({
      bearer: (await signIn(server.url, `${user}@demo.test`, `${user}-password`)).access_token,
    });
    [ada, ann, bob] = await Promise.all([auth('ada'), auth('ann'), auth('bob')]);
    for (const name of ['one', 'two', 'three']) {
      expect((await api(server.url, 'POST', '/1/objects/items', ann, { name })).status).toBe(200);
    }
    snapshot = await listAll();
  });
  afterAll(async () => {
    expect((await signIn(server.url, 'bob@demo.test', 'bob-password')).role).toBe('User');
    expect(await listAll()).toEqual(snapshot);
    await server.close();
  });

  it('serves uploads as downloads that cannot run script on the app origin', async () => {
    const page = '<script>document.title = "owned"</script>';
    const res = await upload(ann, 'x.html', page);
    expect(res.status).toBe(200);
    const file = await fetch(res.body.url);
    expect(await file.text()).toBe(page);
    expect(file.headers.get('content-disposition')).toBe('attachment');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
  });

  it('refuses replacing or removing another user\'s file with "own" access (403)', async () => {
    expect((await upload(ann, 'ann.txt', 'by ann')).status).toBe(200);
    expect4xx(await upload(bob, 'ann.txt', 'by bob'), 403, /another user's file/);
    expect4xx(await removeFile(bob, 'ann.txt'), 403, /another user's file/);
    expect((await api(server.url, 'GET', '/files/items/ann.txt', ann)).body).toBe('by ann');
    // The uploader may replace and remove it; an admin may remove anyone's.
    expect((await upload(ann, 'ann.txt', 'again by ann')).status).toBe(200);
    expect((await api(server.url, 'GET', '/files/items/ann.txt', ann)).body).toBe('again by ann');
    expect((await removeFile(ann, 'ann.txt')).status).toBe(200);
    expect((await upload(bob, 'bob.txt', 'by bob')).status).toBe(200);
    expect((await removeFile(ada, 'bob.txt')).status).toBe(200);
    expect((await api(server.url, 'GET', '/files/items/bob.txt', ada)).status).toBe(404);
  });

  it('lets guests send no private realtime messages', async () => {
    for (const [name, body] of [
      ['notifyRole', { role: 'Admin', message: 'from a guest' }],
      ['notifyUsers', { users: ['ada@demo.test'], message: 'from a guest' }],
    ] as const) {
      const path = `/1/objects/action/items?name=${name}`;
      expect((await api(server.url, 'POST', path, GUEST, body)).status).toBe(403);
      expect((await api(server.url, 'POST', path, ann, body)).status).toBe(200);
    }
  });

  it('holds on-demand actions to the normal body limit, file uploads to the larger one', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const res = await api(server.url, 'POST', '/1/objects/action/items?name=broadcast', GUEST, {
      message: big,
    });
    expect4xx(res, 413, /too large/);
    expect((await upload(ann, 'big.txt', big)).status).toBe(200);
    expect((await removeFile(ann, 'big.txt')).status).toBe(200);
  });

  it('answers 400 for a page number whose offset is not an exact integer', async () => {
    for (const pageNumber of ['999999999999999999999', '1000000001']) {
      expect4xx(
        await api(server.url, 'GET', `/1/objects/items${qs({ pageNumber })}`, ann),
        400,
        /pageNumber.*at most/,
      );
    }
  });

  it('answers 400 for a deeply nested JSON body', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect4xx(await api(server.url, 'POST', '/1/objects/items', ann, deep), 400, /nested/);
    // Brackets inside strings are text, not nesting.
    const res = await api(server.url, 'POST', '/1/objects/items', ann, {
      name: '['.repeat(100),
    });
    expect(res.status).toBe(200);
    expect(
      (await api(server.url, 'DELETE', `/1/objects/items/${res.body.__metadata.id}`, ann)).status,
    ).toBe(200);
  });

  it('answers 400 for a filter that binds too many values', async () => {
    const filter = Array.from({ length: 40 }, () => ({
      fieldName: 'qty',
      operator: 'in',
      value: Array.from({ length: 1000 }, (_, i) => i),
    }));
    const res = await api(server.url, 'POST', '/1/bulk', ann, [
      { method: 'GET', url: `/1/objects/items${qs({ filter })}` },
    ]);
    expect(res.status).toBe(200);
    expect(res.body[0].status).toBe(400);
    expect(res.body[0].body.Message).toMatch(/too many values/);
  });
});
