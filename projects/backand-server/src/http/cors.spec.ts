import { io, type Socket } from 'socket.io-client';
import { demoAppDefinition } from '../app-definition/demo-app';
import type { RunningServer } from '../server-options';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { signIn, startTestServer } from '../testing/test-server';
import { PREFLIGHT_MAX_AGE } from './cors-policy';

// The app on another origin than the API, as `ng serve` (:4200 → :4000) and most deployments
// have it: every method passes the preflight, and credentials are allowed for allowed origins only.

const APP = 'http://localhost:4200';
const EVIL = 'http://evil.example.test';
/** The request headers Backand clients send. */
const CLIENT_HEADERS = 'authorization,anonymoustoken,appname,signuptoken,content-type';

function preflight(url: string, origin: string, method: string, headers = CLIENT_HEADERS) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': headers,
    },
  });
}

/** A REST call as a page of `origin` makes it, with the user's bearer token. */
function call(url: string, origin: string, method: string, token: string, body?: unknown) {
  return fetch(url, {
    method,
    headers: {
      Origin: origin,
      Authorization: `Bearer ${token}`,
      AppName: 'demo',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function expectCorsFor(res: Response, origin: string): void {
  expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
}

function expectNoCors(res: Response): void {
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
  expect(res.headers.get('access-control-allow-credentials')).toBeNull();
}

/** Connects a websocket as a page of `origin` would (browsers always send Origin). */
function websocketFrom(url: string, origin: string): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { Origin: origin },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Engine.IO v3 payload (`<length>:<packet>…`) → packets. */
function eio3Packets(payload: string): string[] {
  const packets: string[] = [];
  let at = 0;
  while (at < payload.length) {
    const colon = payload.indexOf(':', at);
    const length = Number(payload.slice(at, colon));
    packets.push(payload.slice(colon + 1, colon + 1 + length));
    at = colon + 1 + length;
  }
  return packets;
}

describe('CORS with the default settings (any origin)', () => {
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    const app = demoAppDefinition();
    app.signInLimits.maxFailuresPerUser = 1;
    server = await startTestServer(app);
    token = (await signIn(server.url, 'ann@demo.test', 'ann-password')).access_token;
  });
  afterAll(() => server.close());

  it.each(['GET', 'POST', 'PUT', 'DELETE'])(
    'lets %s with the client headers through the preflight, reflecting the origin',
    async (method) => {
      const res = await preflight(`${server.url}/1/objects/items/1`, APP, method);
      expect(res.status).toBe(204);
      expectCorsFor(res, APP);
      expect(res.headers.get('access-control-allow-methods')?.split(/\s*,\s*/)).toEqual(
        expect.arrayContaining([method, 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']),
      );
      expect(res.headers.get('access-control-allow-headers')).toBe(CLIENT_HEADERS);
      expect(res.headers.get('access-control-max-age')).toBe(String(PREFLIGHT_MAX_AGE));
    },
  );

  it('answers create, rename and delete from another origin readably, with credentials', async () => {
    const items = `${server.url}/1/objects/items`;
    const created = await call(items, APP, 'POST', token, { name: 'cross-origin' });
    expect(created.status).toBe(200);
    expectCorsFor(created, APP);
    const id = ((await created.json()) as { __metadata: { id: string } }).__metadata.id;
    const renamed = await call(`${items}/${id}`, APP, 'PUT', token, { name: 'renamed' });
    expect(renamed.status).toBe(200);
    expectCorsFor(renamed, APP);
    const deleted = await call(`${items}/${id}`, APP, 'DELETE', token);
    expect(deleted.status).toBe(200);
    expectCorsFor(deleted, APP);
  });

  it('makes errors readable cross-origin: 401 (clients refresh on it), 404, 429 with Retry-After', async () => {
    const expired = await call(`${server.url}/1/objects/items`, APP, 'GET', 'not-a-token');
    expect(expired.status).toBe(401);
    expectCorsFor(expired, APP);
    expect(await expired.json()).toEqual({ Message: 'invalid or expired token' });

    const missing = await call(`${server.url}/1/nothing/here`, APP, 'GET', token);
    expect(missing.status).toBe(404);
    expectCorsFor(missing, APP);

    const wrong = () =>
      fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { Origin: APP, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'username=bob@demo.test&password=nope&appName=demo&grant_type=password',
      });
    expect((await wrong()).status).toBe(400);
    const limited = await wrong();
    expect(limited.status).toBe(429);
    expectCorsFor(limited, APP);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('access-control-expose-headers')).toMatch(/\bRetry-After\b/);
  });

  it('sets no cookie: not on sign-in, a REST call or the Engine.IO handshake', async () => {
    const signin = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { Origin: APP, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=ann@demo.test&password=ann-password&appName=demo&grant_type=password',
    });
    expect(signin.status).toBe(200);
    const rest = await call(`${server.url}/1/objects/items`, APP, 'GET', token);
    expect(rest.status).toBe(200);
    const eio4 = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { Origin: APP },
    });
    const eio3 = await fetch(`${server.url}/socket.io/?EIO=3&transport=polling`, {
      headers: { Origin: APP },
    });
    for (const res of [signin, rest, eio4, eio3]) {
      expect(res.status).toBe(200);
      expectCorsFor(res, APP);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it('lets an old Backand client (Engine.IO v3 long-polling, with credentials) log in cross-origin', async () => {
    const base = `${server.url}/socket.io/?EIO=3&transport=polling`;
    let sid = '';
    const poll = async (init: RequestInit = {}) => {
      const res = await fetch(sid ? `${base}&sid=${sid}` : base, {
        ...init,
        headers: { Origin: APP, ...init.headers },
      });
      expect(res.status).toBe(200);
      expectCorsFor(res, APP);
      return res.text();
    };
    const [open] = eio3Packets(await poll());
    expect(open).toMatch(/^0\{"sid":/);
    sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    expect(eio3Packets(await poll())).toContain('40'); // connected to the main namespace
    const login = '42["login",null,"demo-anonymous-token","demo"]';
    const posted = await poll({
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: `${login.length}:${login}`,
    });
    expect(posted).toBe('ok');
    expect(eio3Packets(await poll())).toContainEqual(expect.stringMatching(/^42\["authorized"/));
  });
});

describe('CORS with listed origins (--cors-origin)', () => {
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    // Given in another spelling: compared as browsers send it.
    server = await startTestServer(undefined, { corsOrigins: ['HTTP://LocalHost:4200'] });
    token = (await signIn(server.url, 'ann@demo.test', 'ann-password')).access_token;
  });
  afterAll(() => server.close());

  it('reflects a listed origin, with credentials, on preflights and answers', async () => {
    const pre = await preflight(`${server.url}/1/objects/items/1`, APP, 'DELETE');
    expect(pre.status).toBe(204);
    expectCorsFor(pre, APP);
    const list = await call(`${server.url}/1/objects/items`, APP, 'GET', token);
    expectCorsFor(list, APP);
  });

  it('gives another origin no CORS headers, so its page cannot read or preflight', async () => {
    const pre = await preflight(`${server.url}/1/objects/items/1`, EVIL, 'PUT');
    expect(pre.status).toBeGreaterThanOrEqual(400);
    expectNoCors(pre);
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    const list = await call(`${server.url}/1/objects/items`, EVIL, 'GET', token);
    expectNoCors(list);
    // Caches must not hand a listed origin's answer to another one, nor the reverse.
    expect(list.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('refuses the socket handshake of another origin, on every transport', async () => {
    await expect(websocketFrom(server.url, EVIL)).rejects.toThrow();
    for (const eio of ['3', '4']) {
      const res = await fetch(`${server.url}/socket.io/?EIO=${eio}&transport=polling`, {
        headers: { Origin: EVIL },
      });
      expect(res.status).toBe(403);
      expectNoCors(res);
    }
  });

  it('accepts the socket of a listed origin, of its own origin, and of clients without Origin', async () => {
    for (const origin of [APP, server.url]) {
      const socket = await websocketFrom(server.url, origin);
      socket.close();
    }
    const probe = await SocketProbe.open(server.url);
    try {
      expect(await probe.login(null, 'demo-anonymous-token', 'demo')).toBe('authorized');
    } finally {
      probe.socket.close();
    }
    const polling = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { Origin: APP },
    });
    expect(polling.status).toBe(200);
    expectCorsFor(polling, APP);
  });
});
