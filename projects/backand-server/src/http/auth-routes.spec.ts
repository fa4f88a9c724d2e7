import { SignJWT } from 'jose';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const SECRET = 'a-test-secret-of-enough-length';

const authApp: AppDefinitionInput = {
  appName: 'authapp',
  anonymousToken: 'anon-1',
  signUpToken: 'signup-1',
  masterToken: 'master-1',
  userToken: 'user-1',
  secret: SECRET,
  signInLimits: { windowSeconds: 600, maxFailuresPerUser: 3, maxFailuresPerAddress: 1000 },
  users: [
    {
      username: 'ann@a.test',
      password: 'ann-password',
      role: 'User',
      firstName: 'Ann',
      lastName: 'Lee',
    },
    { username: 'max@a.test', password: 'max-password', role: 'Admin' },
    { username: 'kim@a.test', password: 'kim-password', role: 'User' },
  ],
  objects: {
    users: { fields: { nickname: 'string', age: 'int' } },
    things: { fields: { name: 'string' } },
  },
};

function form(fields: Record<string, string>): { body: string; headers: Record<string, string> } {
  return {
    body: new URLSearchParams(fields).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  };
}

async function token(url: string, fields: Record<string, string>) {
  const f = form(fields);
  return api(url, 'POST', '/token', null, f.body, f.headers);
}

describe('auth endpoints (docs/PROTOCOL.md §3–4)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer(authApp);
  });
  afterAll(() => server.close());

  it('signs in with the password grant and answers the Backand token shape', async () => {
    const res = await token(server.url, {
      username: 'ann@a.test',
      password: 'ann-password',
      appName: 'authapp',
      grant_type: 'password',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 86400,
      appName: 'authapp',
      username: 'ann@a.test',
      role: 'User',
      firstName: 'Ann',
      lastName: 'Lee',
      fullName: 'Ann Lee',
      regId: 0,
      userId: expect.stringMatching(/^\d+$/),
      refresh_token: expect.any(String),
    });
  });

  it('accepts the legacy lower-case appname field and a JSON body', async () => {
    const legacy = await token(server.url, {
      username: 'ann@a.test',
      password: 'ann-password',
      appname: 'authapp',
      grant_type: 'password',
    });
    expect(legacy.status).toBe(200);
    const json = await api(server.url, 'POST', '/token', null, {
      username: 'ann@a.test',
      password: 'ann-password',
      appName: 'authapp',
      grant_type: 'password',
    });
    expect(json.status).toBe(200);
  });

  it('refuses a wrong password, an unknown user and another app with 400 invalid_grant', async () => {
    for (const fields of [
      { username: 'ann@a.test', password: 'nope-nope', appName: 'authapp' },
      { username: 'ghost@a.test', password: 'whatever', appName: 'authapp' },
      { username: 'ann@a.test', password: 'ann-password', appName: 'other' },
    ]) {
      const res = await token(server.url, { ...fields, grant_type: 'password' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    }
  });

  it('limits failed sign-ins per user with 429 and a clear text, even for the right password', async () => {
    const fields = { username: 'max@a.test', appName: 'authapp', grant_type: 'password' };
    for (let i = 0; i < 3; i++) {
      expect((await token(server.url, { ...fields, password: `wrong-${i}` })).status).toBe(400);
    }
    const blocked = await token(server.url, { ...fields, password: 'max-password' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe('invalid_grant');
    expect(blocked.body.error_description).toMatch(/Too many failed sign-in attempts/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another user is not affected.
    expect((await signIn(server.url, 'ann@a.test', 'ann-password', 'authapp')).role).toBe('User');
  });

  it('refreshes with the refresh token and answers its successor (each works once)', async () => {
    const first = await signIn(server.url, 'ann@a.test', 'ann-password', 'authapp');
    const refresh = (username: string, refreshToken: string) =>
      token(server.url, { username, refreshToken, appName: 'authapp', grant_type: 'password' });
    const wrongUser = await refresh('kim@a.test', first.refresh_token);
    expect(wrongUser.status).toBe(400);
    const res = await refresh('ann@a.test', first.refresh_token);
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toEqual(expect.any(String));
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect(res.body.username).toBe('ann@a.test');
    const list = await api(server.url, 'GET', '/1/objects/things', {
      bearer: res.body.access_token,
    });
    expect(list.status).toBe(200);
    // The same session: the access token from the sign-in still works.
    const older = await api(server.url, 'GET', '/1/objects/things', {
      bearer: first.access_token,
    });
    expect(older.status).toBe(200);
    const next = await refresh('ann@a.test', res.body.refresh_token);
    expect(next.status).toBe(200);
    // A replay of a rotated token is refused, and ends the session (refresh-reuse.spec.ts).
    const replayed = await refresh('ann@a.test', first.refresh_token);
    expect(replayed.status).toBe(400);
    expect(replayed.body.error).toBe('invalid_grant');
    expect((await refresh('ann@a.test', next.body.refresh_token)).status).toBe(400);
  });

  it('sign-out revokes the refresh token and the session access token', async () => {
    const t = await signIn(server.url, 'ann@a.test', 'ann-password', 'authapp');
    const out = await api(server.url, 'GET', '/1/user/signout', { bearer: t.access_token });
    expect(out.status).toBe(200);
    const refresh = await token(server.url, {
      username: 'ann@a.test',
      refreshToken: t.refresh_token,
      appName: 'authapp',
      grant_type: 'password',
    });
    expect(refresh.status).toBe(400);
    const after = await api(server.url, 'GET', '/1/objects/things', { bearer: t.access_token });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ Message: 'invalid or expired token' });
  });

  it('answers 401 {"Message":"invalid or expired token"} for expired, forged and garbage tokens', async () => {
    const t = await signIn(server.url, 'ann@a.test', 'ann-password', 'authapp');
    const claims = JSON.parse(Buffer.from(t.access_token.split('.')[1]!, 'base64url').toString());
    const expired = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(SECRET));
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-of-enough-length'));
    for (const bad of [expired, forged, 'garbage']) {
      const res = await api(server.url, 'GET', '/1/objects/things', { bearer: bad });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ Message: 'invalid or expired token' });
    }
  });

  it('accepts a lower-case bearer scheme, the anonymous token and Basic master:user', async () => {
    const t = await signIn(server.url, 'ann@a.test', 'ann-password', 'authapp');
    const lower = { headers: { Authorization: `bearer ${t.access_token}` } };
    expect((await api(server.url, 'GET', '/1/objects/things', lower)).status).toBe(200);
    expect(
      (await api(server.url, 'GET', '/1/objects/things', { anonymous: 'anon-1' })).status,
    ).toBe(200);
    const basic = `Basic ${Buffer.from('master-1:user-1').toString('base64')}`;
    const admin = await api(server.url, 'GET', '/1/objects/users', {
      headers: { Authorization: basic },
    });
    expect(admin.status).toBe(200);
    expect(admin.body.totalRows).toBeGreaterThanOrEqual(2);
    const badBasic = `Basic ${Buffer.from('master-1:wrong').toString('base64')}`;
    expect(
      (await api(server.url, 'GET', '/1/objects/things', { headers: { Authorization: badBasic } }))
        .status,
    ).toBe(401);
    expect((await api(server.url, 'GET', '/1/objects/things', { anonymous: 'wrong' })).status).toBe(
      401,
    );
    expect((await api(server.url, 'GET', '/1/objects/things', null)).status).toBe(401);
  });

  it('signs up with the SignUpToken; the role is never the client’s; parameters fill users fields', async () => {
    const body = {
      firstName: 'Neo',
      lastName: 'New',
      email: 'neo@a.test',
      password: 'neo-password',
      confirmPassword: 'neo-password',
      parameters: { nickname: 'the one', age: 33, role: 'Admin' },
      role: 'Admin',
    };
    const noToken = await api(server.url, 'POST', '/1/user/signup', null, body);
    expect(noToken.status).toBe(401);
    const res = await api(
      server.url,
      'POST',
      '/1/user/signup',
      { headers: { SignUpToken: 'signup-1' } },
      body,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'neo@a.test',
      currentStatus: 1,
      message: 'The user is ready to sign in',
      token: expect.any(String),
    });
    // The documented list: 1 ready, 2 waiting for the verification e-mail, 3 for an admin.
    expect(
      res.body.listOfPossibleStatus.map((s: { status: number; message: string }) => [
        s.status,
        /verification/.test(s.message)
          ? 'verify'
          : /administrator/.test(s.message)
            ? 'admin'
            : 'ready',
      ]),
    ).toEqual([
      [1, 'ready'],
      [2, 'verify'],
      [3, 'admin'],
    ]);
    const viaSignUpToken = await api(server.url, 'GET', '/api/account/profile', {
      bearer: res.body.token,
    });
    expect(viaSignUpToken.body.username).toBe('neo@a.test');
    const t = await signIn(server.url, 'neo@a.test', 'neo-password', 'authapp');
    expect(t.role).toBe('User');
    const me = await api(
      server.url,
      'GET',
      `/1/objects/users?filter=${encodeURIComponent(JSON.stringify([{ fieldName: 'email', operator: 'equals', value: 'neo@a.test' }]))}`,
      { bearer: t.access_token },
    );
    expect(me.status).toBe(200);
    expect(me.body.data).toEqual([
      expect.objectContaining({
        email: 'neo@a.test',
        firstName: 'Neo',
        role: 'User',
        nickname: 'the one',
        age: 33,
      }),
    ]);
    const again = await api(
      server.url,
      'POST',
      '/1/user/signup',
      { headers: { SignUpToken: 'signup-1' } },
      body,
    );
    expect(again.status).toBe(409);
  });

  it('rejects sign-ups with mismatched or short passwords and bad emails (400 naming the field)', async () => {
    const h = { headers: { SignUpToken: 'signup-1' } };
    const base = {
      firstName: 'X',
      lastName: 'Y',
      email: 'x@a.test',
      password: 'secret-1',
      confirmPassword: 'secret-1',
    };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, confirmPassword: 'other-1' }, 'confirmPassword'],
      [{ ...base, password: '123', confirmPassword: '123' }, 'password'],
      [{ ...base, email: 'not-an-email' }, 'email'],
      [{ ...base, parameters: { age: 'old' } }, 'age'],
    ];
    for (const [body, field] of cases) {
      const res = await api(server.url, 'POST', '/1/user/signup', h, body);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe(field);
      expect(res.body.Message).toContain(field);
    }
  });

  it('changes the password of the signed-in user', async () => {
    await api(
      server.url,
      'POST',
      '/1/user/signup',
      { headers: { SignUpToken: 'signup-1' } },
      {
        email: 'pat@a.test',
        password: 'first-pass',
        confirmPassword: 'first-pass',
        firstName: 'Pat',
        lastName: 'P',
      },
    );
    const t = await signIn(server.url, 'pat@a.test', 'first-pass', 'authapp');
    const wrong = await api(
      server.url,
      'POST',
      '/1/user/changePassword',
      { bearer: t.access_token },
      {
        oldPassword: 'not-it',
        newPassword: 'second-pass',
      },
    );
    expect(wrong.status).toBe(400);
    const ok = await api(
      server.url,
      'POST',
      '/1/user/changePassword',
      { bearer: t.access_token },
      {
        oldPassword: 'first-pass',
        newPassword: 'second-pass',
      },
    );
    expect(ok.status).toBe(200);
    await expect(signIn(server.url, 'pat@a.test', 'first-pass', 'authapp')).rejects.toThrow(/400/);
    expect((await signIn(server.url, 'pat@a.test', 'second-pass', 'authapp')).username).toBe(
      'pat@a.test',
    );
    const guest = await api(
      server.url,
      'POST',
      '/1/user/changePassword',
      { anonymous: 'anon-1' },
      {
        oldPassword: 'x',
        newPassword: 'second-pass',
      },
    );
    expect(guest.status).toBe(403);
  });

  it('resets a password with a one-time reset token', async () => {
    await api(
      server.url,
      'POST',
      '/1/user/signup',
      { headers: { SignUpToken: 'signup-1' } },
      {
        email: 'rex@a.test',
        password: 'rex-pass-1',
        confirmPassword: 'rex-pass-1',
      },
    );
    const anonymous = await api(server.url, 'POST', '/1/user/requestResetPassword', null, {
      appName: 'authapp',
      username: 'rex@a.test',
    });
    expect(anonymous.status).toBe(200);
    // An empty body, as Backand answered (its clients compare the answer with '').
    expect(anonymous.body).toBeUndefined();
    const unknown = await api(server.url, 'POST', '/1/user/requestResetPassword', null, {
      appName: 'authapp',
      username: 'nobody@a.test',
    });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toBeUndefined();
    const basic = `Basic ${Buffer.from('master-1:user-1').toString('base64')}`;
    const req = await api(
      server.url,
      'POST',
      '/1/user/requestResetPassword',
      { headers: { Authorization: basic } },
      {
        appName: 'authapp',
        username: 'rex@a.test',
      },
    );
    expect(req.status).toBe(200);
    const resetToken = req.body.resetToken as string;
    expect(resetToken).toEqual(expect.any(String));
    const reset = await api(server.url, 'POST', '/1/user/resetPassword', null, {
      newPassword: 'rex-pass-2',
      resetToken,
    });
    expect(reset.status).toBe(200);
    expect((await signIn(server.url, 'rex@a.test', 'rex-pass-2', 'authapp')).username).toBe(
      'rex@a.test',
    );
    const reused = await api(server.url, 'POST', '/1/user/resetPassword', null, {
      newPassword: 'rex-pass-3',
      resetToken,
    });
    expect(reused.status).toBe(400);
    expect(reused.body.Message).toMatch(/invalid or expired/);
  });

  it('returns the profile of the token’s user, without tokens', async () => {
    const t = await signIn(server.url, 'ann@a.test', 'ann-password', 'authapp');
    const res = await api(server.url, 'GET', '/api/account/profile', { bearer: t.access_token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      appName: 'authapp',
      username: 'ann@a.test',
      role: 'User',
      firstName: 'Ann',
      lastName: 'Lee',
      fullName: 'Ann Lee',
      regId: 0,
      userId: t.userId,
    });
  });

  it('answers a guest the guest profile, with the app’s anonymous role', async () => {
    const res = await api(server.url, 'GET', '/api/account/profile', { anonymous: 'anon-1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      appName: 'authapp',
      username: 'Guest',
      role: 'Public',
      firstName: 'anonymous',
      lastName: 'anonymous',
      fullName: '',
      regId: 0,
      userId: null,
    });
    const wrong = await api(server.url, 'GET', '/api/account/profile', { anonymous: 'anon-2' });
    expect(wrong.status).toBe(401);
    const master = `Basic ${Buffer.from('master-1:user-1').toString('base64')}`;
    const asMaster = await api(server.url, 'GET', '/api/account/profile', {
      headers: { Authorization: master },
    });
    expect(asMaster.status).toBe(403);
  });
});
