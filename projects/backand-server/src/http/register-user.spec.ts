import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const app: AppDefinitionInput = {
  appName: 'regapp',
  anonymousToken: 'reg-anon',
  masterToken: 'reg-master',
  userToken: 'reg-user',
  signUpRole: 'Member',
  users: [
    { username: 'boss@reg.test', password: 'boss-password', role: 'Admin' },
    { username: 'mo@reg.test', password: 'mo-password', role: 'Member' },
  ],
  objects: {
    // Members may add their own users row (an app that lets people fill in their profile).
    users: { fields: { nick: 'string' }, permissions: { Admin: 'crud', Member: 'cr' } },
  },
};

const master: Auth = {
  headers: { Authorization: `Basic ${Buffer.from('reg-master:reg-user').toString('base64')}` },
};

describe('users made through the users object and POST /1/user', () => {
  let server: RunningServer;
  let boss: Auth;
  let mo: Auth;

  beforeAll(async () => {
    server = await startTestServer(app);
    boss = {
      bearer: (await signIn(server.url, 'boss@reg.test', 'boss-password', 'regapp')).access_token,
    };
    mo = {
      bearer: (await signIn(server.url, 'mo@reg.test', 'mo-password', 'regapp')).access_token,
    };
  });
  afterAll(() => server.close());

  const getUser = async (email: string) => {
    const filter = encodeURIComponent(
      JSON.stringify([{ fieldName: 'email', operator: 'equals', value: email }]),
    );
    return (await api(server.url, 'GET', `/1/objects/users?filter=${filter}`, boss)).body.data[0];
  };

  it("gives a users row without a role the app's default role", async () => {
    const res = await api(server.url, 'POST', '/1/objects/users', boss, {
      email: 'Row@Reg.test',
      firstName: 'Row',
      lastName: 'Made',
    });
    expect(res.status).toBe(200);
    expect(await getUser('row@reg.test')).toMatchObject({ email: 'row@reg.test', role: 'Member' });
  });

  it('lets an admin choose the role, and no one else', async () => {
    await api(server.url, 'POST', '/1/objects/users', boss, {
      email: 'ed@reg.test',
      role: 'Admin',
    });
    expect((await getUser('ed@reg.test')).role).toBe('Admin');
    const escalation = await api(server.url, 'POST', '/1/objects/users', mo, {
      email: 'mo2@reg.test',
      role: 'Admin',
    });
    expect(escalation.status).toBe(403);
    expect(escalation.body.Message).toMatch(/role/);
  });

  it('registers a users row made through the object (the docs sync action), once', async () => {
    await api(server.url, 'POST', '/1/objects/users', boss, { email: 'sync@reg.test', nick: 's' });
    // A row made through the object has no password: it cannot sign in yet.
    await expect(signIn(server.url, 'sync@reg.test', 'sync-password', 'regapp')).rejects.toThrow(
      /400/,
    );
    const backandUser = {
      password: 'sync-password',
      confirmPassword: 'sync-password',
      email: 'sync@reg.test',
      firstName: 'Syn',
      lastName: 'C',
    };
    const res = await api(server.url, 'POST', '/1/user', boss, backandUser, { AppName: 'regapp' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'sync@reg.test', role: 'Member' });
    const signedIn = await signIn(server.url, 'sync@reg.test', 'sync-password', 'regapp');
    expect(signedIn.role).toBe('Member');
    expect((await getUser('sync@reg.test')).nick).toBe('s');
    const again = await api(server.url, 'POST', '/1/user', boss, backandUser);
    expect(again.status).toBe(409);
    // The password was not replaced by the refused call.
    await expect(
      signIn(server.url, 'sync@reg.test', 'sync-password', 'regapp'),
    ).resolves.toBeTruthy();
  });

  it('registers a new user with the master key, with the default role', async () => {
    const res = await api(server.url, 'POST', '/1/user', master, {
      email: 'New@Reg.test',
      password: 'new-password',
      firstName: 'New',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'new@reg.test', role: 'Member', firstName: 'New' });
    expect((await signIn(server.url, 'new@reg.test', 'new-password', 'regapp')).role).toBe(
      'Member',
    );
  });

  it('refuses non-admins, guests and bad input, and keeps the data', async () => {
    const body = { email: 'x@reg.test', password: 'x-password' };
    expect((await api(server.url, 'POST', '/1/user', mo, body)).status).toBe(403);
    expect((await api(server.url, 'POST', '/1/user', { anonymous: 'reg-anon' }, body)).status).toBe(
      403,
    );
    expect((await api(server.url, 'POST', '/1/user', null, body)).status).toBe(401);
    expect(
      (await api(server.url, 'POST', '/1/user', boss, { email: 'nope', password: 'x-password' }))
        .status,
    ).toBe(400);
    expect(
      (await api(server.url, 'POST', '/1/user', boss, { email: 'y@reg.test', password: 'short' }))
        .status,
    ).toBe(400);
    expect(
      (await api(server.url, 'POST', '/1/user', boss, { ...body, confirmPassword: 'other-pass' }))
        .status,
    ).toBe(400);
    expect(await getUser('x@reg.test')).toBeUndefined();
    expect(await getUser('y@reg.test')).toBeUndefined();
  });
});
