import { SocketProbe } from '../src/testing/fixtures/socket-probe';
import { ensureServerBuilt } from '../src/testing/fixtures/cli-process';
import { ANON, APP_NAME, call, ClusterNodes, signIn } from './cluster-nodes';

// Three real nodes (one SQLite file, one Redis), sockets spread over them. Each case writes on
// one node and proves, with a barrier event that travels the same way after it, that the right
// sockets on the other nodes got the event and no other socket did.

let cluster: ClusterNodes;
let A: string, B: string, C: string;
const tokens: Record<string, string> = {};
const probes: SocketProbe[] = [];

const USERS = {
  ada: ['ada@cluster.test', 'ada-password'],
  ann: ['ann@cluster.test', 'ann-password'],
  bob: ['bob@cluster.test', 'bob-password'],
  rita: ['rita@cluster.test', 'rita-password'],
  cy: ['cy@cluster.test', 'cy-password'],
} as const;

async function probe(url: string, who: keyof typeof USERS | 'guest'): Promise<SocketProbe> {
  const p = await SocketProbe.open(url);
  probes.push(p);
  const answer =
    who === 'guest'
      ? await p.login(null, ANON, APP_NAME)
      : await p.login(`Bearer ${tokens[who]}`, null, APP_NAME);
  expect(answer).toBe('authorized');
  return p;
}

/** An emitAll sent from `url` after the write under test; returns when every probe has it. */
async function barrier(url: string, all: SocketProbe[]): Promise<number[]> {
  const tag = Math.random().toString(36).slice(2);
  const res = await call(url, tokens['ada']!, 'POST', '/1/objects/action/signals?name=emitAll', {
    event: 'barrier',
    data: { tag },
  });
  expect(res.status).toBe(200);
  return Promise.all(
    all.map((p) =>
      p.waitIndex((e) => e.event === 'barrier' && (e.data as { tag?: string })?.tag === tag),
    ),
  );
}

function saw(
  p: SocketProbe,
  from: number,
  to: number,
  event: string,
  pred: (d: unknown) => boolean,
) {
  return p.between(from, to).some((e) => e.event === event && pred(e.data));
}

beforeAll(async () => {
  ensureServerBuilt();
  cluster = await ClusterNodes.start(3);
  [A, B, C] = cluster.urls as [string, string, string];
  // Sign in on different nodes: one signing secret, sessions in the shared file.
  const at = [A, B, C];
  let i = 0;
  for (const [name, [user, password]] of Object.entries(USERS)) {
    tokens[name] = await signIn(at[i++ % 3]!, user, password);
  }
}, 120_000);

afterAll(async () => {
  for (const p of probes) p.close();
  await cluster?.stop();
});

describe('automatic events across nodes', () => {
  it('a write on A reaches exactly the readers on B and C (read "own" and "all")', async () => {
    const ann = await probe(B, 'ann');
    const bob = await probe(C, 'bob');
    const rita = await probe(C, 'rita');
    const ada = await probe(B, 'ada');
    const guest = await probe(C, 'guest');
    const all = [ann, bob, rita, ada, guest];
    const from = all.map((p) => p.log.length);
    const note = await call(A, tokens['ann']!, 'POST', '/1/objects/notes?returnObject=true', {
      text: 'private to ann',
    });
    expect(note.status).toBe(200);
    const post = await call(A, tokens['bob']!, 'POST', '/1/objects/posts?returnObject=true', {
      title: 'public post',
    });
    expect(post.status).toBe(200);
    const to = await barrier(A, all);
    const isNote = (d: unknown) =>
      (d as { row?: { text?: string } }).row?.text === 'private to ann';
    const isPost = (d: unknown) => (d as { row?: { title?: string } }).row?.title === 'public post';
    const got = all.map((p, i) => saw(p, from[i]!, to[i]!, 'notes.created', isNote));
    // notes: User reads "own", ReadOnly "all", Admin all, Public none.
    expect(got).toEqual([true, false, true, true, false]);
    const gotPost = all.map((p, i) => saw(p, from[i]!, to[i]!, 'posts.created', isPost));
    expect(gotPost).toEqual([true, true, true, true, true]);
  });

  it('emitRole and emitUsers from A reach only their audience on B and C', async () => {
    const ann = await probe(C, 'ann');
    const bob = await probe(B, 'bob');
    const rita = await probe(B, 'rita');
    const all = [ann, bob, rita];
    const from = all.map((p) => p.log.length);
    const act = (name: string, input: object) =>
      call(A, tokens['ada']!, 'POST', `/1/objects/action/signals?name=${name}`, input);
    expect((await act('emitRole', { event: 'to_readers', data: 1, role: 'ReadOnly' })).status).toBe(
      200,
    );
    expect(
      (await act('emitUsers', { event: 'to_ann', data: 2, users: ['ANN@cluster.test'] })).status,
    ).toBe(200);
    const to = await barrier(A, all);
    expect(all.map((p, i) => saw(p, from[i]!, to[i]!, 'to_readers', () => true))).toEqual([
      false,
      false,
      true,
    ]);
    expect(all.map((p, i) => saw(p, from[i]!, to[i]!, 'to_ann', () => true))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('a pre-defined filter is evaluated for the sockets of every node', async () => {
    const ann = await probe(B, 'ann');
    const bob = await probe(C, 'bob');
    const bobOnA = await probe(A, 'bob');
    const all = [ann, bob, bobOnA];
    const from = all.map((p) => p.log.length);
    const secret = await call(A, tokens['ann']!, 'POST', '/1/objects/memos?returnObject=true', {
      text: 'ann only',
      shared: false,
    });
    expect(secret.status).toBe(200);
    // The barrier takes the same way as the filtered event: a memo every user may see.
    const shared = await call(A, tokens['ann']!, 'POST', '/1/objects/memos?returnObject=true', {
      text: 'for everyone',
      shared: true,
    });
    expect(shared.status).toBe(200);
    const isText = (t: string) => (d: unknown) =>
      (d as { row?: { text?: string } }).row?.text === t;
    const to = await Promise.all(
      all.map((p) =>
        p.waitIndex((e) => e.event === 'memos.created' && isText('for everyone')(e.data)),
      ),
    );
    expect(
      all.map((p, i) => saw(p, from[i]!, to[i]!, 'memos.created', isText('ann only'))),
    ).toEqual([true, false, false]);
  });

  it('a live query on C gets the deltas of writes on A and B', async () => {
    const bob = await probe(C, 'bob');
    const ack = (await bob.socket.emitWithAck('liveQuery', {
      object: 'posts',
      filter: [{ fieldName: 'title', operator: 'startsWith', value: 'live ' }],
      pageSize: 50,
    })) as { ok: boolean; query: string; rows: unknown[] };
    expect(ack).toMatchObject({ ok: true, rows: [] });
    for (const [url, title] of [
      [A, 'live from A'],
      [B, 'live from B'],
    ] as const) {
      expect((await call(url, tokens['ann']!, 'POST', '/1/objects/posts', { title })).status).toBe(
        200,
      );
      await bob.waitFor(
        'liveQuery:delta',
        (d) => JSON.stringify(d).includes(title) && (d as { query: string }).query === ack.query,
      );
    }
  });
});

describe('revocation across nodes', () => {
  it('a sign-out on A revokes the sockets of that session on B and C', async () => {
    const token = await signIn(B, 'ann@cluster.test', 'ann-password');
    const onB = await SocketProbe.open(B);
    const onC = await SocketProbe.open(C);
    probes.push(onB, onC);
    expect(await onB.login(`Bearer ${token}`, null, APP_NAME)).toBe('authorized');
    expect(await onC.login(`Bearer ${token}`, null, APP_NAME)).toBe('authorized');
    const from = [onB.log.length, onC.log.length];
    expect((await call(A, token, 'GET', '/1/user/signout')).status).toBe(200);
    await onB.waitFor('notAuthorized', () => true, from[0]);
    await onC.waitFor('notAuthorized', () => true, from[1]);
    // Out of ann's audiences: as guests now, they do not get her private notes any more.
    expect(await onB.login(null, ANON, APP_NAME)).toBe('authorized');
    expect(await onC.login(null, ANON, APP_NAME)).toBe('authorized');
    const f2 = [onB.log.length, onC.log.length];
    expect(
      (await call(A, tokens['ann']!, 'POST', '/1/objects/notes', { text: 'after sign-out' }))
        .status,
    ).toBe(200);
    const [tB, tC] = await barrier(A, [onB, onC]);
    expect(onB.between(f2[0]!, tB!).map((e) => e.event)).not.toContain('notes.created');
    expect(onC.between(f2[1]!, tC!).map((e) => e.event)).not.toContain('notes.created');
  });

  it('a role change on B moves the sockets on C, and writes on A count the new role', async () => {
    const cy = await probe(C, 'cy');
    const from = cy.log.length;
    const users = await call(B, tokens['ada']!, 'GET', '/1/objects/users?pageSize=100');
    const row = (users.body['data'] as Array<{ id: number; email: string }>).find(
      (u) => u.email === 'cy@cluster.test',
    )!;
    // A role no node has seen: known on A only through the cluster.
    expect(
      (await call(B, tokens['ada']!, 'PUT', `/1/objects/users/${row.id}`, { role: 'Inspector' }))
        .status,
    ).toBe(200);
    await cy.waitFor(
      'authorized',
      (d) => (d as { reason?: string })?.reason === 'accountChanged',
      from,
    );
    const f2 = cy.log.length;
    // entries: "*" may read, so an Inspector gets their events.
    expect(
      (
        await call(A, tokens['ada']!, 'POST', '/1/objects/entries', {
          title: 'for inspectors',
          n: 1,
        })
      ).status,
    ).toBe(200);
    const [to] = await barrier(A, [cy]);
    expect(
      saw(cy, f2, to!, 'entries.created', (d) => JSON.stringify(d).includes('for inspectors')),
    ).toBe(true);
  });
});

describe('sign-in limits across nodes', () => {
  it('failures on A, B and C count together', async () => {
    const attempt = (url: string, password: string) =>
      fetch(`${url}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          username: 'lim@cluster.test',
          password,
          appName: APP_NAME,
          grant_type: 'password',
        }),
      }).then((r) => r.status);
    // maxFailuresPerUser is 3 (per name and address): one failure on each node.
    expect(await attempt(A, 'wrong-1')).toBe(400);
    expect(await attempt(B, 'wrong-2')).toBe(400);
    expect(await attempt(C, 'wrong-3')).toBe(400);
    // Blocked on every node, even with the right password.
    for (const url of [A, B, C]) expect(await attempt(url, 'lim-password')).toBe(429);
  });
});
