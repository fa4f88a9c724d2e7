import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, qs, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

/**
 * The globals and arguments of Backand's action template, with the code examples of Backand's
 * documentation (backand/docs), adapted only in URL and app name.
 */

const fn = (body: string) =>
  `function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;

// docs: "Backand Storage" (source/includes/_backand_features.md), verbatim.
const FILES_ACTION = `'use strict';
function backandCallback(userInput, dbRow, parameters, userProfile) {
  console.log(userProfile); // gets the current user role and id that enables you to perform security restrictions
	// upload file
    if (request.method == "POST"){
        var url = files.upload(parameters.filename, parameters.filedata);
        return {"url": url};
    }
    // delete file
    else if (request.method == "DELETE"){
        files.delete(parameters.filename);
        return {};
    }

}`;

const app: AppDefinitionInput = {
  appName: 'globals',
  anonymousToken: 'globals-anon',
  masterToken: 'globals-master',
  userToken: 'globals-user',
  config: { currency: 'EUR', limits: { max: 3 } },
  users: [
    { username: 'ann@globals.test', password: 'ann-password', role: 'User' },
    { username: 'bob@globals.test', password: 'bob-password', role: 'User' },
  ],
  objects: {
    accounts: {
      fields: { name: 'string', password: 'text' },
      permissions: { User: 'crud', Public: 'r' },
      actions: [
        // docs: "Working with Encrypted passwords" (_common_use_cases.md)
        {
          name: 'encrypt',
          trigger: 'beforeCreate',
          code: fn('userInput.password = security.hash(userInput.password);'),
        },
        {
          name: 'check',
          trigger: 'onDemand',
          // docs: `return security,compare(password, hashedPassword);` (its typo fixed)
          code: fn('return security.compare(parameters.password, dbRow.password);'),
        },
        {
          name: 'salted',
          trigger: 'onDemand',
          code: fn(
            'return { a: security.hash(parameters.text, parameters.salt), b: security.hash(parameters.text, parameters.salt), c: security.hash(parameters.text) };',
          ),
        },
      ],
    },
    photos: {
      fields: { title: 'string', owner: 'string' },
      ownerField: 'owner',
      permissions: { User: { create: 'all', read: 'own', update: 'own', delete: 'own' } },
      actions: [{ name: 'files', trigger: 'onDemand', code: FILES_ACTION }],
    },
    notes: {
      fields: { text: 'string' },
      permissions: { User: 'crud', Public: 'r' },
      actions: [
        {
          name: 'env',
          trigger: 'onDemand',
          code: fn(
            'return { apiUrl: CONSTS.apiUrl, appName: CONSTS.appName, url: CONSTS.apiUrl + "/1/objects/objectexample", config: Config, lower: config.currency, request: request, userInput: userInput, parameters: parameters };',
          ),
        },
        {
          // docs: the Twilio / Mailgun examples build Basic credentials with btoa
          name: 'basic',
          trigger: 'onDemand',
          code: fn(
            "var master_key = parameters.master; var user_key = parameters.user; return { header: 'basic ' + btoa (master_key + ':'+ user_key), back: atob(btoa(master_key)) };",
          ),
        },
        {
          name: 'latin1',
          trigger: 'onDemand',
          code: fn("return btoa('\\u0100');"),
        },
        {
          // docs: the Facebook Messenger bot reads the POSTed data from request.body
          name: 'webhook',
          trigger: 'onDemand',
          code: fn(
            'if (request.method == "POST"){ var data = request.body; if (data.object == \'page\') { var ids = []; data.entry.forEach(function(pageEntry) { ids.push(pageEntry.id); }); return { ids: ids }; } } return { ids: [] };',
          ),
        },
        {
          name: 'deleted',
          trigger: 'beforeDelete',
          code: fn(
            "if (userInput !== null) throw new Error('userInput of a delete must be null');",
          ),
        },
      ],
    },
  },
};

describe('action globals and arguments (Backand docs)', () => {
  let server: RunningServer;
  let ann: Auth;
  let bob: Auth;
  const guest: Auth = { anonymous: 'globals-anon' };
  const call = (method: string, path: string, auth: Auth, body?: unknown) =>
    api(server.url, method, path, auth, body);

  beforeAll(async () => {
    server = await startTestServer(app);
    ann = {
      bearer: (await signIn(server.url, 'ann@globals.test', 'ann-password', 'globals'))
        .access_token,
    };
    bob = {
      bearer: (await signIn(server.url, 'bob@globals.test', 'bob-password', 'globals'))
        .access_token,
    };
  });
  afterAll(() => server.close());

  it('gives on-demand actions a null userInput and the POST body in parameters; the query string wins a clash', async () => {
    const res = await call(
      'POST',
      `/1/objects/action/notes${qs({ name: 'env', parameters: { a: 'query', q: 1 } })}`,
      ann,
      { a: 'body', b: 2 },
    );
    expect(res.status).toBe(200);
    expect(res.body.userInput).toBeNull();
    expect(res.body.parameters).toEqual({ a: 'query', b: 2, q: 1 });
  });

  it('keeps attacker-supplied parameters as plain data', async () => {
    const res = await call(
      'POST',
      '/1/objects/action/notes?name=env',
      guest,
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "userProfile": "me"}',
    );
    expect(res.status).toBe(200);
    expect(res.body.parameters).toEqual({
      ['__proto__']: { polluted: true },
      constructor: { prototype: { x: 1 } },
      userProfile: 'me',
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // The caller's own identity is still what userProfile-based code sees.
    const who = await call('POST', '/1/objects/action/notes?name=env', ann, { role: 'Admin' });
    expect(who.body.parameters).toEqual({ role: 'Admin' });
  });

  it('sets CONSTS, Config (also config) and request', async () => {
    const res = await call(
      'POST',
      `/1/objects/action/notes${qs({ name: 'env', parameters: { p: 1 } })}&extra=yes&AnonymousToken=leak`,
      ann,
      { hello: 'there' },
      // no secret header reaches the action
    );
    expect(res.status).toBe(200);
    expect(res.body.apiUrl).toBe(server.url);
    expect(res.body.url).toBe(`${server.url}/1/objects/objectexample`);
    expect(res.body.appName).toBe('globals');
    expect(res.body.config).toEqual({ currency: 'EUR', limits: { max: 3 } });
    expect(res.body.lower).toBe('EUR');
    const request = res.body.request;
    expect(request.method).toBe('POST');
    expect(request.body).toEqual({ hello: 'there' });
    expect(request.query).toMatchObject({ name: 'env', extra: 'yes' });
    expect(request.query.AnonymousToken).toBeUndefined();
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.ip).toBe('127.0.0.1');
  });

  it('never serves Config to clients', async () => {
    const bodies = await Promise.all([
      call('GET', '/1/objects/notes', guest),
      call('GET', '/api/account/profile', ann),
    ]);
    for (const r of bodies) expect(JSON.stringify(r.body)).not.toContain('EUR');
  });

  it('has btoa and atob (Latin-1, as in browsers)', async () => {
    const res = await call(
      'GET',
      `/1/objects/action/notes${qs({ name: 'basic', parameters: { master: 'm-key', user: 'u-key' } })}`,
      ann,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      header: `basic ${Buffer.from('m-key:u-key').toString('base64')}`,
      back: 'm-key',
    });
    const bad = await call('GET', '/1/objects/action/notes?name=latin1', ann);
    expect(bad.status).toBe(417);
    expect(bad.body.Message).toMatch(/Latin-1/);
  });

  it('hands request.body to a webhook action (the Messenger bot example)', async () => {
    const res = await call('POST', '/1/objects/action/notes?name=webhook', guest, {
      object: 'page',
      entry: [
        { id: 'p1', messaging: [] },
        { id: 'p2', messaging: [] },
      ],
    });
    expect(res.body).toEqual({ ids: ['p1', 'p2'] });
  });

  it('gives delete actions a null userInput', async () => {
    const { body: row } = await call('POST', '/1/objects/notes?returnObject=true', ann, {
      text: 'x',
    });
    expect((await call('DELETE', `/1/objects/notes/${row.id}`, ann)).status).toBe(200);
  });

  it('security.hash stores a hash that security.compare checks (the docs example)', async () => {
    const { body: row } = await call('POST', '/1/objects/accounts?returnObject=true', ann, {
      name: 'acme',
      password: 'pa55word',
    });
    expect(row.password).toMatch(/^scrypt\$/);
    expect(row.password).not.toContain('pa55word');
    const check = (password: string) =>
      call(
        'GET',
        `/1/objects/action/accounts/${row.id}${qs({ name: 'check', parameters: { password } })}`,
        ann,
      );
    expect((await check('pa55word')).body).toBe(true);
    expect((await check('wrong')).body).toBe(false);
    const salted = await call('POST', '/1/objects/action/accounts?name=salted', ann, {
      text: 'secret',
      salt: 'pepper',
    });
    expect(salted.body.a).toBe(salted.body.b);
    expect(salted.body.c).not.toBe(salted.body.a);
  });

  it('security.compare is false for a forged hash with an extreme cost', async () => {
    const { body: row } = await call('POST', '/1/objects/accounts?returnObject=true', ann, {
      name: 'forged',
      password: 'x',
    });
    // A user-controlled value: an update skips the before-create hash.
    await call('PUT', `/1/objects/accounts/${row.id}`, ann, {
      password: `scrypt$1073741824$8$1$${Buffer.from('salt').toString('base64')}$${Buffer.alloc(32).toString('base64')}`,
    });
    const res = await call(
      'GET',
      `/1/objects/action/accounts/${row.id}${qs({ name: 'check', parameters: { password: 'x' } })}`,
      ann,
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe(false);
  });

  describe('files (the "Backand Storage" action of the docs)', () => {
    const png = Buffer.from('not really a png').toString('base64');

    it('uploads with POST and deletes with DELETE, on the object file store', async () => {
      const up = await call('POST', '/1/objects/action/photos?name=files', ann, {
        filename: 'cat.png',
        filedata: png,
      });
      expect(up.body).toEqual({ url: expect.any(String) });
      expect(up.body.url).toMatch(new RegExp(`^${server.url}/files/photos/cat\\.png\\?v=`));
      const download = await fetch(up.body.url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('not really a png');

      const del = await call('DELETE', '/1/objects/action/photos?name=files', ann, {
        filename: 'cat.png',
      });
      expect(del.status).toBe(200);
      const gone = await call('GET', '/files/photos/cat.png', ann);
      expect(gone.status).toBe(404);
    });

    it("applies the file rules: another user's file cannot be replaced or removed", async () => {
      const up = await call('POST', '/1/objects/action/photos?name=files', ann, {
        filename: 'ann.png',
        filedata: png,
      });
      expect(up.status).toBe(200);
      const replace = await call('POST', '/1/objects/action/photos?name=files', bob, {
        filename: 'ann.png',
        filedata: Buffer.from('bob was here').toString('base64'),
      });
      expect(replace.status).toBe(417);
      expect(replace.body.Message).toMatch(/another user's file/);
      const remove = await call('DELETE', '/1/objects/action/photos?name=files', bob, {
        filename: 'ann.png',
      });
      expect(remove.status).toBe(417);
      const still = await fetch(up.body.url);
      expect(Buffer.from(await still.arrayBuffer()).toString()).toBe('not really a png');
    });

    it('refuses guests (no create permission) and path names', async () => {
      const guestUp = await call('POST', '/1/objects/action/photos?name=files', guest, {
        filename: 'g.png',
        filedata: png,
      });
      expect(guestUp.status).toBe(403); // the action itself needs read permission
      const path = await call('POST', '/1/objects/action/photos?name=files', ann, {
        filename: '../../etc/passwd',
        filedata: png,
      });
      expect(path.status).toBe(417);
      expect(path.body.Message).toMatch(/plain file name/);
    });
  });
});
