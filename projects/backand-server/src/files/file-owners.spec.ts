import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const vault: AppDefinitionInput = {
  appName: 'vault',
  users: [
    { username: 'uma@v.test', password: 'uma-password', role: 'User' },
    { username: 'oli@v.test', password: 'oli-password', role: 'User' },
    { username: 'rex@v.test', password: 'rex-password', role: 'Reader' },
  ],
  objects: {
    docs: {
      fields: { title: 'string', owner: 'string' },
      ownerField: 'owner',
      permissions: {
        User: { create: 'all', read: 'own', update: 'own', delete: 'own' },
        Reader: { read: 'all' },
      },
      actions: [{ name: 'files', trigger: 'onDemand', type: 'files' }],
    },
  },
};

/** A GET with a bearer token, or none. */
async function download(url: string, auth: Auth = null) {
  const headers: Record<string, string> =
    auth && 'bearer' in auth ? { Authorization: `Bearer ${auth.bearer}` } : {};
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text() };
}

describe('files uploaded before signed links', () => {
  let tmp: string;
  let server: RunningServer;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'backand-old-files-'));
    const dbFile = path.join(tmp, 'vault.db');
    // A database as the previous version left it: uploaders recorded, no upload ids.
    const old = new Database(dbFile);
    old.exec(`CREATE TABLE _backand_files (
      object TEXT NOT NULL, filename TEXT NOT NULL, uploader TEXT, PRIMARY KEY (object, filename));
      INSERT INTO _backand_files VALUES ('docs', 'old.txt', 'uma@v.test');`);
    old.close();
    const filesDir = path.join(tmp, 'files');
    mkdirSync(path.join(filesDir, 'docs'), { recursive: true });
    writeFileSync(path.join(filesDir, 'docs', 'old.txt'), 'old by uma');
    // Never recorded (older still, or copied in by hand).
    writeFileSync(path.join(filesDir, 'docs', 'stray.txt'), 'stray');
    server = await startTestServer(vault, { db: dbFile, filesDir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('adds the upload id column; recorded files keep their uploader, unrecorded ones need "all" access', async () => {
    const as = async (user: string): Promise<Auth> => ({
      bearer: (await signIn(server.url, `${user}@v.test`, `${user}-password`, 'vault'))
        .access_token,
    });
    const [uma, oli, rex] = await Promise.all(['uma', 'oli', 'rex'].map(as));
    const get = (name: string, auth: Auth) => download(`${server.url}/files/docs/${name}`, auth);
    const link = (name: string, auth: Auth) =>
      api(server.url, 'GET', `/1/objects/action/docs?name=files&filename=${name}`, auth);

    expect(await get('old.txt', uma)).toMatchObject({ status: 200, text: 'old by uma' });
    expect((await get('old.txt', oli)).status).toBe(404);
    const oldLink = await link('old.txt', uma);
    expect(oldLink.status).toBe(200);
    expect(await download(oldLink.body.url)).toMatchObject({ status: 200, text: 'old by uma' });

    expect((await get('stray.txt', uma)).status).toBe(404);
    expect((await link('stray.txt', uma)).status).toBe(404);
    expect(await get('stray.txt', rex)).toMatchObject({ status: 200, text: 'stray' });
    const strayLink = await link('stray.txt', rex);
    expect(strayLink.status).toBe(200);
    expect(await download(strayLink.body.url)).toMatchObject({ status: 200, text: 'stray' });
    // A link made for a reader with "all" access gives the stray file no owner.
    expect((await get('stray.txt', uma)).status).toBe(404);

    await server.close();
    const db = new Database(path.join(tmp, 'vault.db'), { readonly: true });
    const columns = (
      db.prepare(`PRAGMA table_info(_backand_files)`).all() as Array<{ name: string }>
    ).map((c) => c.name);
    db.close();
    expect(columns).toContain('upload_id');
  });
});
