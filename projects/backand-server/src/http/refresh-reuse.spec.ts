import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { closeDatabase, openDatabase } from '../storage/database';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { api } from '../testing/http-client';
import { signIn, startTestServer, type TokenResponse } from '../testing/test-server';
import { testDb } from '../testing/test-store';

// Refresh-token reuse: a refresh token works once. Presenting one that was already rotated means
// two parties hold the session (a thief and its owner), so the whole session ends.

const app: AppDefinitionInput = {
  appName: 'reuse',
  anonymousToken: 'anon-r',
  users: [{ username: 'ivy@r.test', password: 'ivy-password', role: 'User' }],
  objects: { things: { fields: { name: 'string' } } },
};

const refresh = (server: RunningServer, refreshToken: string) =>
  api(server.url, 'POST', '/token', null, {
    username: 'ivy@r.test',
    refreshToken,
    appName: 'reuse',
    grant_type: 'password',
  });

const list = (server: RunningServer, t: TokenResponse | string) =>
  api(server.url, 'GET', '/1/objects/things', {
    bearer: typeof t === 'string' ? t : t.access_token,
  });

describe('refresh-token reuse', () => {
  let server: RunningServer;
  const probes: SocketProbe[] = [];
  beforeAll(async () => {
    server = await startTestServer(app);
  });
  afterAll(async () => {
    for (const p of probes) p.close();
    await server.close();
  });

  it('revokes the whole session when a rotated refresh token comes back; other sessions carry on', async () => {
    const stolen = await signIn(server.url, 'ivy@r.test', 'ivy-password', 'reuse');
    const other = await signIn(server.url, 'ivy@r.test', 'ivy-password', 'reuse');
    const socket = await SocketProbe.open(server.url);
    probes.push(socket);
    expect(await socket.login(`Bearer ${stolen.access_token}`, null, 'reuse')).toBe('authorized');

    // The owner refreshes (the token rotates); then the old token is presented again.
    const renewed = await refresh(server, stolen.refresh_token);
    expect(renewed.status).toBe(200);
    const from = socket.log.length;
    const replay = await refresh(server, stolen.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });

    // Every credential of that session stops working: access tokens old and new, the successor
    // refresh token, and the socket logged in with it.
    expect((await list(server, stolen)).status).toBe(401);
    expect((await list(server, renewed.body.access_token as string)).status).toBe(401);
    expect((await refresh(server, renewed.body.refresh_token as string)).status).toBe(400);
    await socket.waitFor('notAuthorized', () => true, from);

    // The user's other session is untouched.
    expect((await list(server, other)).status).toBe(200);
    expect((await refresh(server, other.refresh_token)).status).toBe(200);
  });

  it('revokes the session when two refreshes race with the same token', async () => {
    const t = await signIn(server.url, 'ivy@r.test', 'ivy-password', 'reuse');
    const answers = await Promise.all([
      refresh(server, t.refresh_token),
      refresh(server, t.refresh_token),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    const winner = answers.find((a) => a.status === 200)!;
    expect((await list(server, winner.body.access_token as string)).status).toBe(401);
    expect((await refresh(server, winner.body.refresh_token as string)).status).toBe(400);
  });
});

describe('refresh-token reuse on a database from before rotated tokens were kept', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'backand-reuse-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the table on start and recognises a replay', async () => {
    const db = path.join(dir, 'reuse.db');
    const first = await startTestServer(app, { db });
    const kept = await signIn(first.url, 'ivy@r.test', 'ivy-password', 'reuse');
    await first.close();
    // A database written before this table existed.
    const raw = openDatabase(testDb(db));
    raw.exec('DROP TABLE IF EXISTS _backand_rotated_refresh_tokens');
    closeDatabase(raw);

    const second = await startTestServer(app, { db });
    try {
      const renewed = await refresh(second, kept.refresh_token);
      expect(renewed.status).toBe(200);
      expect((await refresh(second, kept.refresh_token)).status).toBe(400);
      expect((await list(second, renewed.body.access_token as string)).status).toBe(401);
    } finally {
      await second.close();
    }
  });
});
