import { PassThrough } from 'node:stream';
import { isInternal } from './actions/http-policy';
import type { RunningServer } from './server-options';
import { api } from './testing/http-client';
import { SocketProbe } from './testing/fixtures/socket-probe';
import { signIn, startTestServer, type TokenResponse } from './testing/test-server';

// Security review findings. Each test states the behaviour the server should have and FAILS
// today; it names the flaw. Real server (in-memory SQLite) and real HTTP, as the other specs.

const ANON = 'demo-anonymous-token';

describe('security review: real server', () => {
  let server: RunningServer;
  let ada: TokenResponse;
  let ann: TokenResponse;
  const log: string[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
    server = await startTestServer(undefined, { logLevel: 'debug', logStream: stream });
    [ada, ann] = await Promise.all([
      signIn(server.url, 'ada@demo.test', 'ada-password'),
      signIn(server.url, 'ann@demo.test', 'ann-password'),
    ]);
  });
  afterAll(() => server.close());

  it('bulk: a bogus Authorization header does not lift the guest cap of 100 entries', async () => {
    // A guest (who holds only the public anonymous token) sends any Authorization value on the
    // bulk call itself and its own AnonymousToken on each entry: the call is no longer counted
    // as a guest's, so it may carry 1000 entries, each run as the guest.
    const entries = Array.from({ length: 101 }, () => ({
      method: 'GET',
      url: '/1/objects/metrics?pageSize=1',
      headers: { AnonymousToken: ANON },
    }));
    const res = await api(
      server.url,
      'POST',
      '/1/bulk',
      { headers: { Authorization: 'Bearer not-a-token' } },
      entries,
    );
    // Before the fix: 200, and all 101 entries ran with the guest's rights.
    expect(res.body.length ?? 0).not.toBe(101);
    expect(res.status).toBe(400);
  });

  it('query-string credentials: a percent-encoded parameter name authenticates and is still redacted from the log', async () => {
    const me = await signIn(server.url, 'ann@demo.test', 'ann-password');
    // Fastify decodes parameter names, so "%61uthorization" is "authorization" to the server,
    // and the log redaction compares the decoded name too.
    const res = await api(
      server.url,
      'GET',
      `/api/account/profile?%61uthorization=bearer+${me.access_token}&%41nonymousToken=${ANON}`,
      null,
    );
    expect(res.status).toBe(200);
    expect(res.body.username).toBe('ann@demo.test');
    const lines = log.join('');
    expect(lines).toContain('/api/account/profile');
    expect(lines).not.toContain(me.access_token);
    expect(lines).not.toContain(ANON);
  });

  it('password reset: an earlier reset token stops working once the password is reset with a later one', async () => {
    const email = 'reset-victim@demo.test';
    const created = await api(
      server.url,
      'POST',
      '/1/user/signup',
      { headers: { SignUpToken: 'demo-signup-token' } },
      { email, password: 'first-password', confirmPassword: 'first-password' },
    );
    expect(created.status).toBe(200);
    const request = async () => {
      // An admin caller gets the token in the answer (the user would get it by mail).
      const res = await api(
        server.url,
        'POST',
        '/1/user/requestResetPassword',
        { bearer: ada.access_token },
        { username: email, appName: 'demo' },
      );
      expect(res.status).toBe(200);
      return res.body.resetToken as string;
    };
    // An old token (say, from a mailbox someone else could read for a while) and a new one.
    const stale = await request();
    const fresh = await request();
    const recovered = await api(server.url, 'POST', '/1/user/resetPassword', null, {
      resetToken: fresh,
      newPassword: 'owner-password',
    });
    expect(recovered.status).toBe(200);
    // The owner has recovered the account; the stale token must not take it over again.
    const takeover = await api(server.url, 'POST', '/1/user/resetPassword', null, {
      resetToken: stale,
      newPassword: 'thief-password',
    });
    expect(takeover.status).toBe(400);
  });

  it('password change: reset tokens issued before it stop working', async () => {
    const reset = await api(
      server.url,
      'POST',
      '/1/user/requestResetPassword',
      { bearer: ada.access_token },
      { username: 'ann@demo.test', appName: 'demo' },
    );
    expect(reset.status).toBe(200);
    const token = reset.body.resetToken as string;
    const changed = await api(
      server.url,
      'POST',
      '/1/user/changePassword',
      { bearer: ann.access_token },
      { oldPassword: 'ann-password', newPassword: 'ann-new-password' },
    );
    expect(changed.status).toBe(200);
    const takeover = await api(server.url, 'POST', '/1/user/resetPassword', null, {
      resetToken: token,
      newPassword: 'thief-password',
    });
    expect(takeover.status).toBe(400);
  });
});

describe('security review: $http address policy', () => {
  it('$http: NAT64, 6to4 and IPv4-compatible IPv6 forms of internal IPv4 addresses are internal', () => {
    // On IPv6-only hosts with DNS64/NAT64, 64:ff9b::/96 reaches the IPv4 network through the
    // NAT64 gateway: a listed name with an AAAA record 64:ff9b::a00:1 reaches 10.0.0.1.
    expect(isInternal('64:ff9b::a00:1')).toBe(true); // 10.0.0.1
    expect(isInternal('64:ff9b::a9fe:a9fe')).toBe(true); // 169.254.169.254
    expect(isInternal('64:ff9b:1::a00:1')).toBe(true); // local-use NAT64 prefix (RFC 8215)
    expect(isInternal('::7f00:1')).toBe(true); // IPv4-compatible ::127.0.0.1 (deprecated ::/96)
    expect(isInternal('fec0::1')).toBe(true); // site-local (deprecated, still routed by some)
    expect(isInternal('::ffff:7f00:1')).toBe(true); // IPv4-mapped 127.0.0.1 written in hex
    expect(isInternal('2002:a9fe:a9fe::1')).toBe(true); // 6to4 of 169.254.169.254
    expect(isInternal('2001:0:4136:e378::1')).toBe(true); // Teredo
    // Public addresses stay reachable, in every form.
    expect(isInternal('64:ff9b::808:808')).toBe(false); // NAT64 of 8.8.8.8
    expect(isInternal('2002:808:808::1')).toBe(false); // 6to4 of 8.8.8.8
    expect(isInternal('2606:4700:4700::1111')).toBe(false);
    expect(isInternal('::1')).toBe(true);
  });
});

describe('security review: live query budget', () => {
  let server: RunningServer;
  const probes: SocketProbe[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const p of probes) p.close();
    await server.close();
  });

  it('live queries: guests cannot take the whole server budget of distinct queries', async () => {
    // 32 per socket, 10,000 distinct per server, and no limit on a client's sockets: a guest
    // with the public anonymous token opens 313 sockets and holds every distinct query. (Each
    // of them is also matched, with its own SQL, against every later write of "items".)
    const SOCKETS = 313;
    const PER_SOCKET = 32;
    let n = 0;
    for (let s = 0; s < SOCKETS; s++) {
      const p = await SocketProbe.open(server.url);
      probes.push(p);
      expect(await p.login(null, ANON, 'demo')).toBe('authorized');
      const acks = await Promise.all(
        Array.from({ length: PER_SOCKET }, () =>
          p.socket.emitWithAck('liveQuery', { object: 'items', search: `x${++n}` }),
        ),
      );
      if (acks.some((a: { ok: boolean }) => !a.ok)) break;
    }
    const ann = await signIn(server.url, 'ann@demo.test', 'ann-password');
    const victim = await SocketProbe.open(server.url);
    probes.push(victim);
    expect(await victim.login(`Bearer ${ann.access_token}`, ANON, 'demo')).toBe('authorized');
    const ack = (await victim.socket.emitWithAck('liveQuery', { object: 'items' })) as {
      ok: boolean;
      status?: number;
    };
    // Before the fix: {ok: false, status: 503} for every other client of the server.
    expect(ack.status).toBeUndefined();
    expect(ack).toMatchObject({ ok: true });
  }, 120_000);
});
