import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { io } from 'socket.io-client';
import { CliProcess, ensureServerBuilt } from './testing/fixtures/cli-process';

// The real CLI (bin/backand-server.js → dist/cli.js) as a child process: rows acknowledged
// before a SIGTERM/SIGINT are all there after a restart on the same database file.

const FIXTURE = path.join(__dirname, 'testing/fixtures/durable-app.json');
const ADMIN = { username: 'ada@durable.test', password: 'ada-password' };

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...ADMIN, appName: 'durable', grant_type: 'password' }).toString(),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function call(url: string, auth: string, method: string, route: string, body?: unknown) {
  const res = await fetch(url + route, {
    method,
    headers: {
      Authorization: `Bearer ${auth}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

/** The bodies these tests read: a create answer and a list. */
interface Body {
  __metadata: { id: string };
  data: Entry[];
}
interface Entry {
  id: string | number;
  title: string;
  n: number;
}

async function allRows(url: string, auth: string): Promise<Entry[]> {
  const res = await call(url, auth, 'GET', '/1/objects/entries?pageSize=200&exclude=metadata');
  expect(res.status).toBe(200);
  return res.body.data;
}

const row = (i: number, tag: string) => ({
  title: `${tag} row ${i}`,
  n: i,
  amount: i + 0.25,
  done: i % 2 === 0,
  meta: { i, tags: [tag, 'x'] },
});

let dir: string;

function start(db: string): Promise<CliProcess> {
  return CliProcess.start(['--app', FIXTURE, '--db', db, '--log-level', 'warn']);
}
const running: CliProcess[] = [];

beforeAll(() => {
  ensureServerBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'backand-durability-'));
}, 180_000);

afterAll(() => {
  for (const run of running) run.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['SIGTERM', 'SIGINT'] as const)('the CLI stopped with %s', (signal) => {
  it('exits 0 and keeps every written row, update and delete across a restart', async () => {
    const db = path.join(dir, `${signal}.db`);
    const first = await start(db);
    running.push(first);
    const auth = await token(first.url);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await call(first.url, auth, 'POST', '/1/objects/entries', row(i, signal));
      expect(res.status).toBe(200);
      ids.push(String(res.body.__metadata.id));
    }
    expect(
      (await call(first.url, auth, 'PUT', `/1/objects/entries/${ids[1]}`, { title: 'edited' }))
        .status,
    ).toBe(200);
    expect((await call(first.url, auth, 'DELETE', `/1/objects/entries/${ids[2]}`)).status).toBe(
      200,
    );
    const before = await allRows(first.url, auth);
    expect(before).toHaveLength(39);

    // A signed-in socket is open while the server stops: shutdown closes it, and still exits 0.
    const socket = io(first.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve) => {
      socket.once('authorized', () => resolve());
      socket.once('connect', () => socket.emit('login', `Bearer ${auth}`, null, 'durable'));
    });
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect(await first.stop(signal)).toEqual({ code: 0, signal: null });
    await closed;
    socket.close();

    const second = await start(db);
    running.push(second);
    // No `secret` in the app file: the generated one lives in the database, so the old token works.
    const after = await allRows(second.url, auth);
    const byId = (rows: Entry[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id));
    expect(byId(after)).toEqual(byId(before));
    expect(after.find((r) => String(r.id) === ids[1])).toMatchObject({ title: 'edited', n: 1 });
    expect(after.find((r) => String(r.id) === ids[2])).toBeUndefined();
    expect(after.find((r) => String(r.id) === ids[7])).toMatchObject(row(7, signal));
    expect(await second.stop(signal)).toEqual({ code: 0, signal: null });
  });
});

it('every write acknowledged before SIGTERM survives, even with writes in flight', async () => {
  const db = path.join(dir, 'in-flight.db');
  const first = await start(db);
  running.push(first);
  const auth = await token(first.url);
  const acknowledged: string[] = [];
  let signalled = false;
  let settled = 0;
  let inFlightAtSignal = 0;
  const writes = Array.from({ length: 60 }, (_, i) =>
    call(first.url, auth, 'POST', '/1/objects/entries', row(i, 'flight')).then(
      (res) => {
        settled++;
        if (res.status === 200) acknowledged.push(String(res.body.__metadata.id));
        if (acknowledged.length === 10 && !signalled) {
          signalled = true;
          inFlightAtSignal = 60 - settled;
          first.child.kill('SIGTERM');
        }
      },
      () => void settled++, // refused or cut off by the shutdown: not acknowledged
    ),
  );
  await Promise.all(writes);
  expect(signalled).toBe(true);
  // The signal really came while writes were still under way.
  expect(inFlightAtSignal).toBeGreaterThan(0);
  expect(await first.exited).toEqual({ code: 0, signal: null });

  const second = await start(db);
  running.push(second);
  const ids = new Set(
    (await allRows(second.url, await token(second.url))).map((r) => String(r.id)),
  );
  expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
  expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
});
