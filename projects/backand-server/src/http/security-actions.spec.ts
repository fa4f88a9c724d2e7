import type { AppDefinitionInput } from '../app-definition/schema';
import { validateAppDefinition } from '../app-definition/load-app-definition';
import type { RunningServer } from '../server-options';
import { freePort } from '../testing/fixtures/cli-process';
import { api } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const MASTER = 'sec-master';
const USER_KEY = 'sec-user-key';
const admin = { headers: { Authorization: `Basic ${btoa(`${MASTER}:${USER_KEY}`)}` } };

/** `POST /token` as a form, as Backand's clients send it. */
function token(url: string, appName: string, fields: Record<string, string>) {
  return api(
    url,
    'POST',
    '/token',
    null,
    new URLSearchParams({ appName, grant_type: 'password', ...fields }).toString(),
    { 'Content-Type': 'application/x-www-form-urlencoded' },
  );
}

/**
 * The docs' SMS sign-in ("Enabling SMS-based Authentication", common use cases): its
 * `backandAuthOverride`, word for word but for the two keys (this app's master and user tokens).
 */
const SMS_OVERRIDE = `// backandAuthOverride action
// Required parameters (in the parameters object): token, sessionId
'use strict';
function backandCallback(userInput, dbRow, parameters, userProfile) {

    //Example for SSO in OAuth 2.0 standard
    // Get the token and session ID from the parameters
    var token = parameters.token;
    var sessionId = parameters.sessionId;

    //Check if token exists and not in use
    var master_key = '${MASTER}';
    var user_key = '${USER_KEY}';

    var res = $http({
        method: "GET",
        url: CONSTS.apiUrl + "/1/objects/tokens",
        params: {
            filter: [
            {
                fieldName: "sessionId",
                operator: "equals",
                value: sessionId
            },
            {
                fieldName: "token",
                operator: "equals",
                value: token
            },
            {
                fieldName: "used",
                operator: "equals",
                value: false
            },
            ]
        },
        headers:{'Authorization':'basic ' + btoa (master_key + ':'+ user_key) }
    });

    //Generate a temporary password and username to serve as user input.
    var result = "deny";
    if(res.data.length == 1){

      result = "allow";

      //set the username and password
      var randomText = function (length) {
        if (!length) length = 10;
        return Math.random().toString(36).slice(2,length);
	    }
	    userInput.username = randomText(10) + '@domain.com';
	    userInput.passsword = randomText(18);

	    //Update the token to mark it used.
      var response = $http({
        method: "PUT",
        url: CONSTS.apiUrl + "/1/objects/tokens/" + res.data[0].id,
        data: {
            used: true
        },
        headers:{'Authorization':'basic ' + btoa (master_key + ':'+ user_key) }
      });
    }
   return {"result": result, "message":"Incorrect information", "additionalTokenInfo":{}};
}`;

describe("security actions: the docs' SMS sign-in (backandAuthOverride with $http)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    const port = await freePort();
    server = await startTestServer(
      {
        appName: 'smsapp',
        anonymousToken: 'sms-anon',
        masterToken: MASTER,
        userToken: USER_KEY,
        signInLimits: { windowSeconds: 600, maxFailuresPerUser: 3 },
        users: [{ username: 'ola@sms.test', password: 'ola-password', role: 'User' }],
        // The docs' token object, only for admins.
        objects: {
          tokens: {
            fields: {
              token: { type: 'string', required: true },
              sessionId: { type: 'string', required: true, unique: true },
              used: { type: 'boolean', defaultValue: false },
            },
            permissions: { Admin: 'crud' },
          },
        },
        http: { allowedHosts: [`127.0.0.1:${port}`] },
        securityActions: { backandAuthOverride: { code: SMS_OVERRIDE } },
      },
      { port },
    );
  });
  afterAll(() => server.close());

  const smsSignIn = (username: string, code: string, sessionId: string) =>
    token(server.url, 'smsapp', {
      username,
      password: 'anything',
      parameters: JSON.stringify({ token: code, sessionId }),
    });

  it('signs in with a right code once, as a new user, and marks the code used', async () => {
    const made = await api(server.url, 'POST', '/1/objects/tokens', admin, {
      token: '123456',
      sessionId: 'session-one',
    });
    expect(made.status).toBe(200);
    const first = await smsSignIn('anyone', '123456', 'session-one');
    expect(first.status).toBe(200);
    // The action named a new, random user: registered with the app's sign-up role.
    expect(first.body.username).toMatch(/^[a-z0-9]+@domain\.com$/);
    expect(first.body.role).toBe('User');
    const me = await api(server.url, 'GET', '/api/account/profile', {
      bearer: first.body.access_token,
    });
    expect(me.body.username).toBe(first.body.username);
    const row = await api(server.url, 'GET', `/1/objects/tokens/${made.body.__metadata.id}`, admin);
    expect(row.body.used).toBe(true);
    // Used: the same code is refused with the action's message.
    const again = await smsSignIn('anyone', '123456', 'session-one');
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Incorrect information',
    });
  });

  it('refuses a wrong code, and counts each denial against the sign-in limits', async () => {
    await api(server.url, 'POST', '/1/objects/tokens', admin, {
      token: '654321',
      sessionId: 'session-two',
    });
    for (let i = 0; i < 3; i++) {
      const wrong = await smsSignIn('guesser', `00000${i}`, 'session-two');
      expect(wrong.status).toBe(400);
      expect(wrong.body.error_description).toBe('Incorrect information');
    }
    // Blocked now, even with the right code.
    const blocked = await smsSignIn('guesser', '654321', 'session-two');
    expect(blocked.status).toBe(429);
    // The code was not spent by the blocked attempt; another name may use it.
    expect((await smsSignIn('someone-else', '654321', 'session-two')).status).toBe(200);
  });

  it('denies a password sign-in too: the action decides every sign-in', async () => {
    const res = await token(server.url, 'smsapp', {
      username: 'ola@sms.test',
      password: 'ola-password',
    });
    expect(res.status).toBe(400);
    expect(res.body.error_description).toBe('Incorrect information');
  });
});

describe('security actions: users create triggers on sign-up, backandAuthOverride outcomes, accessFilter', () => {
  let server: RunningServer;
  const app: AppDefinitionInput = {
    appName: 'secapp',
    anonymousToken: 'sec-anon',
    signUpToken: 'sec-signup',
    masterToken: MASTER,
    userToken: USER_KEY,
    signInLimits: { windowSeconds: 600, maxFailuresPerUser: 3 },
    users: [
      { username: 'ann@b.test', password: 'ann-password', role: 'User' },
      { username: 'kim@b.test', password: 'kim-password', role: 'User' },
      { username: 'banned@b.test', password: 'banned-password', role: 'User' },
      { username: 'odd@b.test', password: 'odd-password', role: 'User' },
    ],
    objects: {
      audit: { fields: { email: 'string', role: 'string' }, permissions: { Admin: 'crud' } },
      users: {
        fields: { company: 'string' },
        actions: [
          {
            name: 'refuse',
            trigger: 'beforeCreate',
            where: "userInput.email.indexOf('blocked') === 0",
            code: `function backandCallback(userInput) { throw new Error('Sign-ups from ' + userInput.email + ' are closed'); }`,
          },
          {
            // The docs' User Registration example.
            name: 'publicRole',
            trigger: 'beforeCreate',
            where: 'parameters.public === true',
            code: `function backandCallback(userInput, dbRow, parameters, userProfile) {
  //Create new Security Action in Before Create trigger with the following
  //code (this will update the role to 'Public'):
  userInput.Role = 'Public';
}`,
          },
          {
            name: 'check',
            trigger: 'duringCreate',
            code: `function backandCallback(userInput, dbRow) {
              if (!(dbRow.id > 0)) throw new Error('no id');
              if (dbRow.company === 'rollback') throw new Error('rolled back in during');
            }`,
          },
          {
            name: 'audit',
            trigger: 'afterCreate',
            code: `function backandCallback(userInput, dbRow) {
              $http({ method: 'POST', url: CONSTS.apiUrl + '/1/objects/audit',
                data: { email: dbRow.email, role: dbRow.role },
                headers: { Authorization: 'basic ' + btoa('${MASTER}:${USER_KEY}') } });
            }`,
          },
        ],
      },
    },
    securityActions: {
      backandAuthOverride: {
        code: `function backandCallback(userInput, dbRow, parameters, userProfile) {
          switch (parameters.mode) {
            case 'throw': throw new Error('directory unreachable');
            case 'junk': return 42;
            case 'deny': return { result: 'deny', message: 'Not in the directory' };
            case 'profile': return { result: 'deny', message: JSON.stringify({
              input: userInput, profile: { username: userProfile.username, role: userProfile.role },
              body: request.body }) };
            case 'allow':
              if (parameters.as) userInput.username = parameters.as;
              return { result: 'allow', additionalTokenInfo: { employeeId: 7, role: 'Hacker', access_token: 'forged' } };
            case 'word': return 'ignore';
          }
        }`,
      },
      accessFilter: {
        code: `function backandCallback(userInput, dbRow, parameters, userProfile) {
          if (userProfile.username === 'odd@b.test') return 'maybe';
          if (userProfile.username === 'banned@b.test' || (dbRow && dbRow.company === 'banned')) {
            return { result: 'deny', message: 'Account suspended' };
          }
          return 'allow';
        }`,
      },
    },
  };

  beforeAll(async () => {
    const port = await freePort();
    server = await startTestServer(
      { ...app, http: { allowedHosts: [`127.0.0.1:${port}`] } },
      { port },
    );
  });
  afterAll(() => server.close());

  const signUp = (email: string, parameters: Record<string, unknown> = {}) =>
    api(
      server.url,
      'POST',
      '/1/user/signup',
      null,
      {
        firstName: 'F',
        lastName: 'L',
        email,
        password: 'secret-pw',
        confirmPassword: 'secret-pw',
        parameters,
      },
      { SignUpToken: 'sec-signup' },
    );
  const withMode = (
    username: string,
    mode: string,
    extra: Record<string, unknown> = {},
    password = 'whatever',
  ) =>
    token(server.url, 'secapp', {
      username,
      password,
      parameters: JSON.stringify({ mode, ...extra }),
    });
  const userRow = async (email: string) =>
    (
      await api(
        server.url,
        'GET',
        `/1/objects/users?filter=${encodeURIComponent(JSON.stringify([{ fieldName: 'email', operator: 'equals', value: email }]))}`,
        admin,
      )
    ).body.data[0];
  const audited = async (email: string) =>
    (
      await api(
        server.url,
        'GET',
        `/1/objects/audit?filter=${encodeURIComponent(JSON.stringify([{ fieldName: 'email', operator: 'equals', value: email }]))}`,
        admin,
      )
    ).body.data;

  it("runs the docs' before-create action on sign-up: userInput.Role = 'Public'", async () => {
    const res = await signUp('pat@b.test', { public: true, company: 'Acme' });
    expect(res.status).toBe(200);
    expect(res.body.currentStatus).toBe(1);
    const me = await signIn(server.url, 'pat@b.test', 'secret-pw', 'secapp');
    expect(me.role).toBe('Public');
    expect(await userRow('pat@b.test')).toMatchObject({ role: 'Public', company: 'Acme' });
    // afterCreate ran once the row was committed, with the row as stored.
    expect(await audited('pat@b.test')).toEqual([expect.objectContaining({ role: 'Public' })]);
  });

  it('keeps the sign-up role when no action changes it, whatever the parameters name', async () => {
    const res = await signUp('sam@b.test', { role: 'Admin', Role: 'Admin', ROLE: 'Admin' });
    expect(res.status).toBe(200);
    expect((await signIn(server.url, 'sam@b.test', 'secret-pw', 'secapp')).role).toBe('User');
  });

  it('refuses a sign-up a before-create action throws on: 417 with its message, nothing stored', async () => {
    const res = await signUp('blocked@b.test');
    expect(res.status).toBe(417);
    expect(res.body).toEqual({
      Message: 'Sign-ups from blocked@b.test are closed',
      action: 'refuse',
    });
    expect(await userRow('blocked@b.test')).toBeUndefined();
    expect(
      (await token(server.url, 'secapp', { username: 'blocked@b.test', password: 'secret-pw' }))
        .status,
    ).toBe(400);
  });

  it('rolls a sign-up back when a during-create action fails; the name stays free', async () => {
    const res = await signUp('rolf@b.test', { company: 'rollback' });
    expect(res.status).toBe(417);
    expect(res.body.Message).toBe('rolled back in during');
    expect(await userRow('rolf@b.test')).toBeUndefined();
    expect(await audited('rolf@b.test')).toEqual([]);
    expect((await signUp('rolf@b.test', { company: 'fine' })).status).toBe(200);
  });

  it("hands backandAuthOverride {username, password}, the request's parameters and a guest profile", async () => {
    const res = await withMode('Someone@B.test', 'profile', {}, 'pw-given');
    expect(res.status).toBe(400);
    const seen = JSON.parse(res.body.error_description);
    expect(seen.input).toEqual({ username: 'Someone@B.test', password: 'pw-given' });
    expect(seen.profile).toEqual({ username: null, role: 'Public' });
    // The request global carries no password.
    expect(seen.body).toMatchObject({ username: 'Someone@B.test', grant_type: 'password' });
    expect(seen.body.password).toBeUndefined();
  });

  it('falls back to the password check on ignore (an object, a word, or no answer)', async () => {
    for (const mode of ['none', 'word']) {
      expect((await withMode('kim@b.test', mode, {}, 'kim-password')).status).toBe(200);
      expect((await withMode('kim@b.test', mode, {}, 'wrong-password')).status).toBe(400);
    }
  });

  it('answers 417 for an action that throws or returns junk, never signing in, and counts them', async () => {
    const thrown = await withMode('ann@b.test', 'throw', {}, 'ann-password');
    expect(thrown.status).toBe(417);
    expect(thrown.body).toEqual({
      error: 'invalid_grant',
      error_description: 'directory unreachable',
      action: 'backandAuthOverride',
    });
    const junk = await withMode('ann@b.test', 'junk', {}, 'ann-password');
    expect(junk.status).toBe(417);
    expect(junk.body.error_description).toMatch(/must return "allow", "deny", "ignore"/);
    expect(junk.body.access_token).toBeUndefined();
    // Two failures so far; a denial is the third; then the right password is refused.
    const denied = await withMode('ann@b.test', 'deny');
    expect(denied.status).toBe(400);
    expect(denied.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Not in the directory',
    });
    expect((await withMode('ann@b.test', 'none', {}, 'ann-password')).status).toBe(429);
  });

  it('signs in an unknown user the action allows: registered without a password, extra token info added', async () => {
    const res = await withMode('someone', 'allow', { as: 'New.Person@B.test' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'new.person@b.test',
      role: 'User',
      token_type: 'bearer',
      employeeId: 7,
    });
    // additionalTokenInfo never replaces the standard fields.
    expect(res.body.access_token).not.toBe('forged');
    const list = await api(server.url, 'GET', '/api/account/profile', {
      bearer: res.body.access_token,
    });
    expect(list.status).toBe(200);
    expect(list.body.role).toBe('User');
    // Registered through the users object: its create actions ran.
    expect(await audited('new.person@b.test')).toHaveLength(1);
    // No password: the normal check never lets it in.
    expect((await withMode('new.person@b.test', 'none', {}, '')).status).toBe(400);
    // Allowed again: the same user, not a second one.
    const again = await withMode('x', 'allow', { as: 'new.person@b.test' });
    expect(again.body.userId).toBe(res.body.userId);
  });

  it('refuses a token accessFilter denies, at sign-in, sign-up and refresh', async () => {
    const banned = await token(server.url, 'secapp', {
      username: 'banned@b.test',
      password: 'banned-password',
    });
    expect(banned.status).toBe(400);
    expect(banned.body).toEqual({ error: 'invalid_grant', error_description: 'Account suspended' });
    // Also when backandAuthOverride allows.
    expect((await withMode('x', 'allow', { as: 'banned@b.test' })).status).toBe(400);

    const signedUp = await signUp('ben@b.test', { company: 'banned' });
    expect(signedUp.status).toBe(200);
    expect(signedUp.body.currentStatus).toBe(1);
    expect(signedUp.body.token).toBeUndefined();

    const dana = await signUp('dana@b.test', { company: 'Acme' });
    expect(dana.body.token).toEqual(expect.any(String));
    const session = await signIn(server.url, 'dana@b.test', 'secret-pw', 'secapp');
    const row = await userRow('dana@b.test');
    await api(server.url, 'PUT', `/1/objects/users/${row.id}`, admin, { company: 'banned' });
    const refresh = () =>
      token(server.url, 'secapp', {
        username: 'dana@b.test',
        refresh_token: session.refresh_token,
      });
    const refused = await refresh();
    expect(refused.status).toBe(400);
    expect(refused.body.error_description).toBe('Account suspended');
    // The denial did not use the refresh token up: allowed again, it works.
    await api(server.url, 'PUT', `/1/objects/users/${row.id}`, admin, { company: 'Acme' });
    expect((await refresh()).status).toBe(200);
  });

  it('answers 417 in the token shape when accessFilter answers junk, issuing no token', async () => {
    const res = await token(server.url, 'secapp', {
      username: 'odd@b.test',
      password: 'odd-password',
    });
    expect(res.status).toBe(417);
    expect(res.body).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/^accessFilter must return/),
      action: 'accessFilter',
    });
  });
});

describe('security actions in the app definition', () => {
  const base = { appName: 'x' };

  it('checks them at start, naming the path', () => {
    expect(() =>
      validateAppDefinition(
        { ...base, securityActions: { socialAuthOverride: { code: 'x' } } },
        undefined,
      ),
    ).toThrow(/securityActions/);
    expect(() =>
      validateAppDefinition(
        {
          ...base,
          securityActions: {
            accessFilter: { code: 'function backandCallback() {}', file: 'a.js' },
          },
        },
        undefined,
      ),
    ).toThrow(/securityActions\.accessFilter.*exactly one of "code" or "file"/s);
    expect(() =>
      validateAppDefinition(
        { ...base, securityActions: { backandAuthOverride: { code: 'function (' } } },
        undefined,
      ),
    ).toThrow(/securityActions\.backandAuthOverride\.code.*does not compile/s);
    expect(() =>
      validateAppDefinition(
        {
          ...base,
          securityActions: {
            accessFilter: { code: 'function backandCallback() {}', where: 'a b' },
          },
        },
        undefined,
      ),
    ).toThrow(/securityActions\.accessFilter\.where/);
  });
});
