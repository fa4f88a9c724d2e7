import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';
import { io, type Socket } from 'socket.io-client';
import type { RunningServer } from './index';
import { startTestServer } from './testing/test-server';
import { CliProcess, ensureServerBuilt } from './testing/fixtures/cli-process';

// HTTPS + WSS from a certificate made here; clients verify it against that certificate as CA.

let server: RunningServer;
let cert: string;
let key: string;
const sockets: Socket[] = [];

/** A JSON request over HTTPS that trusts only `ca`. */
function https(
  method: string,
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  ca: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function signIn(username: string, password: string, base = server.url) {
  const body = new URLSearchParams({
    username,
    password,
    appName: 'demo',
    grant_type: 'password',
  }).toString();
  return https(
    'POST',
    `${base}/token`,
    body,
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    cert,
  );
}

function connect(
  transports: ('websocket' | 'polling')[],
  ca: string | undefined,
  base = server.url,
): Socket {
  const socket = io(base, { transports, reconnection: false, forceNew: true, ca });
  sockets.push(socket);
  return socket;
}

function loginWith(socket: Socket, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('authorized', () => resolve('authorized'));
    socket.once('notAuthorized', () => resolve('notAuthorized'));
    socket.once('connect_error', reject);
    socket.once('connect', () => socket.emit('login', `Bearer ${token}`, null, 'demo'));
  });
}

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  cert = pems.cert;
  key = pems.private;
  server = await startTestServer(undefined, { tls: { cert: pems.cert, key: pems.private } });
}, 60_000);

/** Disconnects and waits until the transport is closed (a polling request may be in flight). */
async function close(socket: Socket): Promise<void> {
  const engine = socket.io.engine;
  if (!engine || engine.readyState === 'closed') {
    socket.disconnect();
    return;
  }
  const closed = new Promise((resolve) => engine.once('close', resolve));
  socket.disconnect();
  await closed;
}

afterAll(async () => {
  for (const s of sockets) await close(s);
  await server?.close();
});

describe('a server started with a certificate', () => {
  it('serves https', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('signs in over HTTPS and serves REST with the token', async () => {
    const res = await signIn('ann@demo.test', 'ann-password');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      username: 'ann@demo.test',
      role: 'User',
      token_type: 'bearer',
    });
    const list = await https(
      'GET',
      `${server.url}/1/objects/items?pageSize=1`,
      undefined,
      { Authorization: `Bearer ${res.json.access_token}` },
      cert,
    );
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ totalRows: expect.any(Number), data: expect.any(Array) });
  });

  it.each([['websocket'], ['polling']] as const)(
    'delivers an action event over WSS (%s transport)',
    async (transport) => {
      const token = (await signIn('bob@demo.test', 'bob-password')).json.access_token as string;
      const socket = connect([transport], cert);
      expect(await loginWith(socket, token)).toBe('authorized');
      const message = `over tls ${transport}`;
      const received = new Promise((resolve) =>
        socket.on(
          'broadcast',
          (data: { message?: string }) => data?.message === message && resolve(data),
        ),
      );
      const res = await https(
        'POST',
        `${server.url}/1/objects/action/items?name=broadcast`,
        JSON.stringify({ message }),
        { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        cert,
      );
      expect(res.status).toBe(200);
      await expect(received).resolves.toMatchObject({ message, from: 'bob@demo.test' });
      expect(socket.io.engine.transport.name).toBe(transport);
      await close(socket);
    },
  );

  it('is refused by a client that does not trust the certificate', async () => {
    const socket = connect(['websocket'], undefined);
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    expect(error).toBeInstanceOf(Error);
    expect(socket.connected).toBe(false);
    await expect(
      new Promise((resolve, reject) => {
        const req = request(`${server.url}/token`, { method: 'POST' }, resolve);
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toThrow(/self[- ]signed|certificate|verify/i);
  });
});

describe('the CLI with --tls-cert and --tls-key', () => {
  it('serves HTTPS sign-in and a WSS login from certificate files', async () => {
    ensureServerBuilt();
    const dir = mkdtempSync(path.join(tmpdir(), 'backand-tls-'));
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(certFile, cert);
    writeFileSync(keyFile, key);
    const run = await CliProcess.start(
      ['--db', ':memory:', '--tls-cert', certFile, '--tls-key', keyFile, '--log-level', 'warn'],
      'https',
    );
    try {
      const res = await signIn('ada@demo.test', 'ada-password', run.url);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ username: 'ada@demo.test', role: 'Admin' });
      const socket = connect(['websocket'], cert, run.url);
      expect(await loginWith(socket, res.json.access_token as string)).toBe('authorized');
      await close(socket);
    } finally {
      expect(await run.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
