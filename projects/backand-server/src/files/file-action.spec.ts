import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const fileApp: AppDefinitionInput = {
  appName: 'fileapp',
  anonymousToken: 'file-anon',
  users: [
    { username: 'una@f.test', password: 'una-password', role: 'User' },
    { username: 'ron@f.test', password: 'ron-password', role: 'ReadOnly' },
  ],
  objects: {
    docs: {
      fields: { title: 'string' },
      permissions: { User: 'crud', ReadOnly: 'r', Public: 'r' },
      actions: [
        { name: 'files', trigger: 'onDemand', type: 'files' },
        { name: 'adminFiles', trigger: 'onDemand', type: 'files', roles: ['Admin'] },
      ],
    },
  },
};

describe('file actions (docs/PROTOCOL.md §7)', () => {
  let tmp: string;
  let dir: string;
  let server: RunningServer;
  let una: Auth;
  let ron: Auth;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'backand-files-spec-'));
    // Not there yet: made by the first upload.
    dir = path.join(tmp, 'uploads');
    server = await startTestServer(fileApp, { filesDir: dir });
    expect(existsSync(dir)).toBe(false);
    una = {
      bearer: (await signIn(server.url, 'una@f.test', 'una-password', 'fileapp')).access_token,
    };
    ron = {
      bearer: (await signIn(server.url, 'ron@f.test', 'ron-password', 'fileapp')).access_token,
    };
  });
  afterAll(async () => {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const upload = (auth: Auth, body: unknown, name = 'files') =>
    api(server.url, 'POST', `/1/objects/action/docs?name=${name}`, auth, body);

  it('uploads base64 data (with or without a data: prefix), answers {url} and serves the file', async () => {
    const text = 'hello, file';
    const res = await upload(una, {
      filename: 'note 1.txt',
      filedata: `data:text/plain;base64,${Buffer.from(text).toString('base64')}`,
    });
    expect(res.status).toBe(200);
    // A signed link (file-access.spec.ts): it works without credentials.
    expect(res.body).toEqual({
      url: expect.stringMatching(
        `^${server.url}/files/docs/note%201\\.txt\\?v=[\\w-]+&expires=\\d+&sig=[\\w-]+$`,
      ),
    });
    expect(readFileSync(path.join(dir, 'docs', 'note 1.txt'), 'utf8')).toBe(text);
    const served = await fetch(res.body.url);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(text);
    const plain = await upload(una, {
      filename: 'b.bin',
      filedata: Buffer.from([1, 2, 3]).toString('base64'),
    });
    expect(plain.status).toBe(200);
    expect([...readFileSync(path.join(dir, 'docs', 'b.bin'))]).toEqual([1, 2, 3]);
  });

  it('removes a file with DELETE {filename}; a second removal is 404', async () => {
    await upload(una, { filename: 'gone.txt', filedata: Buffer.from('x').toString('base64') });
    const del = await api(server.url, 'DELETE', '/1/objects/action/docs?name=files', una, {
      filename: 'gone.txt',
    });
    expect(del).toMatchObject({ status: 200, body: {} });
    expect(existsSync(path.join(dir, 'docs', 'gone.txt'))).toBe(false);
    expect((await api(server.url, 'GET', '/files/docs/gone.txt', una)).status).toBe(404);
    const again = await api(server.url, 'DELETE', '/1/objects/action/docs?name=files', una, {
      filename: 'gone.txt',
    });
    expect(again.status).toBe(404);
  });

  it('refuses path tricks and bad data with 400, and writes nothing outside its folder', async () => {
    for (const filename of ['../escape.txt', 'a/b.txt', '..', '.hidden', '', 42]) {
      const res = await upload(una, { filename, filedata: 'eA==' });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('filename');
    }
    expect(existsSync(path.join(dir, '..', 'escape.txt'))).toBe(false);
    const bad = await upload(una, { filename: 'ok.txt', filedata: 'not base64 !!' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('filedata');
  });

  it('checks permissions: create to upload, delete to remove, roles when listed', async () => {
    expect((await upload(ron, { filename: 'r.txt', filedata: 'eA==' })).status).toBe(403);
    expect(
      (await upload({ anonymous: 'file-anon' }, { filename: 'r.txt', filedata: 'eA==' })).status,
    ).toBe(403);
    expect((await upload(una, { filename: 'r.txt', filedata: 'eA==' }, 'adminFiles')).status).toBe(
      403,
    );
    expect(
      (
        await api(server.url, 'DELETE', '/1/objects/action/docs?name=files', ron, {
          filename: 'b.bin',
        })
      ).status,
    ).toBe(403);
    expect((await api(server.url, 'GET', '/1/objects/action/docs?name=files', una)).status).toBe(
      400,
    );
  });

  it('accepts uploads over the 1 MiB JSON limit up to 10 MiB', async () => {
    const data = Buffer.alloc(2 * 1024 * 1024, 7);
    const res = await upload(una, { filename: 'big.bin', filedata: data.toString('base64') });
    expect(res.status).toBe(200);
    expect(readFileSync(path.join(dir, 'docs', 'big.bin')).equals(data)).toBe(true);
    const tooBig = await upload(una, {
      filename: 'huge.bin',
      filedata: 'A'.repeat(11 * 1024 * 1024),
    });
    expect(tooBig.status).toBe(413);
  });
});
