import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';
import { fileLinkKey, fileLinkPath, signFileLink } from './file-links';

// Known, so that the test can sign links as the server does (and forge expired ones).
const SECRET = 'vault-secret-known-to-the-test';
const TTL = 600;

const vault: AppDefinitionInput = {
  appName: 'vault',
  anonymousToken: 'vault-anon',
  masterToken: 'vault-master',
  userToken: 'vault-user',
  secret: SECRET,
  fileUrlTtlSeconds: TTL,
  users: [
    { username: 'ada@v.test', password: 'ada-password', role: 'Admin' },
    { username: 'uma@v.test', password: 'uma-password', role: 'User' },
    { username: 'oli@v.test', password: 'oli-password', role: 'User' },
    { username: 'rex@v.test', password: 'rex-password', role: 'Reader' },
    { username: 'dee@v.test', password: 'dee-password', role: 'Dropper' },
  ],
  objects: {
    // Guests (Public) are not listed and there is no "*": they may read nothing of docs.
    docs: {
      fields: { title: 'string', owner: 'string' },
      ownerField: 'owner',
      permissions: {
        User: { create: 'all', read: 'own', update: 'own', delete: 'own' },
        Reader: { read: 'all' },
        Dropper: { create: 'all' },
      },
      actions: [{ name: 'files', trigger: 'onDemand', type: 'files' }],
    },
    pics: {
      fields: { title: 'string' },
      permissions: { User: 'cr', Public: 'r' },
      actions: [{ name: 'files', trigger: 'onDemand', type: 'files' }],
    },
  },
};

const GUEST: Auth = { anonymous: 'vault-anon' };
const MASTER: Auth = {
  headers: { Authorization: `Basic ${Buffer.from('vault-master:vault-user').toString('base64')}` },
};

/** A GET as a browser's `<img src>` or link makes it: no credentials unless given. */
async function download(url: string, auth: Auth = null) {
  const headers: Record<string, string> = {};
  if (auth && 'bearer' in auth) headers['Authorization'] = `Bearer ${auth.bearer}`;
  if (auth && 'anonymous' in auth) headers['AnonymousToken'] = auth.anonymous;
  if (auth && 'headers' in auth) Object.assign(headers, auth.headers);
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** The parts of a signed link. */
function linkParts(url: string) {
  const q = new URL(url).searchParams;
  return { v: q.get('v')!, expires: Number(q.get('expires')), sig: q.get('sig')! };
}

describe('file downloads obey the read permission of their object', () => {
  let server: RunningServer;
  let ada: Auth, uma: Auth, oli: Auth, rex: Auth, dee: Auth;
  let secretUrl: string;

  const upload = (auth: Auth, object: string, filename: string, text: string) =>
    api(server.url, 'POST', `/1/objects/action/${object}?name=files`, auth, {
      filename,
      filedata: Buffer.from(text).toString('base64'),
    });
  const remove = (auth: Auth, object: string, filename: string) =>
    api(server.url, 'DELETE', `/1/objects/action/${object}?name=files`, auth, { filename });
  const linkFor = (auth: Auth, object: string, filename?: string) =>
    api(
      server.url,
      'GET',
      `/1/objects/action/${object}?name=files` +
        (filename === undefined ? '' : `&filename=${encodeURIComponent(filename)}`),
      auth,
    );
  const plain = (object: string, filename: string) =>
    `${server.url}/files/${object}/${encodeURIComponent(filename)}`;

  beforeAll(async () => {
    server = await startTestServer(vault);
    const bearer = async (user: string) => ({
      bearer: (await signIn(server.url, `${user}@v.test`, `${user}-password`, 'vault'))
        .access_token,
    });
    [ada, uma, oli, rex, dee] = await Promise.all(['ada', 'uma', 'oli', 'rex', 'dee'].map(bearer));
    const res = await upload(uma, 'docs', 'secret.txt', 'uma secret');
    expect(res.status).toBe(200);
    secretUrl = res.body.url;
  });
  afterAll(() => server.close());

  it('never gives a guessed name to no credentials, a guest, or another user with "own" access', async () => {
    const url = plain('docs', 'secret.txt');
    const answers = [
      [await download(url), 401],
      [await download(url, GUEST), 403],
      [await download(url, oli), 404],
      [await download(`${url}?v=x&expires=99999999999&sig=abc`), 403],
      [await download(`${url}?v=x&expires=99999999999&sig=abc`, oli), 404],
    ] as const;
    for (const [answer, status] of answers) {
      expect(answer.status).toBe(status);
      expect(answer.text).not.toContain('uma secret');
    }
    expect((await linkFor(oli, 'docs', 'secret.txt')).status).toBe(404);
    expect((await linkFor(GUEST, 'docs', 'secret.txt')).status).toBe(403);
    expect((await linkFor(null, 'docs', 'secret.txt')).status).toBe(401);
  });

  it('gives the file to its uploader, an admin, the master key and "all" readers, by headers and by signed link', async () => {
    for (const auth of [uma, ada, MASTER, rex]) {
      const byHeaders = await download(plain('docs', 'secret.txt'), auth);
      expect(byHeaders).toMatchObject({ status: 200, text: 'uma secret' });
      // Still a download that never runs on the app's origin, and never in a shared cache.
      expect(byHeaders.headers.get('content-disposition')).toBe('attachment');
      expect(byHeaders.headers.get('x-content-type-options')).toBe('nosniff');
      expect(byHeaders.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(byHeaders.headers.get('cache-control')).toBe('private, no-cache');
      const link = await linkFor(auth, 'docs', 'secret.txt');
      expect(link.status).toBe(200);
      expect(link.body.url.startsWith(`${plain('docs', 'secret.txt')}?`)).toBe(true);
      expect(await download(link.body.url)).toMatchObject({ status: 200, text: 'uma secret' });
    }
    // The upload's own answer is a signed link (the uploader may read the file).
    expect(await download(secretUrl)).toMatchObject({ status: 200, text: 'uma secret' });
  });

  it('answers a fresh link on GET ?filename= (lifetime fileUrlTtlSeconds), 404 for a missing file, 400 without a plain name', async () => {
    const before = Math.floor(Date.now() / 1000);
    const link = await linkFor(uma, 'docs', 'secret.txt');
    expect(link.status).toBe(200);
    const { expires } = linkParts(link.body.url);
    expect(expires).toBeGreaterThanOrEqual(before + TTL);
    expect(expires).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + TTL);
    expect(await linkFor(uma, 'docs', 'missing.txt')).toMatchObject({
      status: 404,
      body: { Message: 'No such file in "docs"' },
    });
    expect(await linkFor(uma, 'docs')).toMatchObject({ status: 400, body: { field: 'filename' } });
    expect(await linkFor(uma, 'docs', '../secret.txt')).toMatchObject({
      status: 400,
      body: { field: 'filename' },
    });
    // Guests may read every file of pics: they get links too.
    expect((await upload(uma, 'pics', 'cat.png', 'meow')).status).toBe(200);
    const guestLink = await linkFor(GUEST, 'pics', 'cat.png');
    expect(guestLink.status).toBe(200);
    expect(await download(guestLink.body.url)).toMatchObject({ status: 200, text: 'meow' });
    expect(await download(plain('pics', 'cat.png'), GUEST)).toMatchObject({ status: 200 });
  });

  it('answers alike for an existing and a missing file to callers who may not read it', async () => {
    const pairs: Array<[Auth, number]> = [
      [null, 401],
      [GUEST, 403], // reads nothing of docs
      [oli, 404], // reads own files only
    ];
    for (const [auth, status] of pairs) {
      const existing = await download(plain('docs', 'secret.txt'), auth);
      const missing = await download(plain('docs', 'missing.txt'), auth);
      expect(existing.status).toBe(status);
      expect([missing.status, missing.text]).toEqual([existing.status, existing.text]);
      if (auth) {
        const existingLink = await linkFor(auth, 'docs', 'secret.txt');
        const missingLink = await linkFor(auth, 'docs', 'missing.txt');
        expect(existingLink.status).toBe(status);
        expect(missingLink).toEqual({ ...existingLink, headers: missingLink.headers });
      }
    }
    // A link that does not hold: alike too.
    const bad = '?v=x&expires=99999999999&sig=abc';
    const existing = await download(`${plain('docs', 'secret.txt')}${bad}`);
    const missing = await download(`${plain('docs', 'missing.txt')}${bad}`);
    expect(existing.status).toBe(403);
    expect([missing.status, missing.text]).toEqual([existing.status, existing.text]);
  });

  it('stops a link when its file is removed, or replaced by someone else', async () => {
    const first = (await upload(uma, 'docs', 'report.txt', 'v1 by uma')).body.url;
    expect(await download(first)).toMatchObject({ status: 200, text: 'v1 by uma' });
    const replaced = await upload(ada, 'docs', 'report.txt', 'v2 by ada');
    expect(replaced.status).toBe(200);
    expect(await download(first)).toMatchObject({ status: 403 });
    expect(await download(replaced.body.url)).toMatchObject({ status: 200, text: 'v2 by ada' });

    const draft = (await upload(uma, 'docs', 'draft.txt', 'old draft')).body.url;
    expect((await remove(uma, 'docs', 'draft.txt')).status).toBe(200);
    expect(await download(draft)).toMatchObject({ status: 403 });
    const again = await upload(oli, 'docs', 'draft.txt', 'new draft by oli');
    expect(again.status).toBe(200);
    const stale = await download(draft);
    expect(stale.status).toBe(403);
    expect(stale.text).not.toContain('draft');
    expect(await download(again.body.url)).toMatchObject({ status: 200, text: 'new draft by oli' });
  });

  it('refuses tampered and expired links; one signed with the known secret works', async () => {
    const key = fileLinkKey(new TextEncoder().encode(SECRET));
    const { v } = linkParts(secretUrl);
    const now = Math.floor(Date.now() / 1000);
    const claims = { object: 'docs', filename: 'secret.txt', uploadId: v };
    const signed = (expires: number, over: Partial<typeof claims> = {}) =>
      `${server.url}${fileLinkPath(
        { ...claims, expires },
        signFileLink(key, { ...claims, ...over, expires }),
      )}`;
    // The test signs as the server does: a fresh link works…
    expect(await download(signed(now + 60))).toMatchObject({ status: 200, text: 'uma secret' });
    // …and the same, expired, does not.
    const refused = [
      signed(now - 1),
      signed(now + 60, { uploadId: 'another-upload' }),
      signed(now + 60, { filename: 'other.txt' }),
      signed(now + 60, { object: 'pics' }),
    ];
    const { expires, sig } = linkParts(secretUrl);
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const base = plain('docs', 'secret.txt');
    refused.push(
      `${base}?v=${v}&expires=${expires}&sig=${flipped}`,
      `${base}?v=${v}&expires=${expires + 1}&sig=${sig}`,
      `${base}?v=${v}x&expires=${expires}&sig=${sig}`,
      `${base}?v=${v}&expires=${expires}`,
      `${base}?v=${v}&sig=${sig}`,
      `${plain('pics', 'secret.txt')}?v=${v}&expires=${expires}&sig=${sig}`,
    );
    for (const url of refused) {
      const res = await download(url);
      expect([url, res.status]).toEqual([url, 403]);
      expect(res.text).not.toContain('uma secret');
    }
    // Credentials that may read the file still do, whatever the link.
    expect(await download(refused[0]!, uma)).toMatchObject({ status: 200, text: 'uma secret' });
  });

  it('keeps the path safety: only plain names below an object, long names included', async () => {
    const long = `${'n'.repeat(96)} ${'m'.repeat(99)}.txt`;
    const res = await upload(uma, 'docs', long, 'long');
    expect(res.status).toBe(200);
    expect(await download(res.body.url)).toMatchObject({ status: 200, text: 'long' });
    expect(await download(plain('docs', long), ada)).toMatchObject({ status: 200, text: 'long' });
    for (const tricky of [
      '/files/docs/..%2Fpics%2Fcat.png',
      '/files/docs/%2E%2E%2Fpics%2Fcat.png',
      '/files/docs/sub%2Fsecret.txt',
      '/files/docs/.hidden',
      '/files/pics/..%2F..%2Fpackage.json',
      '/files/..%2Fdocs/secret.txt',
      '/files/constructor/secret.txt',
      '/files/docs/',
    ]) {
      const answer = await download(`${server.url}${tricky}`, ada);
      expect([tricky, answer.status]).toEqual([tricky, 404]);
    }
    // HEAD answers like GET, without the body.
    const head = await fetch(plain('docs', 'secret.txt'), {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${(uma as { bearer: string }).bearer}` },
    });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '10']);
    expect((await fetch(plain('docs', 'secret.txt'), { method: 'HEAD' })).status).toBe(401);
  });

  it('gives an upload-only role the plain path, which it cannot read', async () => {
    const res = await upload(dee, 'docs', 'drop.txt', 'dropped');
    expect(res).toMatchObject({ status: 200, body: { url: plain('docs', 'drop.txt') } });
    expect((await download(res.body.url, dee)).status).toBe(403);
    expect((await download(res.body.url)).status).toBe(401);
    expect(await download(res.body.url, ada)).toMatchObject({ status: 200, text: 'dropped' });
  });
});
