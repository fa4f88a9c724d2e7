import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { startTestServer } from '../testing/test-server';

const MASTER: Auth = {
  headers: { Authorization: `Basic ${Buffer.from('fo-master:fo-user').toString('base64')}` },
};

/** The "tokens" object of Backand's documentation (common use cases, SMS sign-in). */
const app: AppDefinitionInput = {
  appName: 'fieldopts',
  masterToken: 'fo-master',
  userToken: 'fo-user',
  objects: {
    tokens: {
      fields: {
        token: { type: 'string', required: true },
        sessionId: { type: 'string', required: true, unique: true },
        used: { type: 'boolean', defaultValue: false },
      },
    },
    notes: {
      realtime: true,
      fields: {
        text: 'string',
        level: { type: 'int', defaultValue: 3 },
        createdAt: 'datetime',
        updatedAt: 'datetime',
      },
    },
  },
};

describe('field options: defaultValue, unique, automatic timestamps, __metadata', () => {
  let server: RunningServer;
  const call = (method: string, url: string, body?: unknown) =>
    api(server.url, method, url, MASTER, body);

  beforeAll(async () => {
    server = await startTestServer(app);
  });
  afterAll(() => server.close());

  it('stores the defaultValue of a field the request leaves out, and not over a given value', async () => {
    const a = await call('POST', '/1/objects/tokens?returnObject=true', {
      token: '1234',
      sessionId: 's-1',
    });
    expect(a.body).toMatchObject({ token: '1234', sessionId: 's-1', used: false });
    const b = await call('POST', '/1/objects/tokens?returnObject=true', {
      token: '9',
      sessionId: 's-2',
      used: true,
    });
    expect(b.body.used).toBe(true);
    // An update leaves absent fields alone: no default is applied over a stored value.
    const u = await call('PUT', `/1/objects/tokens/${b.body.id}?returnObject=true`, { token: '8' });
    expect(u.body.used).toBe(true);
  });

  it('answers 409 naming the field when a unique value is taken, and keeps both rows', async () => {
    const clash = await call('POST', '/1/objects/tokens', { token: 'x', sessionId: 's-1' });
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({
      Message: 'A row with this value of "sessionId" already exists',
      field: 'sessionId',
    });
    const list = await call(
      'GET',
      '/1/objects/tokens?sort=' + encodeURIComponent('[{"fieldName":"id","order":"asc"}]'),
    );
    const ids = list.body.data.map((r: { sessionId: string }) => r.sessionId);
    expect(ids).toEqual(['s-1', 's-2']);
    const second = list.body.data[1];
    const update = await call('PUT', `/1/objects/tokens/${second.id}`, { sessionId: 's-1' });
    expect(update.status).toBe(409);
    expect((await call('GET', `/1/objects/tokens/${second.id}`)).body.sessionId).toBe('s-2');
  });

  it('fills createdAt and updatedAt on create, and updatedAt on each update', async () => {
    const before = Date.now();
    const created = await call('POST', '/1/objects/notes?returnObject=true', { text: 'a' });
    const after = Date.now();
    const { createdAt, updatedAt, level } = created.body;
    expect(level).toBe(3);
    expect(Date.parse(createdAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(createdAt)).toBeLessThanOrEqual(after + 1);
    expect(updatedAt).toBe(createdAt);

    // An updatedAt the request sets to another value is kept (an import of old rows)…
    const read = (await call('GET', `/1/objects/notes/${created.body.id}`)).body;
    const stale = '2000-01-01T00:00:00.000Z';
    await call('PUT', `/1/objects/notes/${read.id}`, { ...read, updatedAt: stale });
    expect((await call('GET', `/1/objects/notes/${read.id}`)).body.updatedAt).toBe(stale);
    // The whole row read back and sent again (as clients do) still moves updatedAt.
    const back = (await call('GET', `/1/objects/notes/${read.id}`)).body;
    await call('PUT', `/1/objects/notes/${read.id}`, { ...back, text: 'b' });
    const updated = (await call('GET', `/1/objects/notes/${read.id}`)).body;
    expect(updated.text).toBe('b');
    expect(updated.createdAt).toBe(createdAt);
    expect(updated.updatedAt).not.toBe(stale);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(createdAt));

    // A value the request gives (an import of old rows) is kept.
    const imported = await call('POST', '/1/objects/notes?returnObject=true', {
      text: 'old',
      createdAt: '2017-03-08T23:13:10Z',
    });
    expect(imported.body.createdAt).toBe('2017-03-08T23:13:10.000Z');
  });

  it('describes fields and dates in __metadata as Backand did', async () => {
    const list = await call('GET', '/1/objects/notes?pageSize=1');
    const meta = list.body.data[0].__metadata;
    expect(meta.fields).toEqual({
      id: { type: 'int', unique: true },
      text: { type: 'string' },
      level: { type: 'int', defaultValue: 3 },
      createdAt: { type: 'datetime' },
      updatedAt: { type: 'datetime' },
    });
    expect(meta.descriptives).toEqual({});
    expect(meta.dates.createdAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    const tokens = await call('GET', '/1/objects/tokens?pageSize=1');
    expect(tokens.body.data[0].__metadata.fields.sessionId).toEqual({
      type: 'string',
      required: true,
      unique: true,
    });
    expect(tokens.body.data[0].__metadata.dates).toEqual({});
  });
});

describe('__metadata in realtime events', () => {
  it('is only {id}: field descriptions are for REST reads, not for every event', async () => {
    const server = await startTestServer(app);
    const probe = await SocketProbe.open(server.url);
    try {
      const basic = `Basic ${Buffer.from('fo-master:fo-user').toString('base64')}`;
      expect(await probe.login(basic, null, 'fieldopts')).toBe('authorized');
      await api(server.url, 'POST', '/1/objects/notes', MASTER, { text: 'evt' });
      const created = await probe.waitFor('notes.created');
      const row = (created.data as { row: Record<string, unknown> }).row;
      expect(row).toMatchObject({ text: 'evt', level: 3 });
      expect(row['__metadata']).toEqual({ id: String(row['id']) });
    } finally {
      probe.close();
      await server.close();
    }
  });
});

describe('field options that cannot hold', () => {
  it('refuses a defaultValue of the wrong type at start-up, naming it', async () => {
    await expect(
      startTestServer({
        appName: 'baddefault',
        objects: { t: { fields: { n: { type: 'int', defaultValue: 'many' } } } },
      }),
    ).rejects.toThrow(/objects\.t\.fields\.n\.defaultValue: does not fit the field's type/);
  });

  it('refuses to start when existing rows break a new unique field, and keeps them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unique-'));
    const db = path.join(dir, 'app.db');
    const plain: AppDefinitionInput = {
      appName: 'uniq',
      masterToken: 'u-master',
      userToken: 'u-user',
      objects: { codes: { fields: { code: 'string' } } },
    };
    const auth: Auth = {
      headers: { Authorization: `Basic ${Buffer.from('u-master:u-user').toString('base64')}` },
    };
    try {
      let server = await startTestServer(plain, { db });
      await api(server.url, 'POST', '/1/objects/codes', auth, { code: 'A' });
      await api(server.url, 'POST', '/1/objects/codes', auth, { code: 'A' });
      await server.close();
      const unique = structuredClone(plain);
      unique.objects!['codes'] = { fields: { code: { type: 'string', unique: true } } };
      await expect(startTestServer(unique, { db })).rejects.toThrow(
        /objects\.codes\.fields\.code\.unique: cannot be enforced: existing rows hold the same value twice/,
      );
      server = await startTestServer(plain, { db });
      const rows = await api(server.url, 'GET', '/1/objects/codes', auth);
      expect(rows.body.data.map((r: { code: string }) => r.code)).toEqual(['A', 'A']);
      await server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
