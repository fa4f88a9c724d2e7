import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { signIn, startTestServer, type TokenResponse } from '../testing/test-server';

// A user token is a per-user key: `Authorization: Basic base64(masterToken:userToken)` is that
// user, on REST and on the socket. It is issued to the user or by an admin, shown once, and ends
// when issued again, revoked, or its user is deleted.

const APP = 'demo';
let server: RunningServer;
let admin: TokenResponse;
let ann: TokenResponse;
let bob: TokenResponse;
const probes: SocketProbe[] = [];

const basic = (userToken: string) =>
  `Basic ${Buffer.from(`demo-master-token:${userToken}`).toString('base64')}`;
const asBasic = (userToken: string) => ({ headers: { Authorization: basic(userToken) } });

beforeAll(async () => {
  server = await startTestServer();
  admin = await signIn(server.url, 'ada@demo.test', 'ada-password');
  ann = await signIn(server.url, 'ann@demo.test', 'ann-password');
  bob = await signIn(server.url, 'bob@demo.test', 'bob-password');
});
afterAll(async () => {
  for (const p of probes) p.close();
  await server.close();
});

async function issue(auth: { bearer: string }, username?: string) {
  return api(
    server.url,
    'POST',
    '/api/account/userToken',
    auth,
    username === undefined ? {} : { username },
  );
}

describe('user tokens', () => {
  it('are issued to their user, and Basic master:userToken is that user on REST', async () => {
    const res = await issue({ bearer: ann.access_token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ username: 'ann@demo.test', userToken: expect.any(String) });
    const token = res.body.userToken as string;
    expect(token.length).toBeGreaterThanOrEqual(40);

    const profile = await api(server.url, 'GET', '/api/account/profile', asBasic(token));
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ username: 'ann@demo.test', role: 'User' });

    // Ann's own notes only ("own" rows), and rows she creates are hers.
    const created = await api(
      server.url,
      'POST',
      '/1/objects/notes?returnObject=true',
      asBasic(token),
      {
        text: 'by user token',
      },
    );
    expect(created.status).toBe(200);
    expect(created.body.owner).toBe('ann@demo.test');
    const list = await api(server.url, 'GET', '/1/objects/notes', asBasic(token));
    expect(list.status).toBe(200);
    expect(new Set(list.body.data.map((r: { owner: string }) => r.owner))).toEqual(
      new Set(['ann@demo.test']),
    );
    // Not an admin: another role's operations stay closed.
    const forbidden = await api(server.url, 'DELETE', '/1/objects/users/1', asBasic(token));
    expect(forbidden.status).toBe(403);
  });

  it('need the master token beside them, and a wrong or unknown token is a 401', async () => {
    const token = (await issue({ bearer: bob.access_token })).body.userToken as string;
    const wrongMaster = `Basic ${Buffer.from(`not-master:${token}`).toString('base64')}`;
    for (const headers of [
      { Authorization: wrongMaster },
      { Authorization: basic('not-a-user-token') },
      { Authorization: basic('') },
      { Authorization: `Basic ${Buffer.from(token).toString('base64')}` },
    ]) {
      const res = await api(server.url, 'GET', '/api/account/profile', { headers });
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain(token);
    }
  });

  it('are never shown to other users; an admin may issue or revoke one for a named user', async () => {
    const other = await issue({ bearer: bob.access_token }, 'ann@demo.test');
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toMatch(/userToken"/);
    const guest = await api(server.url, 'POST', '/api/account/userToken', {
      anonymous: 'demo-anonymous-token',
    });
    expect(guest.status).toBe(403);
    const byAdmin = await issue({ bearer: admin.access_token }, 'bob@demo.test');
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.username).toBe('bob@demo.test');
    const missing = await issue({ bearer: admin.access_token }, 'nobody@demo.test');
    expect(missing.status).toBe(404);
    // The users object does not carry tokens.
    const users = await api(server.url, 'GET', '/1/objects/users', { bearer: admin.access_token });
    expect(JSON.stringify(users.body)).not.toContain(byAdmin.body.userToken);

    const revoked = await api(
      server.url,
      'DELETE',
      '/api/account/userToken',
      { bearer: admin.access_token },
      { username: 'bob@demo.test' },
    );
    expect(revoked.body).toEqual({ username: 'bob@demo.test', revoked: true });
    const after = await api(
      server.url,
      'GET',
      '/api/account/profile',
      asBasic(byAdmin.body.userToken),
    );
    expect(after.status).toBe(401);
  });

  it('log a socket in as their user; issuing a new one ends that socket’s audience', async () => {
    const first = (await issue({ bearer: ann.access_token })).body.userToken as string;
    const p = await SocketProbe.open(server.url);
    probes.push(p);
    expect(await p.login(basic(first), null, APP)).toBe('authorized');
    const tag = `to-ann-${Date.now()}`;
    await api(
      server.url,
      'POST',
      '/1/objects/action/items?name=notifyUsers',
      { bearer: admin.access_token },
      { users: ['ann@demo.test'], message: tag },
    );
    await p.waitFor('user_message', (d) => (d as { message: string }).message === tag);

    const from = p.log.length;
    const second = (await issue({ bearer: ann.access_token })).body.userToken as string;
    expect(second).not.toBe(first);
    await p.waitFor('notAuthorized', () => true, from);
    expect((await api(server.url, 'GET', '/api/account/profile', asBasic(first))).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/account/profile', asBasic(second))).status).toBe(
      200,
    );
    expect(await p.login(basic(first), null, APP)).toBe('notAuthorized');
  });

  it('end with their user', async () => {
    const email = `tokened-${Date.now()}@demo.test`;
    const signup = await api(
      server.url,
      'POST',
      '/1/user/signup',
      { headers: { SignUpToken: 'demo-signup-token' } },
      { email, password: 'tokened-password', confirmPassword: 'tokened-password' },
    );
    expect(signup.status).toBe(200);
    const t = await signIn(server.url, email, 'tokened-password');
    const token = (await issue({ bearer: t.access_token })).body.userToken as string;
    expect((await api(server.url, 'GET', '/api/account/profile', asBasic(token))).status).toBe(200);
    const del = await api(server.url, 'DELETE', `/1/objects/users/${t.userId}`, {
      bearer: admin.access_token,
    });
    expect(del.status).toBe(200);
    expect((await api(server.url, 'GET', '/api/account/profile', asBasic(token))).status).toBe(401);
  });
});
