import { createClient } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { ensureServerBuilt } from '../src/testing/fixtures/cli-process';
import { SocketProbe } from '../src/testing/fixtures/socket-probe';
import { APP_NAME, call, ClusterNodes, REDIS_URL, signIn } from './cluster-nodes';

// kill -9 of one node while writes stream in through two nodes: every acknowledged write is in
// the database, and the live lists of the killed node's clients, which move to a surviving
// node, catch up with no missing row.

const WRITES = 120;

/**
 * A client that knows every node's URL: when its node goes away it connects to the next one,
 * logs in again and subscribes its live query again (the answer's rows replace its list).
 */
class FailoverList {
  readonly rows = new Map<number, string>();
  node = 0;
  moves = 0;
  private closed = false;
  private socket?: Socket;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly urls: string[],
    private readonly token: string,
  ) {}

  async open(start: number): Promise<void> {
    for (let i = 0; i < this.urls.length; i++) {
      const node = (start + i) % this.urls.length;
      if (await this.tryNode(node)) return;
    }
    throw new Error('no node answered');
  }

  /** Resolves once `check` holds, looked at after every change of the list. */
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`live list never ${what}: it has ${this.rows.size} rows`));
      }, 20_000);
      const listener = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve();
      };
      this.listeners.add(listener);
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  private async tryNode(node: number): Promise<boolean> {
    const socket = io(this.urls[node]!, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('connect_error', () => resolve(false));
    });
    if (!connected) {
      socket.close();
      return false;
    }
    const authorized = new Promise((resolve) => socket.once('authorized', resolve));
    socket.emit('login', `Bearer ${this.token}`, null, APP_NAME);
    await authorized;
    let query = '';
    // Deltas may come in the same network read as the answer, before it is handled: kept.
    const early: Delta[] = [];
    const apply = (d: Delta) => {
      if (d.query !== query) return;
      for (const c of d.changes) {
        if (c.op === 'leave') this.rows.delete(c.id);
        else this.rows.set(c.id, String(c.row['title']));
      }
      this.changed();
    };
    socket.on('liveQuery:delta', (d: Delta) => (query ? apply(d) : early.push(d)));
    const ack = (await socket.emitWithAck('liveQuery', {
      object: 'entries',
      sort: [{ fieldName: 'id', order: 'asc' }],
      pageSize: 200,
    })) as { ok: boolean; query: string; rows: Array<{ id: number | string; title: string }> };
    if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
    query = ack.query;
    this.rows.clear();
    for (const r of ack.rows) this.rows.set(Number(r.id), r.title);
    for (const d of early.splice(0)) apply(d);
    this.socket = socket;
    this.node = node;
    socket.once('disconnect', () => {
      if (this.closed) return;
      this.moves++;
      void this.open(node + 1);
    });
    this.changed();
    return true;
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

interface Delta {
  query: string;
  changes: Change[];
}

type Change =
  | { op: 'enter' | 'change'; id: number; row: Record<string, unknown> }
  | { op: 'leave'; id: number };

let cluster: ClusterNodes;
const lists: FailoverList[] = [];
const probes: SocketProbe[] = [];

beforeAll(async () => {
  ensureServerBuilt();
  cluster = await ClusterNodes.start(3);
}, 120_000);

afterAll(async () => {
  for (const l of lists) l.close();
  for (const p of probes) p.close();
  await cluster?.stop();
});

it('kill -9 of a node mid-stream loses no acknowledged write and no live row', async () => {
  const [A, B, C] = cluster.urls as [string, string, string];
  const admin = await signIn(A, 'ada@cluster.test', 'ada-password');
  const reader = await signIn(B, 'bob@cluster.test', 'bob-password');
  // Two clients on the node that will die, one on a survivor.
  for (const start of [2, 2, 1]) {
    const list = new FailoverList(cluster.urls, reader);
    await list.open(start);
    lists.push(list);
  }
  expect(lists.map((l) => l.node)).toEqual([2, 2, 1]);

  const acknowledged: string[] = [];
  let killed = false;
  const victim = cluster.nodes[2]!;
  const write = async (i: number) => {
    const url = i % 2 === 0 ? A : C;
    const title = `write ${i}`;
    try {
      const res = await call(url, admin, 'POST', '/1/objects/entries', { title, n: i });
      if (res.status === 200) acknowledged.push(title);
    } catch {
      // The node died with the request: not acknowledged, so nothing is promised about it.
    }
    if (!killed && acknowledged.length >= WRITES / 3) {
      killed = true;
      victim.child.kill('SIGKILL');
    }
  };
  // Eight writers at once, each sending its share one after the other.
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < WRITES; i += 8) await write(i);
    }),
  );
  expect(killed).toBe(true);
  expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });

  const res = await call(A, admin, 'GET', '/1/objects/entries?pageSize=200&exclude=metadata');
  const stored = (res.body['data'] as Array<{ id: number; title: string }>).filter((r) =>
    r.title.startsWith('write '),
  );
  const storedTitles = new Set(stored.map((r) => r.title));
  for (const title of acknowledged) expect(storedTitles).toContain(title);

  // Every list (moved or not) ends with exactly the rows in the database.
  const expected = JSON.stringify([...storedTitles].sort());
  const listed = (l: FailoverList) =>
    JSON.stringify([...l.rows.values()].filter((t) => t.startsWith('write ')).sort());
  await Promise.all(
    lists.map((l, i) =>
      l
        .until(() => listed(l) === expected, 'caught up')
        .catch((err: Error) => {
          const missing = [...storedTitles].filter((t) => ![...l.rows.values()].includes(t));
          const acked = missing.map((t) => `${t}${acknowledged.includes(t) ? ' (acked)' : ''}`);
          throw new Error(
            `list ${i} on node ${l.node}: ${err.message}; missing ${acked.join(', ')}`,
          );
        }),
    ),
  );
  expect(lists.map((l) => l.node === 2)).toEqual([false, false, false]);
  expect(lists.map((l) => l.moves)).toEqual([1, 1, 0]);
});

it('a node killed after a commit whose notice never left: the others re-read their live lists', async () => {
  const mute = await cluster.launch();
  cluster.nodes.push(mute);
  const A = cluster.nodes[0]!.url;
  const admin = await signIn(A, 'ada@cluster.test', 'ada-password');
  const reader = await signIn(A, 'bob@cluster.test', 'bob-password');
  const list = await SocketProbe.open(A);
  probes.push(list);
  expect(await list.login(`Bearer ${reader}`, null, APP_NAME)).toBe('authorized');
  const ack = (await list.socket.emitWithAck('liveQuery', {
    object: 'entries',
    filter: [{ fieldName: 'title', operator: 'startsWith', value: 'muted ' }],
    pageSize: 50,
  })) as { ok: boolean; query: string; rows: unknown[] };
  expect(ack).toMatchObject({ ok: true, rows: [] });
  const deltaWith = (text: string, op: string) => (d: unknown) =>
    (d as Delta).query === ack.query &&
    (d as Delta).changes.some((c) => c.op === op && JSON.stringify(c).includes(text));
  const known = await call(A, admin, 'POST', '/1/objects/entries?returnObject=true', {
    title: 'muted known',
  });
  expect(known.status).toBe(200);
  await list.waitFor('liveQuery:delta', deltaWith('muted known', 'enter'));
  const id = (known.body as { id: number }).id;

  // Redis holds every client's writes and publishes (CLIENT PAUSE WRITE): the mute node's
  // writes commit and are answered, their notices wait in Redis, and die with the node.
  const redis = createClient({ url: REDIS_URL });
  redis.on('error', () => undefined);
  await redis.connect();
  let paused = false;
  try {
    await redis.sendCommand(['CLIENT', 'PAUSE', '20000', 'WRITE']);
    paused = true;
    expect(
      (await call(mute.url, admin, 'PUT', `/1/objects/entries/${id}`, { title: 'muted changed' }))
        .status,
    ).toBe(200);
    expect(
      (await call(mute.url, admin, 'POST', '/1/objects/entries', { title: 'muted created' }))
        .status,
    ).toBe(200);
    // A write on A after them: A's own live queries match it at once; theirs never came.
    const from = list.log.length;
    expect(
      (await call(A, admin, 'POST', '/1/objects/entries', { title: 'muted barrier' })).status,
    ).toBe(200);
    const at = await list.waitIndex(
      (e) => e.event === 'liveQuery:delta' && deltaWith('muted barrier', 'enter')(e.data),
      from,
    );
    const seen = JSON.stringify(list.between(0, at + 1));
    expect(seen).not.toContain('muted changed');
    expect(seen).not.toContain('muted created');
    mute.child.kill('SIGKILL');
    await mute.exited;
    await redis.sendCommand(['CLIENT', 'UNPAUSE']);
    paused = false;
    // A notices the node is gone, re-reads its live query and sends what the list missed.
    await list.waitFor('liveQuery:delta', deltaWith('muted created', 'enter'), at + 1);
    await list.waitFor('liveQuery:delta', deltaWith('muted changed', 'change'), at + 1);
  } finally {
    if (paused) await redis.sendCommand(['CLIENT', 'UNPAUSE']);
    await redis.close();
  }
});
