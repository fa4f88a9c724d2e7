import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { signIn, startTestServer, type TokenResponse } from '../testing/test-server';

// Backand's browser client logs its socket in with the user's token AND the app's anonymous
// token, and drops the connection for good on `notAuthorized`. So when the session such a
// socket carries ends, the socket becomes a guest (told by `authorized` with
// {reason: 'sessionEnded', guest: true}) and keeps its connection; nothing private reaches it
// any more. Absence is proved with a later barrier (an emitAll), as in session-revocation.spec.

const APP = 'demo';
const ANON = 'demo-anonymous-token';
let server: RunningServer;
let admin: TokenResponse;
const probes: SocketProbe[] = [];
let seq = 0;

beforeAll(async () => {
  server = await startTestServer();
  admin = await signIn(server.url, 'ada@demo.test', 'ada-password');
});
afterAll(async () => {
  for (const p of probes) p.close();
  await server.close();
});

async function newUser(): Promise<{ email: string; password: string; token: TokenResponse }> {
  const email = `fallback${++seq}@demo.test`;
  const password = `${email}-password`;
  const res = await api(
    server.url,
    'POST',
    '/1/user/signup',
    { headers: { SignUpToken: 'demo-signup-token' } },
    { email, password, confirmPassword: password },
  );
  expect(res.status).toBe(200);
  return { email, password, token: await signIn(server.url, email, password) };
}

/** A socket logged in as the old client does: bearer token and anonymous token. */
async function oldClientSocket(token: TokenResponse, transports = ['websocket']) {
  const p = await SocketProbe.open(server.url, { transports });
  probes.push(p);
  expect(await p.login(`Bearer ${token.access_token}`, ANON, APP)).toBe('authorized');
  return p;
}

async function asAdmin(path: string, body: object): Promise<void> {
  const res = await api(server.url, 'POST', path, { bearer: admin.access_token }, body);
  expect(res.status).toBe(200);
}

/** Sends a note to `owner`, an emitUsers and an emitRole('User'): all private to the user. */
async function privateEvents(owner: string): Promise<string> {
  const tag = `private-${++seq}`;
  await asAdmin('/1/objects/notes', { text: tag, owner });
  await asAdmin('/1/objects/action/items?name=notifyUsers', { users: [owner], message: tag });
  await asAdmin('/1/objects/action/items?name=notifyRole', { role: 'User', message: tag });
  return tag;
}

/** An emitAll every authorized socket gets; resolves its index in the probe's log. */
async function barrier(p: SocketProbe): Promise<number> {
  const message = `barrier-${++seq}`;
  await asAdmin('/1/objects/action/items?name=broadcast', { message });
  return p.waitIndex(
    (e) => e.event === 'broadcast' && (e.data as { message?: string }).message === message,
  );
}

const mentions = (p: SocketProbe, from: number, to: number, tag: string) =>
  p.between(from, to).filter((e) => JSON.stringify(e.data ?? null).includes(tag));

/** Waits for the fall-back notice; then proves private events stop and public ones go on. */
async function expectGuestFromNowOn(p: SocketProbe, from: number, owner: string): Promise<void> {
  const notice = await p.waitFor('authorized', () => true, from);
  expect(notice.data).toEqual({ reason: 'sessionEnded', guest: true });
  const after = p.log.indexOf(notice);
  const tag = await privateEvents(owner);
  const item = `public-${++seq}`;
  await asAdmin('/1/objects/items', { name: item });
  const end = await barrier(p);
  expect(mentions(p, after, end, tag)).toEqual([]);
  // Still connected, as a guest: guests' events (a row everyone may read, emitAll) arrive.
  expect(mentions(p, after, end, item).map((e) => e.event)).toEqual(['items.created']);
  expect(p.names(from)).not.toContain('notAuthorized');
  expect(p.names(from)).not.toContain('$disconnect');
  expect(p.socket.connected).toBe(true);
}

describe('a socket whose login carried the anonymous token too', () => {
  it('gets the user’s private events while the session lives', async () => {
    const u = await newUser();
    const p = await oldClientSocket(u.token);
    const from = p.log.length;
    const tag = await privateEvents(u.email);
    const end = await barrier(p);
    expect(
      mentions(p, from, end, tag)
        .map((e) => e.event)
        .sort(),
    ).toEqual(['notes.created', 'role_message', 'user_message']);
  });

  it('becomes a guest when another device changes the password (and says so)', async () => {
    const u = await newUser();
    const p = await oldClientSocket(u.token);
    const other = await signIn(server.url, u.email, u.password);
    const from = p.log.length;
    const res = await api(
      server.url,
      'POST',
      '/1/user/changePassword',
      { bearer: other.access_token },
      { oldPassword: u.password, newPassword: 'a-new-password' },
    );
    expect(res.status).toBe(200);
    await expectGuestFromNowOn(p, from, u.email);
  });

  it('becomes a guest after a password reset, over the polling transport too', async () => {
    const u = await newUser();
    const p = await oldClientSocket(u.token, ['polling']);
    const from = p.log.length;
    const req = await api(
      server.url,
      'POST',
      '/1/user/requestResetPassword',
      { bearer: admin.access_token },
      { appName: APP, username: u.email },
    );
    const reset = await api(server.url, 'POST', '/1/user/resetPassword', null, {
      newPassword: 'reset-password',
      resetToken: req.body.resetToken,
    });
    expect(reset.status).toBe(200);
    await expectGuestFromNowOn(p, from, u.email);
  });

  it('becomes a guest on sign-out and when the user is deleted', async () => {
    const u = await newUser();
    const p = await oldClientSocket(u.token);
    const from = p.log.length;
    await api(server.url, 'GET', '/1/user/signout', { bearer: u.token.access_token });
    await expectGuestFromNowOn(p, from, u.email);

    const v = await newUser();
    const q = await oldClientSocket(v.token);
    const start = q.log.length;
    const del = await api(server.url, 'DELETE', `/1/objects/users/${v.token.userId}`, {
      bearer: admin.access_token,
    });
    expect(del.status).toBe(200);
    await expectGuestFromNowOn(q, start, v.email);
  });

  it('can log in again afterwards as the same user with a new session', async () => {
    const u = await newUser();
    const p = await oldClientSocket(u.token);
    const from = p.log.length;
    await api(server.url, 'GET', '/1/user/signout', { bearer: u.token.access_token });
    await p.waitFor('authorized', () => true, from);
    const again = await signIn(server.url, u.email, u.password);
    expect(await p.login(`Bearer ${again.access_token}`, ANON, APP)).toBe('authorized');
    const start = p.log.length;
    const tag = await privateEvents(u.email);
    const end = await barrier(p);
    expect(mentions(p, start, end, tag)).toHaveLength(3);
  });

  it('is still refused when its token is already dead at login', async () => {
    const u = await newUser();
    await api(server.url, 'GET', '/1/user/signout', { bearer: u.token.access_token });
    const p = await SocketProbe.open(server.url);
    probes.push(p);
    expect(await p.login(`Bearer ${u.token.access_token}`, ANON, APP)).toBe('notAuthorized');
  });
});
