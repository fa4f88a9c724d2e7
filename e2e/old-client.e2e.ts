import { type Browser, expect, test } from '@playwright/test';
import { unique } from './support/demo-api';
import { bearerOf, rest, startOldClientApi } from './support/old-client-api';
import { OLD_APP } from './support/old-client-app';
import { OldClientPage, type Settled } from './support/old-client-page';
import { startOldClientSite } from './support/old-client-site';

// An app written for hosted Backand, unchanged but for its API URL: Backand's own browser client
// (@backand/vanilla-sdk 1.2.15) with socket.io-client 2.x as the global `io`, on a page of its
// own origin, against backand-server allowing only that origin. Each call is the client's own
// (its requests, its encodings, its interceptors); the test reads what it resolves.

type Site = Awaited<ReturnType<typeof startOldClientSite>>;
type Api = Awaited<ReturnType<typeof startOldClientApi>>;

let site: Site;
let api: Api;
let admin: string;
const pages: OldClientPage[] = [];

test.beforeAll(async () => {
  site = await startOldClientSite();
  api = await startOldClientApi(site.site.url);
  admin = await bearerOf(api.url, 'ada@old.test', 'ada-password');
});
test.afterAll(async () => {
  await api?.dispose();
  await site?.dispose();
});
test.afterEach(async () => {
  for (const p of pages.splice(0)) {
    expect(p.errors, 'uncaught errors in the page').toEqual([]);
    await p.close();
  }
});

async function open(browser: Browser, options = {}): Promise<OldClientPage> {
  const page = await OldClientPage.open(browser, site.site.url, api.url, options);
  pages.push(page);
  return page;
}

/** Signs a fresh user up through the client (auto sign-in after sign-up). */
async function signUp(page: OldClientPage, label: string) {
  const email = `${unique(label)}@old.test`;
  const password = `${label}-password-1`;
  const res = await page.run(
    ({ email, password }) =>
      window.settle(
        window.backand.signup('Sam', 'Stone', email, password, password, {
          nickname: 'sammy',
          city: 'Oslo',
        }),
      ),
    { email, password },
  );
  expect(res).toMatchObject({ ok: true, status: 200, data: { username: email, role: 'User' } });
  return { email, password };
}

const shout = (message: string) =>
  rest(
    api.url,
    'POST',
    '/1/objects/action/items?name=shout',
    { Authorization: admin },
    { message },
  );
const whisper = (message: string, users: string[]) =>
  rest(
    api.url,
    'POST',
    '/1/objects/action/items?name=whisper',
    { Authorization: admin },
    { message, users },
  );

test('the page and the API are on different origins', () => {
  expect(new URL(site.site.url).origin).not.toBe(new URL(api.url).origin);
});

test('profile as a guest and signed in; sign-up with parameters, sign-in, refresh, sign-out', async ({
  browser,
}) => {
  const page = await open(browser);
  // A guest's profile: the server's details merged into the client's own.
  const guest = await page.run(() => window.settle(window.backand.user.getUserDetails(true)), 0);
  expect(guest).toMatchObject({
    ok: true,
    status: 200,
    data: {
      username: 'Guest',
      role: 'Public',
      firstName: 'anonymous',
      token_type: 'AnonymousToken',
      appName: OLD_APP.appName,
    },
  });

  const { email, password } = await signUp(page, 'sam');
  const profile = await page.run(() => window.settle(window.backand.user.getUserDetails(true)), 0);
  expect(profile).toMatchObject({
    ok: true,
    data: {
      username: email,
      firstName: 'Sam',
      lastName: 'Stone',
      fullName: 'Sam Stone',
      role: 'User',
    },
  });
  // The sign-up parameters filled the user's declared fields.
  const row = await page.run(
    (email) =>
      window.settle(
        window.backand.object.getList('users', {
          filter: [{ fieldName: 'email', operator: 'equals', value: email }],
        }),
      ),
    email,
  );
  expect(row.data).toEqual([expect.objectContaining({ email, nickname: 'sammy', city: 'Oslo' })]);

  const signedIn = await page.run(
    ({ email, password }) => window.settle(window.backand.signin(email, password)),
    { email, password },
  );
  expect(signedIn).toMatchObject({ ok: true, data: { username: email, token_type: 'bearer' } });
  const wrong = await page.run(
    (email) => window.settle(window.backand.signin(email, 'not-the-password')),
    email,
  );
  expect(wrong).toMatchObject({ ok: false, status: 400, data: { error: 'invalid_grant' } });
  await page.run(({ email, password }) => window.settle(window.backand.signin(email, password)), {
    email,
    password,
  });

  // The access token stops working: the client refreshes on the 401 and replays the call.
  const before = await page.run(() => {
    const [, json] = localStorage.getItem('BACKAND_user')!.split('__________');
    const user = JSON.parse(json!) as { token: { Authorization: string }; details: object };
    user.token.Authorization = 'Bearer not.a.valid-token';
    localStorage.setItem('BACKAND_user', `JSON__________${JSON.stringify(user)}`);
    return user.details as { refresh_token: string };
  }, 0);
  const refreshed = await page.run(
    () => window.settle(window.backand.user.getUserDetails(true)),
    0,
  );
  expect(refreshed).toMatchObject({ ok: true, status: 200, data: { username: email } });
  const after = await page.run(() => {
    const [, json] = localStorage.getItem('BACKAND_user')!.split('__________');
    return JSON.parse(json!) as {
      token: { Authorization: string };
      details: { refresh_token: string };
    };
  }, 0);
  expect(after.token.Authorization).toMatch(/^Bearer ey/);
  expect(after.details.refresh_token).not.toBe(before.refresh_token);

  // Sign-out revokes the session on the server and clears the client's user.
  const out = await page.run(() => window.settle(window.backand.signout()), 0);
  expect(out).toMatchObject({ ok: true, status: 200, data: null });
  const old = await rest(api.url, 'GET', '/api/account/profile', {
    Authorization: after.token.Authorization,
  });
  expect(old.status).toBe(401);
  const stored = await page.run(() => window.settle(window.backand.user.getUserDetails()), 0);
  expect(stored.data).toBeNull();
  const guestAgain = await page.run(
    () => window.settle(window.backand.user.getUserDetails(true)),
    0,
  );
  expect(guestAgain.data).toMatchObject({ username: 'Guest', role: 'Public' });
});

test('change and reset password', async ({ browser }) => {
  const page = await open(browser);
  const { email, password } = await signUp(page, 'pat');
  const changed = await page.run(
    ({ password }) => window.settle(window.backand.changePassword(password, 'changed-password')),
    { password },
  );
  expect(changed).toMatchObject({ ok: true, status: 200 });
  const signin = (pw: string) =>
    page.run(({ email, pw }) => window.settle(window.backand.signin(email, pw)), { email, pw });
  expect((await signin(password)).status).toBe(400);
  expect((await signin('changed-password')).ok).toBe(true);

  // The client's callers compare the answer with '' (Backand answered an empty body).
  const requested = await page.run(
    (email) => window.settle(window.backand.requestResetPassword(email)),
    email,
  );
  expect(requested).toEqual({ ok: true, status: 200, data: '' });
  const unknown = await page.run(
    () => window.settle(window.backand.requestResetPassword('nobody@old.test')),
    0,
  );
  expect(unknown).toEqual({ ok: true, status: 200, data: '' });

  // The mail a user would get is not this suite's matter: an admin asks for the token.
  const issued = await rest(
    api.url,
    'POST',
    '/1/user/requestResetPassword',
    { Authorization: admin },
    { appName: OLD_APP.appName, username: email },
  );
  const { resetToken } = issued.body as { resetToken: string };
  const reset = await page.run(
    (resetToken) => window.settle(window.backand.resetPassword('reset-password', resetToken)),
    resetToken,
  );
  expect(reset).toMatchObject({ ok: true, status: 200 });
  expect((await signin('changed-password')).status).toBe(400);
  expect((await signin('reset-password')).ok).toBe(true);
  const reused = await page.run(
    (resetToken) => window.settle(window.backand.resetPassword('reset-again', resetToken)),
    resetToken,
  );
  expect(reused).toMatchObject({ ok: false, status: 400 });
});

test('object CRUD (PUT and DELETE across origins) with every list parameter', async ({
  browser,
}) => {
  const page = await open(browser);
  await page.run(() => window.settle(window.backand.signin('ann@old.test', 'ann-password')), 0);
  const tag = unique('crud');
  const created: Settled[] = [];
  for (const [i, word] of ['alpha', 'bravo', 'charlie', 'delta', 'echo'].entries()) {
    created.push(
      await page.run(
        ({ tag, word, qty }) =>
          window.settle(
            window.backand.object.create(
              'items',
              { name: `${tag}-${word}`, description: `the ${word} item`, qty },
              { returnObject: true },
            ),
          ),
        { tag, word, qty: i + 1 },
      ),
    );
  }
  for (const c of created) {
    expect(c).toMatchObject({ ok: true, status: 200, data: { owner: 'ann@old.test' } });
  }
  const ids = created.map((c) => String((c.data as { id: number | string }).id));
  const plain = await page.run(
    (name) => window.settle(window.backand.object.create('items', { name, qty: 9 })),
    `${tag} a+b`,
  );
  expect(plain).toMatchObject({ ok: true, data: { __metadata: { id: expect.anything() } } });

  const list = (options: object) =>
    page.run((options) => window.settle(window.backand.object.getList('items', options)), options);
  const names = (r: Settled) => (r.data as Array<{ name: string }>).map((row) => row.name);
  const mine = [{ fieldName: 'name', operator: 'startsWith', value: `${tag}-` }];

  const paged = await list({
    filter: mine,
    sort: [{ fieldName: 'qty', order: 'desc' }],
    pageSize: 2,
    pageNumber: 2,
  });
  expect(paged.totalRows).toBe(5);
  expect(names(paged)).toEqual([`${tag}-charlie`, `${tag}-bravo`]);
  // A '+' in a filter value, which the client encodes in its own way.
  const plus = await list({
    filter: [{ fieldName: 'name', operator: 'equals', value: `${tag} a+b` }],
  });
  expect(names(plus)).toEqual([`${tag} a+b`]);
  const searched = await list({ search: 'delta item', filter: mine });
  expect(names(searched)).toEqual([`${tag}-delta`]);
  const bare = await list({ filter: mine, exclude: 'metadata,totalRows', pageSize: 1 });
  expect(bare.totalRows).toBeUndefined();
  expect(bare.data).toEqual([expect.not.objectContaining({ __metadata: expect.anything() })]);
  const withMeta = await list({ filter: mine, pageSize: 1 });
  expect(withMeta.data).toEqual([expect.objectContaining({ __metadata: expect.anything() })]);
  // items has no relation fields: deep and relatedObjects change nothing in its rows.
  const deep = await list({
    filter: mine,
    sort: [{ fieldName: 'qty', order: 'asc' }],
    deep: true,
    relatedObjects: true,
  });
  expect(deep).toMatchObject({ ok: true, totalRows: 5 });
  expect(names(deep)).toEqual(
    ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((w) => `${tag}-${w}`),
  );

  const one = await page.run(
    (id) => window.settle(window.backand.object.getOne('items', id, { deep: true, level: 2 })),
    ids[0],
  );
  expect(one).toMatchObject({ ok: true, data: { name: `${tag}-alpha`, qty: 1 } });
  const noMeta = await page.run(
    (id) => window.settle(window.backand.object.getOne('items', id, { exclude: 'metadata' })),
    ids[0],
  );
  expect(noMeta.data).not.toHaveProperty('__metadata');

  const updated = await page.run(
    (id) =>
      window.settle(
        window.backand.object.update(
          'items',
          id,
          { name: 'renamed', qty: 42 },
          { returnObject: true },
        ),
      ),
    ids[1],
  );
  expect(updated).toMatchObject({ ok: true, status: 200, data: { name: 'renamed', qty: 42 } });
  const quiet = await page.run(
    (id) => window.settle(window.backand.object.update('items', id, { qty: 43 })),
    ids[1],
  );
  expect(quiet).toMatchObject({ ok: true, status: 200, data: {} });
  const removed = await page.run(
    (id) => window.settle(window.backand.object.remove('items', id)),
    ids[2],
  );
  expect(removed).toMatchObject({ ok: true, status: 200 });
  const gone = await page.run(
    (id) => window.settle(window.backand.object.getOne('items', id)),
    ids[2],
  );
  expect(gone).toMatchObject({ ok: false, status: 404 });

  // Ada's item is not Ann's to change ("own" update).
  const adas = (
    await rest(
      api.url,
      'POST',
      '/1/objects/items',
      { Authorization: admin },
      { name: `${tag}-ada` },
    )
  ).body as { __metadata: { id: string } };
  const refused = await page.run(
    (id) => window.settle(window.backand.object.update('items', id, { name: 'taken' })),
    adas.__metadata.id,
  );
  expect(refused).toMatchObject({ ok: false, status: 403 });
});

test('actions by GET and POST, queries, functions, files and bulk', async ({ browser }) => {
  const page = await open(browser);
  await page.run(() => window.settle(window.backand.signin('ann@old.test', 'ann-password')), 0);
  const byGet = await page.run(
    () => window.settle(window.backand.object.action.get('items', 'echo', { p: 1, text: 'a b+c' })),
    0,
  );
  expect(byGet).toMatchObject({
    ok: true,
    data: { parameters: { p: 1, text: 'a b+c' }, username: 'ann@old.test', role: 'User' },
  });
  const byPost = await page.run(
    () =>
      window.settle(window.backand.object.action.post('items', 'echo', { a: [1, 2] }, { p: 2 })),
    0,
  );
  expect(byPost).toMatchObject({
    ok: true,
    // As in Backand: the body's fields join `parameters`, and `userInput` is null.
    data: { userInput: null, parameters: { a: [1, 2], p: 2 } },
  });
  const denied = await page.run(
    () =>
      window.settle(
        window.backand.object.action.post('items', 'whisper', { message: 'x', users: [] }),
      ),
    0,
  );
  expect(denied).toMatchObject({ ok: false, status: 403 });

  const tag = unique('query');
  await rest(api.url, 'POST', '/1/objects/items', { Authorization: admin }, { name: `${tag}-one` });
  const queried = await page.run(
    (pattern) => window.settle(window.backand.query.get('itemsNamed', { pattern })),
    `${tag}%`,
  );
  expect(queried).toMatchObject({ ok: true, data: [{ name: `${tag}-one` }] });
  const posted = await page.run(
    (pattern) => window.settle(window.backand.query.post('itemsNamed', { pattern })),
    `${tag}%`,
  );
  expect(posted.data).toEqual(queried.data);

  const fnGet = await page.run(() => window.settle(window.backand.fn.get('hello', { x: 1 })), 0);
  expect(fnGet).toMatchObject({ ok: true, data: { hello: 'ann@old.test', parameters: { x: 1 } } });
  const fnPost = await page.run(
    () => window.settle(window.backand.fn.post('hello', { y: 2 }, { x: 3 })),
    0,
  );
  expect(fnPost).toMatchObject({
    ok: true,
    data: { userInput: null, parameters: { y: 2, x: 3 } },
  });

  const filename = `${unique('file')}.txt`;
  const files = await page.run(async (filename) => {
    const uploaded = await window.settle(
      window.backand.file.upload(
        'items',
        'files',
        filename,
        `data:text/plain;base64,${btoa('old client file')}`,
      ),
    );
    const url = (uploaded.data as { url: string }).url;
    const content = await (await fetch(url)).text();
    const removed = await window.settle(window.backand.file.remove('items', 'files', filename));
    return { uploaded, content, removed, after: (await fetch(url)).status };
  }, filename);
  expect(files).toMatchObject({
    uploaded: { ok: true, data: { url: expect.stringContaining(`/files/items/${filename}`) } },
    content: 'old client file',
    removed: { ok: true, status: 200 },
    after: 403,
  });

  const bulk = await page.run(
    ({ apiUrl, tag }) =>
      window.settle(
        window.backand.bulk.general([
          { method: 'POST', url: `${apiUrl}/1/objects/items`, data: { name: `${tag}-bulk` } },
          { method: 'GET', url: `${apiUrl}/1/objects/items?pageSize=1`, data: null },
          { method: 'DELETE', url: `${apiUrl}/1/objects/items/999999` },
        ]),
      ),
    { apiUrl: api.url, tag },
  );
  expect(bulk.ok).toBe(true);
  expect((bulk.data as Array<{ status: number }>).map((r) => r.status)).toEqual([200, 200, 404]);
  const check = await rest(
    api.url,
    'GET',
    `/1/objects/items?filter=${encodeURIComponent(JSON.stringify([{ fieldName: 'name', operator: 'equals', value: `${tag}-bulk` }]))}`,
    { Authorization: admin },
  );
  expect((check.body as { totalRows: number }).totalRows).toBe(1);
});

const CLIENTS = [
  { socketIo: 2, pollingOnly: false, label: 'socket.io-client 2' },
  { socketIo: 2, pollingOnly: true, label: 'socket.io-client 2, long-polling only' },
  { socketIo: 1, pollingOnly: false, label: 'socket.io-client 1.4.5' },
] as const;

for (const { socketIo, pollingOnly, label } of CLIENTS) {
  test(`backand.on: automatic and action events, private events to their user only (${label})`, async ({
    browser,
  }) => {
    const guest = await open(browser, { pollingOnly, socketIo });
    const ann = await open(browser, { pollingOnly, socketIo });
    const scripts = await guest.run(() => Array.from(document.scripts, (s) => s.src), 0);
    expect(scripts[0]).toMatch(socketIo === 1 ? /socket\.io-1\.4\.5\.js$/ : /\/socket\.io\.js$/);
    const eio: string[] = [];
    for (const p of [guest, ann]) {
      p.page.on('requestfinished', (r) => {
        if (r.url().startsWith(`${api.url}/socket.io/`)) eio.push(r.url());
      });
    }
    await ann.run(() => window.settle(window.backand.signin('ann@old.test', 'ann-password')), 0);
    // An app starts with its stored user: the socket logs in with the user's token.
    await ann.load();
    await guest.waitFor('authorized');
    await ann.waitFor('authorized');

    const tag = unique('live');
    await rest(api.url, 'POST', '/1/objects/items', { Authorization: admin }, { name: tag });
    for (const p of [guest, ann]) {
      const created = await p.waitFor('items.created', tag);
      expect(created.data).toMatchObject({
        objectName: 'items',
        event: 'created',
        row: { name: tag },
      });
    }
    // An action run by the guest page itself, emitting to everyone.
    const sent = await guest.run(
      (message) => window.settle(window.backand.object.action.post('items', 'shout', { message })),
      `${tag}-shout`,
    );
    expect(sent).toMatchObject({ ok: true, data: { sent: true } });
    for (const p of [guest, ann]) await p.waitFor('shout', `${tag}-shout`);

    await whisper(`${tag}-secret`, ['ann@old.test']);
    await ann.waitFor('whisper', `${tag}-secret`);
    await shout(`${tag}-barrier`);
    await guest.waitFor('shout', `${tag}-barrier`);
    expect(await guest.mentioning(`${tag}-secret`)).toEqual([]);

    // Ann's writes from her page reach the guest.
    const mine = await ann.run(
      (name) =>
        window.settle(window.backand.object.create('items', { name }, { returnObject: true })),
      `${tag}-ann`,
    );
    const id = (mine.data as { id: string }).id;
    await guest.waitFor('items.created', `${tag}-ann`);
    await ann.run(
      ({ id, name }) => window.settle(window.backand.object.update('items', id, { name })),
      { id, name: `${tag}-ann2` },
    );
    await guest.waitFor('items.updated', `${tag}-ann2`);
    await ann.run((id) => window.settle(window.backand.object.remove('items', id)), id);
    await guest.waitFor('items.deleted', `"id":"${id}"`);

    // Engine.IO v3 (the protocol of socket.io-client 1 and 2) over long-polling, across origins.
    expect(eio.length).toBeGreaterThan(0);
    expect(eio.every((u) => u.includes('EIO=3'))).toBe(true);
    expect(eio.some((u) => u.includes('transport=polling'))).toBe(true);
  });
}

for (const socketIo of [2, 1] as const) {
  test(`when the session its socket carries ends, the socket listens on as a guest (socket.io-client ${socketIo === 1 ? '1.4.5' : '2'})`, async ({
    browser,
  }) => {
    const page = await open(browser, { socketIo });
    const { email, password } = await signUp(page, 'fallback');
    await page.load();
    await page.waitFor('authorized');
    const tag = unique('fallback');
    await whisper(`${tag}-before`, [email]);
    await page.waitFor('whisper', `${tag}-before`);

    // The password is changed on another device: this session ends.
    const other = await bearerOf(api.url, email, password);
    const changed = await rest(
      api.url,
      'POST',
      '/1/user/changePassword',
      { Authorization: other },
      { oldPassword: password, newPassword: 'another-password' },
    );
    expect(changed.status).toBe(200);
    const notice = await page.waitFor('authorized', 'sessionEnded');
    expect(notice.data).toEqual({ reason: 'sessionEnded', guest: true });

    await whisper(`${tag}-after`, [email]);
    await shout(`${tag}-public`);
    await page.waitFor('shout', `${tag}-public`);
    expect(await page.mentioning(`${tag}-after`)).toEqual([]);
    const names = (await page.heard()).map((e) => e.event);
    expect(names).not.toContain('notAuthorized');
    expect(names).not.toContain('disconnect');

    // The app then signs out and goes on as a guest: the socket reconnects and stays.
    const out = await page.run(() => window.settle(window.backand.signout()), 0);
    expect(out.ok).toBe(true);
    await page.run(() => window.settle(window.backand.useAnonymousAuth()), 0);
    await expect
      .poll(async () => (await page.heard()).filter((e) => e.event === 'connect').length)
      .toBe(2);
    const count = async () => (await page.heard()).filter((e) => e.event === 'authorized').length;
    await expect.poll(count).toBeGreaterThanOrEqual(3);
    // No refusal, so nothing drops the socket later: events go on arriving.
    await shout(`${tag}-guest-1`);
    await page.waitFor('shout', `${tag}-guest-1`);
    await whisper(`${tag}-after-2`, [email]);
    await shout(`${tag}-guest-2`);
    await page.waitFor('shout', `${tag}-guest-2`);
    expect(await page.mentioning(`${tag}-after-2`)).toEqual([]);
    expect((await page.heard()).filter((e) => e.event === 'disconnect')).toHaveLength(1);
  });
}

test('signout() before signin() moves a connected socket to the user', async ({ browser }) => {
  const page = await open(browser);
  await page.waitFor('authorized');
  await page.run(() => window.settle(window.backand.object.getList('items', { pageSize: 1 })), 0);
  await page.run(() => window.settle(window.backand.signout()), 0);
  await page.run(() => window.settle(window.backand.signin('ann@old.test', 'ann-password')), 0);
  const tag = unique('moved');
  await expect
    .poll(async () => {
      await whisper(tag, ['ann@old.test']);
      return (await page.mentioning(tag)).length > 0;
    })
    .toBe(true);
});

test("a user token (Basic masterToken:userToken) is that user's, on REST and on the socket", async ({
  browser,
}) => {
  const ann = await bearerOf(api.url, 'ann@old.test', 'ann-password');
  const issued = await rest(api.url, 'POST', '/api/account/userToken', { Authorization: ann }, {});
  const { userToken } = issued.body as { userToken: string };
  const page = await open(browser, {
    config: { masterToken: OLD_APP.masterToken, userToken },
  });
  const profile = await page.run(() => window.settle(window.backand.user.getUserDetails(true)), 0);
  expect(profile).toMatchObject({
    ok: true,
    data: { username: 'ann@old.test', role: 'User', firstName: 'Ann', token_type: 'Basic' },
  });
  // The client logs its socket in with the stored Basic token on the next start.
  await page.load();
  await page.waitFor('authorized');
  const tag = unique('basic');
  await whisper(tag, ['ann@old.test']);
  await page.waitFor('whisper', tag);
});
