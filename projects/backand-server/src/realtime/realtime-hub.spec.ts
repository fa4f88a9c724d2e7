import { io, type Socket } from 'socket.io-client';
import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const BASIC = `Basic ${Buffer.from('demo-master-token:demo-user-token').toString('base64')}`;

describe('RealtimeHub login details', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  /** A connected socket that has not logged in yet. */
  async function open(): Promise<Socket> {
    const socket = io(server.url, { transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    return socket;
  }

  const answer = (socket: Socket) =>
    new Promise<string>((resolve) => {
      socket.once('authorized', () => resolve('authorized'));
      socket.once('notAuthorized', () => resolve('notAuthorized'));
    });

  it('accepts the Basic master token as login token, with the admin audience', async () => {
    const socket = await open();
    const reply = answer(socket);
    socket.emit('login', BASIC, 'demo-anonymous-token', 'demo');
    expect(await reply).toBe('authorized');
    const ann = await signIn(server.url, 'ann@demo.test', 'ann-password');
    // notes are read-own for users: only an admin audience sees ann's note.
    const created = new Promise<{ row: { text: string } }>((resolve) =>
      socket.once('notes.created', resolve),
    );
    await api(
      server.url,
      'POST',
      '/1/objects/notes',
      { bearer: ann.access_token },
      { text: 'for admins' },
    );
    expect((await created).row.text).toBe('for admins');
  });

  it('refuses a wrong master token and an unknown token scheme', async () => {
    for (const token of [
      `Basic ${Buffer.from('demo-master-token:nope').toString('base64')}`,
      'Token abc',
    ]) {
      const socket = await open();
      const reply = answer(socket);
      socket.emit('login', token, 'demo-anonymous-token', 'demo');
      expect(await reply).toBe('notAuthorized');
    }
  });
});

describe('RealtimeHub login refusals (ext: notAuthorized carries {code, message})', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  async function refusal(...login: unknown[]): Promise<unknown> {
    const socket = io(server.url, { transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const reply = new Promise<unknown>((resolve) => {
      socket.once('authorized', () => resolve('authorized'));
      socket.once('notAuthorized', (info: unknown) => resolve(info));
    });
    socket.emit('login', ...login);
    return reply;
  }

  it.each([
    [[null, 'demo-anonymous-token', 'not-demo'], 'appName', /unknown app "not-demo"/],
    [['Bearer not.a.jwt', 'demo-anonymous-token', 'demo'], 'token', /invalid or expired token/],
    [[null, 'wrong-anonymous-token', 'demo'], 'anonymousToken', /invalid anonymous token/],
    [[null, null, 'demo'], 'noCredentials', /no token/],
    [
      [`Basic ${Buffer.from('demo-master-token:nope').toString('base64')}`, null, 'demo'],
      'credentials',
      /invalid credentials/,
    ],
  ])('login(%j) is refused with code %s', async (login, code, message) => {
    const info = (await refusal(...login)) as { code: string; message: string };
    expect(info).toEqual({ code, message: expect.stringMatching(message) });
    // Not the `{reason}` of the unsolicited notice, which clients skip as an answer.
    expect(info).not.toHaveProperty('reason');
  });

  it('still authorizes a good login', async () => {
    expect(await refusal(null, 'demo-anonymous-token', 'demo')).toBe('authorized');
  });
});
