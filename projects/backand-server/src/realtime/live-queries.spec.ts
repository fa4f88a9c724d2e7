import type { RunningServer } from '../server-options';
import { api, qs } from '../testing/http-client';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { signIn, startTestServer, type TokenResponse } from '../testing/test-server';

// Live queries with real sockets and real SQLite. Absence of a delta is proved with a later
// barrier (an emitAll the server writes to each socket after everything before it).

const APP = 'demo';
const ANON = 'demo-anonymous-token';
type Row = Record<string, unknown> & { id: number };
type Change =
  { op: 'enter' | 'change'; id: number; index: number; row: Row } | { op: 'leave'; id: number };
type Ack =
  | { ok: true; query: string; rows: Row[]; pageSize: number }
  | { ok: false; status: number; error: string };

let server: RunningServer;
let ada: TokenResponse;
let ann: TokenResponse;
let bob: TokenResponse;
const probes: SocketProbe[] = [];
let seq = 0;

beforeAll(async () => {
  server = await startTestServer();
  [ada, ann, bob] = await Promise.all([
    signIn(server.url, 'ada@demo.test', 'ada-password'),
    signIn(server.url, 'ann@demo.test', 'ann-password'),
    signIn(server.url, 'bob@demo.test', 'bob-password'),
  ]);
});
afterAll(async () => {
  for (const p of probes) p.close();
  await server.close();
});

async function socketOf(token: TokenResponse | null): Promise<SocketProbe> {
  const p = await SocketProbe.open(server.url);
  probes.push(p);
  const bearer = token ? `Bearer ${token.access_token}` : null;
  expect(await p.login(bearer, ANON, APP)).toBe('authorized');
  return p;
}

const subscribe = (p: SocketProbe, payload: unknown) =>
  p.socket.emitWithAck('liveQuery', payload) as Promise<Ack>;
const unsubscribe = (p: SocketProbe, query: string) =>
  p.socket.emitWithAck('liveQuery:unsubscribe', { query }) as Promise<Ack>;

async function ok(p: SocketProbe, payload: unknown): Promise<{ query: string; rows: Row[] }> {
  const ack = await subscribe(p, payload);
  if (!ack.ok) throw new Error(`subscribe failed: ${ack.status} ${ack.error}`);
  return ack;
}

async function write(method: string, path: string, token: TokenResponse, body?: unknown) {
  const res = await api(server.url, method, path, { bearer: token.access_token }, body);
  expect(res.status).toBe(200);
  return res.body as { __metadata?: { id: string } } & Record<string, unknown>;
}
const createItem = async (token: TokenResponse, body: Record<string, unknown>) =>
  Number((await write('POST', '/1/objects/items', token, body)).__metadata!.id);

/** An emitAll every authorized socket gets after what was sent before; resolves log indexes. */
async function barrier(who: SocketProbe[]): Promise<number[]> {
  const message = `barrier-${++seq}`;
  await write('POST', '/1/objects/action/items?name=broadcast', ada, { message });
  return Promise.all(
    who.map((p) =>
      p.waitIndex(
        (e) => e.event === 'broadcast' && (e.data as { message?: string }).message === message,
      ),
    ),
  );
}

/** The changes of `query` that `p` received between two log indexes. */
function changesOf(p: SocketProbe, query: string, from = 0, to = p.log.length): Change[] {
  return p
    .between(from, to)
    .filter((e) => e.event === 'liveQuery:delta' && (e.data as { query: string }).query === query)
    .flatMap((e) => (e.data as { changes: Change[] }).changes);
}

/** Applies changes to a window as the protocol says: leaves, then inserts by ascending index. */
function apply(rows: Row[], changes: Change[]): Row[] {
  let next = rows.filter((r) => !changes.some((c) => c.op === 'leave' && c.id === r.id));
  for (const c of changes) {
    if (c.op === 'leave') continue;
    next = next.filter((r) => r.id !== c.id);
    next.splice(c.index, 0, c.row);
  }
  return next;
}

/** What REST lists for the same query (ids). */
async function restIds(token: TokenResponse, query: Record<string, unknown>): Promise<number[]> {
  const res = await api(server.url, 'GET', `/1/objects/items${qs(query)}`, {
    bearer: token.access_token,
  });
  expect(res.status).toBe(200);
  return (res.body as { data: Row[] }).data.map((r) => r.id);
}

const tag = () => `t${++seq}x`;
const startsWith = (value: string) => [{ fieldName: 'name', operator: 'startsWith', value }];

describe('matching', () => {
  it('sends a delta only to the sockets whose filter the write touches', async () => {
    const red = tag();
    const blue = tag();
    const [a, b] = await Promise.all([socketOf(ann), socketOf(null)]);
    const qa = await ok(a, { object: 'items', filter: startsWith(red) });
    const qb = await ok(b, { object: 'items', filter: startsWith(blue) });
    expect(qa.rows).toEqual([]);
    const from = [a.log.length, b.log.length];

    const id = await createItem(ann, { name: `${red}-1` });
    const [endA, endB] = await barrier([a, b]);
    expect(changesOf(a, qa.query, from[0], endA)).toEqual([
      { op: 'enter', id, index: 0, row: expect.objectContaining({ id, name: `${red}-1` }) },
    ]);
    expect(changesOf(b, qb.query, from[1], endB)).toEqual([]);
    expect(b.between(from[1]!, endB).map((e) => e.event)).not.toContain('liveQuery:delta');

    // Renamed out of one filter and into the other: leave here, enter there.
    const mark = [a.log.length, b.log.length];
    await write('PUT', `/1/objects/items/${id}`, ann, { name: `${blue}-1` });
    const [endA2, endB2] = await barrier([a, b]);
    expect(changesOf(a, qa.query, mark[0], endA2)).toEqual([{ op: 'leave', id }]);
    expect(changesOf(b, qb.query, mark[1], endB2)).toEqual([
      { op: 'enter', id, index: 0, row: expect.objectContaining({ name: `${blue}-1` }) },
    ]);

    // A change inside the filter, then the delete.
    const mark2 = b.log.length;
    await write('PUT', `/1/objects/items/${id}`, ann, { qty: 7 });
    await write('DELETE', `/1/objects/items/${id}`, ann);
    const [endB3] = await barrier([b]);
    expect(changesOf(b, qb.query, mark2, endB3)).toEqual([
      { op: 'change', id, index: 0, row: expect.objectContaining({ qty: 7 }) },
      { op: 'leave', id },
    ]);
  });

  it('keeps one distinct query once for every socket that holds it', async () => {
    const name = tag();
    const sockets = await Promise.all([socketOf(ann), socketOf(bob), socketOf(null)]);
    const acks = await Promise.all(
      sockets.map((p) => ok(p, { object: 'items', filter: startsWith(name) })),
    );
    expect(new Set(acks.map((a) => a.query)).size).toBe(1);
    const froms = sockets.map((p) => p.log.length);
    const id = await createItem(bob, { name });
    const ends = await barrier(sockets);
    sockets.forEach((p, i) =>
      expect(changesOf(p, acks[0]!.query, froms[i], ends[i]).map((c) => c.id)).toEqual([id]),
    );
  });
});

describe('read permissions', () => {
  it('never sends another user\'s "own" rows; an admin sees every row', async () => {
    const [annSocket, bobSocket, adaSocket] = await Promise.all([
      socketOf(ann),
      socketOf(bob),
      socketOf(ada),
    ]);
    const [qAnn, qBob, qAda] = await Promise.all(
      [annSocket, bobSocket, adaSocket].map((p) => ok(p, { object: 'notes' })),
    );
    expect(qAnn.query).not.toBe(qBob.query);
    expect(qAnn.rows.every((r) => r['owner'] === 'ann@demo.test')).toBe(true);
    const froms = [annSocket, bobSocket, adaSocket].map((p) => p.log.length);

    const annNote = Number(
      (await write('POST', '/1/objects/notes', ann, { text: tag() })).__metadata!.id,
    );
    const bobNote = Number(
      (await write('POST', '/1/objects/notes', bob, { text: tag() })).__metadata!.id,
    );
    const ends = await barrier([annSocket, bobSocket, adaSocket]);
    const ids = (p: SocketProbe, q: string, i: number) =>
      changesOf(p, q, froms[i], ends[i]).map((c) => c.id);
    expect(ids(annSocket, qAnn.query, 0)).toEqual([annNote]);
    expect(ids(bobSocket, qBob.query, 1)).toEqual([bobNote]);
    expect(ids(adaSocket, qAda.query, 2)).toEqual([annNote, bobNote]);

    // Handing ann's note to bob: it leaves ann's list and enters bob's.
    const mark = [annSocket.log.length, bobSocket.log.length];
    await write('PUT', `/1/objects/notes/${annNote}`, ada, { owner: 'bob@demo.test' });
    const [e1, e2] = await barrier([annSocket, bobSocket]);
    expect(changesOf(annSocket, qAnn.query, mark[0], e1)).toEqual([{ op: 'leave', id: annNote }]);
    expect(changesOf(bobSocket, qBob.query, mark[1], e2).map((c) => [c.op, c.id])).toEqual([
      ['enter', annNote],
    ]);
  });

  it('refuses objects the role may not read, unknown objects and fields, and bad payloads', async () => {
    const guest = await socketOf(null);
    expect(await subscribe(guest, { object: 'notes' })).toEqual({
      ok: false,
      status: 403,
      error: 'No permission to read "notes"',
    });
    expect(await subscribe(guest, { object: 'nope' })).toMatchObject({ ok: false, status: 404 });
    expect(
      await subscribe(guest, {
        object: 'items',
        filter: [{ fieldName: 'nope', operator: 'equals', value: 1 }],
      }),
    ).toMatchObject({ ok: false, status: 400, error: expect.stringContaining('nope') });
    for (const bad of [null, 'items', [], { object: 'items', pageSize: -1 }, { object: 1 }]) {
      expect(await subscribe(guest, bad)).toMatchObject({ ok: false, status: 400 });
    }
    expect(await unsubscribe(guest, 'lq-none')).toMatchObject({ ok: false, status: 404 });
    // Before a login there is no identity to read with.
    const fresh = await SocketProbe.open(server.url);
    probes.push(fresh);
    expect(await subscribe(fresh, { object: 'items' })).toMatchObject({ ok: false, status: 401 });
    // The server keeps serving.
    expect((await ok(guest, { object: 'items', pageSize: 1 })).rows.length).toBeLessThanOrEqual(1);
  });
});

describe('the page window', () => {
  it('keeps a sorted, full page equal to REST: entries push rows out, leaves refill', async () => {
    const name = tag();
    const query = {
      filter: startsWith(name),
      sort: [{ fieldName: 'qty', order: 'desc' }],
      pageSize: 3,
    };
    const p = await socketOf(ann);
    for (const qty of [5, 10, 15, 20]) await createItem(ann, { name, qty });
    const sub = await ok(p, { object: 'items', ...query });
    let rows = sub.rows;
    expect(rows.map((r) => r['qty'])).toEqual([20, 15, 10]);
    const steps: (() => Promise<unknown>)[] = [
      () => createItem(ann, { name, qty: 12 }), // enters at 2, pushes 10 out
      () => createItem(ann, { name, qty: 1 }), // below the page: nothing
      () => write('PUT', `/1/objects/items/${rows[0]!.id}`, ann, { qty: 0 }), // 20 sinks out
      () => write('DELETE', `/1/objects/items/${rows[0]!.id}`, ann), // 15 goes, refill
      () => write('PUT', `/1/objects/items/${rows[1]!.id}`, ann, { qty: 99 }), // moves to top
    ];
    for (const step of steps) {
      const from = p.log.length;
      await step();
      const [end] = await barrier([p]);
      rows = apply(rows, changesOf(p, sub.query, from, end));
      expect(rows.map((r) => r.id)).toEqual(await restIds(ann, { ...query, pageNumber: 1 }));
    }
  });

  it('keeps an unsorted page (id order) equal to REST', async () => {
    const name = tag();
    const query = { filter: startsWith(name), pageSize: 2 };
    const p = await socketOf(null);
    const sub = await ok(p, { object: 'items', ...query });
    let rows = sub.rows;
    const ids: number[] = [];
    const steps: (() => Promise<unknown>)[] = [
      async () => ids.push(await createItem(ann, { name })),
      async () => ids.push(await createItem(ann, { name })),
      async () => ids.push(await createItem(ann, { name })), // page full: nothing
      () => write('DELETE', `/1/objects/items/${ids[0]}`, ann), // refill with the third
      () => write('PUT', `/1/objects/items/${ids[1]}`, ann, { name: 'elsewhere' }),
    ];
    for (const step of steps) {
      const from = p.log.length;
      await step();
      const [end] = await barrier([p]);
      rows = apply(rows, changesOf(p, sub.query, from, end));
      expect(rows.map((r) => r.id)).toEqual(await restIds(ann, query));
    }
    expect(rows.map((r) => r.id)).toEqual([ids[2]]);
  });

  it('has no gap: writes racing the subscribe end in the same list as REST', async () => {
    const name = tag();
    const query = { filter: startsWith(name), pageSize: 50 };
    const p = await socketOf(bob);
    const from = p.log.length;
    const writes = Array.from({ length: 20 }, () => createItem(ann, { name }));
    const sub = await ok(p, { object: 'items', ...query });
    await Promise.all(writes);
    const [end] = await barrier([p]);
    const rows = apply(sub.rows, changesOf(p, sub.query, from, end));
    expect(rows.map((r) => r.id)).toEqual(await restIds(ann, query));
    expect(rows).toHaveLength(20);
  });
});

describe('lifetime and limits', () => {
  it('ends with unsubscribe: no more deltas, and the handle is gone', async () => {
    const name = tag();
    const p = await socketOf(ann);
    const sub = await ok(p, { object: 'items', filter: startsWith(name) });
    expect(await unsubscribe(p, sub.query)).toEqual({ ok: true, query: sub.query });
    const from = p.log.length;
    await createItem(ann, { name });
    const [end] = await barrier([p]);
    expect(changesOf(p, sub.query, from, end)).toEqual([]);
    expect(await unsubscribe(p, sub.query)).toMatchObject({ ok: false, status: 404 });
  });

  it('bounds the live queries of one socket with a clear error', async () => {
    const p = await socketOf(ann);
    const acks = [];
    for (let i = 0; i < 32; i++)
      acks.push(await ok(p, { object: 'items', filter: startsWith(`b${i}`) }));
    const over = await subscribe(p, { object: 'items' });
    expect(over).toEqual({
      ok: false,
      status: 429,
      error: 'Too many live queries on this socket (at most 32); unsubscribe some first',
    });
    await unsubscribe(p, acks[0]!.query);
    expect((await subscribe(p, { object: 'items' })).ok).toBe(true);
  });

  it('ends with a new login, and a re-subscribe loads what changed meanwhile', async () => {
    const name = tag();
    const p = await socketOf(null);
    const sub = await ok(p, { object: 'items', filter: startsWith(name) });
    expect(await p.login(`Bearer ${ann.access_token}`, ANON, APP)).toBe('authorized');
    expect(await unsubscribe(p, sub.query)).toMatchObject({ ok: false, status: 404 });
    const id = await createItem(ann, { name });
    const again = await ok(p, { object: 'items', filter: startsWith(name) });
    expect(again.rows.map((r) => r.id)).toEqual([id]);
  });

  it('ends with the socket; a reconnected socket subscribes again with no gap', async () => {
    const name = tag();
    const first = await socketOf(bob);
    const sub = await ok(first, { object: 'items', filter: startsWith(name) });
    first.close();
    const id = await createItem(ann, { name });
    const second = await socketOf(bob);
    const again = await ok(second, { object: 'items', filter: startsWith(name) });
    // The query was forgotten with its last socket: a fresh one, holding the row written between.
    expect(again.query).not.toBe(sub.query);
    expect(again.rows.map((r) => r.id)).toEqual([id]);
  });

  it('ends on sign-out and on a role change; the new identity reads only what it may', async () => {
    const email = `live${++seq}@demo.test`;
    const password = `${email}-pw`;
    const signup = await api(
      server.url,
      'POST',
      '/1/user/signup',
      { headers: { SignUpToken: 'demo-signup-token' } },
      { email, password, confirmPassword: password },
    );
    expect(signup.status).toBe(200);
    const user = await signIn(server.url, email, password);
    const p = await socketOf(user);
    const sub = await ok(p, { object: 'notes' });
    // Role change to ReadOnly: the socket is authorized again, its subscription is gone.
    let from = p.log.length;
    await write('PUT', `/1/objects/users/${user.userId}`, ada, { role: 'ReadOnly' });
    await p.waitFor('authorized', () => true, from);
    expect(await unsubscribe(p, sub.query)).toMatchObject({ ok: false, status: 404 });
    await write('POST', '/1/objects/notes', bob, { text: tag() });
    let [end] = await barrier([p]);
    expect(changesOf(p, sub.query, from, end)).toEqual([]);
    // Subscribed again as ReadOnly (every note), then signed out: nothing more arrives.
    const readOnly = await ok(p, { object: 'notes' });
    from = p.log.length;
    await api(server.url, 'GET', '/1/user/signout', { bearer: user.access_token });
    // Its login carried the anonymous token too: it falls back to the guest audience.
    await p.waitFor(
      'authorized',
      (data) => (data as { reason?: string } | undefined)?.reason === 'sessionEnded',
      from,
    );
    await write('POST', '/1/objects/notes', bob, { text: tag() });
    // A guest login on it is the barrier; the user's subscription ended with the session.
    expect(await p.login(null, ANON, APP)).toBe('authorized');
    [end] = [p.log.length];
    expect(changesOf(p, readOnly.query, from, end)).toEqual([]);
    expect(await subscribe(p, { object: 'notes' })).toMatchObject({ ok: false, status: 403 });
  });
});

describe('a socket whose session is restored', () => {
  it('gets no deltas of the live queries it held until it subscribes again', async () => {
    const [p, q] = [await socketOf(ann), await socketOf(ann)];
    // Newest first: each new row enters the first page.
    const newest = { object: 'items', sort: [{ fieldName: 'id', order: 'desc' }] };
    const held = await ok(p, newest);
    // q keeps the same query alive while p is away.
    expect((await ok(q, newest)).query).toBe(held.query);
    await barrier([p]);
    const dropped = p.waitFor('$disconnect', () => true, p.log.length);
    // A lost transport, not a client disconnect: the server keeps the session for recovery.
    p.socket.io.engine.close();
    await dropped;
    const connected = new Promise<void>((resolve) => p.socket.once('connect', () => resolve()));
    p.socket.connect();
    await connected;
    expect(p.socket.recovered).toBe(true);

    const from = p.log.length;
    const id = await createItem(ann, { name: `restored-${++seq}` });
    await q.waitFor('liveQuery:delta', () => changesOf(q, held.query).some((c) => c.id === id));
    const [end] = await barrier([p]);
    expect(changesOf(p, held.query, from, end)).toEqual([]);

    const again = await ok(p, newest);
    const next = await createItem(ann, { name: `restored-${++seq}` });
    await p.waitFor('liveQuery:delta', () => changesOf(p, again.query).some((c) => c.id === next));
  });
});
