import * as http from 'node:http';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

// Sign-in hardening: no hint whether a user exists, no lock-out of an account from one address,
// refresh tokens with a maximum age, sessions ended by password changes.

const app: AppDefinitionInput = {
  appName: 'guarded',
  anonymousToken: 'anon-g',
  refreshTokenTtlSeconds: 3600,
  signInLimits: {
    windowSeconds: 600,
    maxFailuresPerUser: 3,
    maxFailuresPerAddress: 1000,
    maxFailuresPerUserAllAddresses: 6,
  },
  users: [
    { username: 'ann@g.test', password: 'ann-password', role: 'User' },
    { username: 'max@g.test', password: 'max-password', role: 'User' },
    { username: 'kim@g.test', password: 'kim-password', role: 'User' },
  ],
  objects: { things: { fields: { name: 'string' } } },
};

let server: RunningServer;
/** A refresh token of ann's, from before her username gets blocked. */
let annSession: string;
beforeAll(async () => {
  server = await startTestServer(app);
  annSession = (await signIn(server.url, 'ann@g.test', 'ann-password', 'guarded')).refresh_token;
});
afterAll(() => server.close());

/** `POST /token` from a chosen loopback address (127.0.0.x): the server sees it as the client's. */
function tokenFrom(
  localAddress: string,
  fields: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = new URLSearchParams({ appName: 'guarded', grant_type: 'password', ...fields });
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/token',
        method: 'POST',
        localAddress,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body.toString());
  });
}

describe('user enumeration', () => {
  afterEach(() => jest.restoreAllMocks());

  it('runs the same password check for an unknown user as for a wrong password', async () => {
    // The module object itself (not an import wrapper), which the password code calls through.
    const crypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const scrypt = jest.spyOn(crypto, 'scrypt');
    const unknown = await tokenFrom('127.0.0.1', { username: 'ghost@g.test', password: 'x-x-x-x' });
    const unknownChecks = scrypt.mock.calls.length;
    scrypt.mockClear();
    const wrong = await tokenFrom('127.0.0.1', { username: 'kim@g.test', password: 'x-x-x-x' });
    const wrongChecks = scrypt.mock.calls.length;
    expect(unknown).toEqual(wrong);
    expect(unknown.status).toBe(400);
    expect(wrongChecks).toBe(1);
    expect(unknownChecks).toBe(wrongChecks);
  });
});

describe('failed sign-in limits', () => {
  it('blocks a username from the failing address only; another address still signs in', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await tokenFrom('127.0.0.2', { username: 'max@g.test', password: `bad-${i}` });
      expect(res.status).toBe(400);
    }
    const blocked = await tokenFrom('127.0.0.2', {
      username: 'max@g.test',
      password: 'max-password',
    });
    expect(blocked.status).toBe(429);
    const elsewhere = await tokenFrom('127.0.0.3', {
      username: 'max@g.test',
      password: 'max-password',
    });
    expect(elsewhere.status).toBe(200);
    // The blocked address may still sign in other users.
    const other = await tokenFrom('127.0.0.2', {
      username: 'kim@g.test',
      password: 'kim-password',
    });
    expect(other.status).toBe(200);
  });

  it('blocks a username everywhere once failures come from many addresses', async () => {
    for (const address of ['127.0.0.4', '127.0.0.5']) {
      for (let i = 0; i < 3; i++) {
        const res = await tokenFrom(address, { username: 'ann@g.test', password: `bad-${i}` });
        expect(res.status).toBe(400);
      }
    }
    const fresh = await tokenFrom('127.0.0.6', {
      username: 'ann@g.test',
      password: 'ann-password',
    });
    expect(fresh.status).toBe(429);
    expect(fresh.body['error_description']).toMatch(/Too many failed sign-in attempts/);
  });

  it('lets a blocked username refresh its live session', async () => {
    // ann@g.test is blocked everywhere by the test above; her earlier session carries on.
    const blocked = await tokenFrom('127.0.0.1', {
      username: 'ann@g.test',
      password: 'ann-password',
    });
    expect(blocked.status).toBe(429);
    const refreshed = await tokenFrom('127.0.0.1', {
      username: 'ann@g.test',
      refreshToken: annSession,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body['username']).toBe('ann@g.test');
  });
});

describe('refresh tokens', () => {
  afterEach(() => jest.useRealTimers());

  it('stop working after refreshTokenTtlSeconds, however often they were refreshed', async () => {
    const t = await signIn(server.url, 'kim@g.test', 'kim-password', 'guarded');
    const refresh = (refreshToken: string) =>
      api(server.url, 'POST', '/token', null, {
        username: 'kim@g.test',
        refreshToken,
        appName: 'guarded',
        grant_type: 'password',
      });
    // Only the clock is faked: sockets and timers run for real.
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
      now: Date.now() + 3000 * 1000,
    });
    const renewed = await refresh(t.refresh_token);
    expect(renewed.status).toBe(200);
    jest.setSystemTime(Date.now() + 601 * 1000);
    const late = await refresh(renewed.body.refresh_token);
    expect(late.status).toBe(400);
    expect(late.body.error).toBe('invalid_grant');
  });
});

describe('password changes', () => {
  it('a change ends the other sessions (refresh and access) and keeps the caller’s', async () => {
    const mine = await signIn(server.url, 'kim@g.test', 'kim-password', 'guarded');
    const theirs = await signIn(server.url, 'kim@g.test', 'kim-password', 'guarded');
    const res = await api(
      server.url,
      'POST',
      '/1/user/changePassword',
      { bearer: mine.access_token },
      { oldPassword: 'kim-password', newPassword: 'kim-password-2' },
    );
    expect(res.status).toBe(200);
    const list = (token: string) => api(server.url, 'GET', '/1/objects/things', { bearer: token });
    expect((await list(theirs.access_token)).status).toBe(401);
    expect((await list(mine.access_token)).status).toBe(200);
    const refresh = (refreshToken: string) =>
      api(server.url, 'POST', '/token', null, {
        username: 'kim@g.test',
        refreshToken,
        appName: 'guarded',
        grant_type: 'password',
      });
    expect((await refresh(theirs.refresh_token)).status).toBe(400);
    expect((await refresh(mine.refresh_token)).status).toBe(200);
  });
});
