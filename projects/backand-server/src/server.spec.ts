import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { RunningServer } from './server-options';
import { api } from './testing/http-client';
import { startTestServer } from './testing/test-server';

const ANON = { anonymous: 'demo-anonymous-token' };

function connect(url: string, token: string | null): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnectionDelay: 50,
    reconnectionDelayMax: 100,
  });
  socket.on('connect', () => socket.emit('login', token, 'demo-anonymous-token', 'demo'));
  return new Promise((resolve, reject) => {
    socket.once('authorized', () => resolve(socket));
    socket.once('notAuthorized', () => reject(new Error('notAuthorized')));
  });
}

describe('server transport', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers CORS preflights for any origin by default, with the Backand headers allowed', async () => {
    const res = await fetch(`${server.url}/1/objects/items`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,anonymoustoken,content-type',
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'anonymoustoken',
    );
    const get = await fetch(`${server.url}/1/objects/items`, {
      headers: { Origin: 'http://app.example', AnonymousToken: 'demo-anonymous-token' },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('http://app.example');
  });

  it('allows the socket handshake from another origin (polling)', async () => {
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { Origin: 'http://app.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(await res.text()).toMatch(/^0\{"sid":/);
  });

  it('recovers a dropped connection: the events emitted meanwhile arrive after the reconnect', async () => {
    const socket = await connect(server.url, null);
    try {
      const received: string[] = [];
      socket.on('broadcast', (d: { message: string }) => received.push(d.message));
      const first = new Promise((r) => socket.once('broadcast', r));
      await api(
        server.url,
        'GET',
        '/1/objects/action/items?name=broadcast&parameters=%7B%22message%22%3A%22before%22%7D',
        ANON,
      );
      await first;
      const disconnected = new Promise((r) => socket.once('disconnect', r));
      socket.io.engine.close();
      await disconnected;
      await api(
        server.url,
        'GET',
        '/1/objects/action/items?name=broadcast&parameters=%7B%22message%22%3A%22missed%22%7D',
        ANON,
      );
      const reconnected = new Promise<void>((r) => socket.once('connect', () => r()));
      await reconnected;
      expect(socket.recovered).toBe(true);
      const after = new Promise((r) => socket.once('authorized', r));
      await after;
      const barrier = new Promise((r) => socket.once('broadcast', r));
      await api(
        server.url,
        'GET',
        '/1/objects/action/items?name=broadcast&parameters=%7B%22message%22%3A%22after%22%7D',
        ANON,
      );
      await barrier;
      expect(received).toEqual(['before', 'missed', 'after']);
    } finally {
      socket.close();
    }
  });
});

describe('close()', () => {
  it('drops socket connections, stops accepting and releases the database file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'backand-close-'));
    try {
      const db = path.join(dir, 'demo.db');
      const server = await startTestServer(undefined, { db });
      const socket = await connect(server.url, null);
      socket.io.reconnection(false);
      const gone = new Promise((r) => socket.once('disconnect', r));
      await server.close();
      // A transport close (not a server-side disconnect) lets clients reconnect to a restart.
      expect(await gone).toBe('transport close');
      await expect(fetch(`${server.url}/1/objects/items`)).rejects.toThrow();
      // The same file opens again at once: nothing holds it.
      const again = await startTestServer(undefined, { db });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('staticDir', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'backand-static-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>spa</title>');
    writeFileSync(path.join(dir, 'main.js'), 'console.log("spa")');
    server = await startTestServer(undefined, { staticDir: dir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves files, index.html for client routes, and JSON 404s for the API', async () => {
    const root = await fetch(`${server.url}/`);
    expect(await root.text()).toContain('<title>spa</title>');
    expect(await (await fetch(`${server.url}/main.js`)).text()).toBe('console.log("spa")');
    const route = await fetch(`${server.url}/lists/live`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>spa</title>');
    const api404 = await fetch(`${server.url}/1/nothing`);
    expect(api404.status).toBe(404);
    expect(await api404.json()).toEqual({ Message: expect.stringMatching(/Not found/) });
    const list = await fetch(`${server.url}/1/objects/items`, {
      headers: { AnonymousToken: 'demo-anonymous-token' },
    });
    expect(list.status).toBe(200);
  });
});
