import { io, type Socket } from 'socket.io-client';
import { ensureServerBuilt } from '../src/testing/fixtures/cli-process';
import { SocketProbe } from '../src/testing/fixtures/socket-probe';
import { APP_NAME, call, ClusterNodes, signIn } from './cluster-nodes';
import { callFrom, describeWithNginx, fromAddress, NginxProxy } from './nginx-proxy';

// A node stopped gracefully (SIGTERM) and started again on its port while writes stream in,
// behind deploy/nginx/backand.conf: every acknowledged write is stored, the clients of the
// restarted node reconnect through nginx and their live lists end with exactly the stored rows,
// and the restarted node serves again.

const WRITES = 160;
const NODE_ARGS = ['--trust-proxy', '127.0.0.1'];

interface Delta {
  query: string;
  changes: Array<
    | { op: 'enter' | 'change'; id: number; row: Record<string, unknown> }
    | { op: 'leave'; id: number }
  >;
}

/**
 * A client as the SDK behaves: it reconnects on its own (through nginx), and on every connect
 * logs in and subscribes its live list again (the answer's rows replace the list).
 */
class LiveClient {
  readonly rows = new Map<number, string>();
  connects = 0;
  private query = '';
  private attempt = 0;
  private early: Delta[] | null = null;
  private readonly socket: Socket;
  private readonly listeners = new Set<() => void>();

  constructor(
    url: string,
    readonly address: string,
    private readonly token: string,
  ) {
    this.socket = io(url, {
      ...fromAddress(address),
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
    });
    this.socket.on('connect', () => {
      this.connects++;
      void this.subscribe();
    });
    this.socket.on('liveQuery:delta', (d: Delta) => {
      if (this.early) this.early.push(d);
      else this.apply(d);
    });
  }

  /** Resolves once `check` holds, looked at after every change of the list. */
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(
          new Error(`${this.address}: live list never ${what}; it has ${this.rows.size} rows`),
        );
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

  titles(): string[] {
    return [...this.rows.values()].sort();
  }

  close(): void {
    this.socket.close();
  }

  private async subscribe(): Promise<void> {
    // A reconnect may come while the previous subscribe waits: only the newest one counts.
    const mine = ++this.attempt;
    this.query = '';
    this.early = [];
    const authorized = new Promise((resolve) => this.socket.once('authorized', resolve));
    this.socket.emit('login', `Bearer ${this.token}`, null, APP_NAME);
    await authorized;
    if (mine !== this.attempt) return;
    const ack = (await this.socket.emitWithAck('liveQuery', {
      object: 'entries',
      filter: [{ fieldName: 'title', operator: 'startsWith', value: 'load ' }],
      sort: [{ fieldName: 'id', order: 'asc' }],
      pageSize: 200,
    })) as { ok: boolean; query: string; rows: Array<{ id: number; title: string }> };
    if (mine !== this.attempt) return;
    if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
    this.query = ack.query;
    this.rows.clear();
    for (const r of ack.rows) this.rows.set(Number(r.id), r.title);
    const early = this.early ?? [];
    this.early = null;
    for (const d of early) this.apply(d);
    this.changed();
  }

  private apply(d: Delta): void {
    if (d.query !== this.query) return;
    for (const c of d.changes) {
      if (c.op === 'leave') this.rows.delete(c.id);
      else this.rows.set(c.id, String(c.row['title']));
    }
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

let cluster: ClusterNodes;
let proxy: NginxProxy;
const clients: LiveClient[] = [];

describeWithNginx()('a node restarts under load behind nginx', () => {
  beforeAll(async () => {
    ensureServerBuilt();
    cluster = await ClusterNodes.start(3, NODE_ARGS);
    proxy = await NginxProxy.start(cluster.addresses);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await proxy?.stop();
    await cluster?.stop();
  });

  it('loses no acknowledged write, and the lists of its clients catch up', async () => {
    const admin = await signIn(proxy.url, 'ada@cluster.test', 'ada-password');
    const reader = await signIn(proxy.url, 'bob@cluster.test', 'bob-password');
    for (let i = 0; i < 6; i++)
      clients.push(new LiveClient(proxy.url, `127.0.0.${80 + i}`, reader));
    await Promise.all(clients.map((c) => c.until(() => c.connects > 0, 'loaded')));
    const nodes = await Promise.all(clients.map((c) => proxy.nodeOf(c.address)));
    const victim = cluster.addresses.indexOf(nodes[0]!);
    expect(victim).toBeGreaterThanOrEqual(0);
    const moving = clients.filter((_, i) => nodes[i] === nodes[0]);

    const acknowledged: string[] = [];
    let restart: Promise<unknown> | undefined;
    let restarted!: () => void;
    const back = new Promise<void>((resolve) => (restarted = resolve));
    const write = async (i: number) => {
      // The last writes wait for the node to be back: they reach it again.
      if (i >= WRITES - 50) await back;
      const title = `load ${i}`;
      const via = i % 4;
      try {
        const res =
          via < 3
            ? await call(cluster.urls[via]!, admin, 'POST', '/1/objects/entries', { title, n: i })
            : await callFrom(
                `127.0.0.${90 + (i % 8)}`,
                proxy.url,
                admin,
                'POST',
                '/1/objects/entries',
                {
                  title,
                  n: i,
                },
              );
        if (res.status === 200) acknowledged.push(title);
      } catch {
        // Refused by the stopped node: not acknowledged, so nothing is promised about it.
      }
      if (!restart && acknowledged.length >= 40) {
        restart = cluster.restart(victim, NODE_ARGS).then(() => restarted());
      }
    };
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < WRITES; i += 8) await write(i);
      }),
    );
    await restart;
    // Most writes were acknowledged; the stopped node's share while it was down was not.
    expect(acknowledged.length).toBeGreaterThan(WRITES / 2);

    const res = await call(
      proxy.url,
      admin,
      'GET',
      '/1/objects/entries?pageSize=200&exclude=metadata',
    );
    const stored = new Set(
      (res.body['data'] as Array<{ title: string }>)
        .map((r) => r.title)
        .filter((t) => t.startsWith('load ')),
    );
    for (const title of acknowledged) expect(stored).toContain(title);

    const expected = JSON.stringify([...stored].sort());
    await Promise.all(
      clients.map((c) => c.until(() => JSON.stringify(c.titles()) === expected, 'caught up')),
    );
    for (const c of moving) expect(c.connects).toBeGreaterThan(1);

    // The restarted node serves again: a write on it reaches every list, and a socket on it
    // gets the live delta of a write on another node.
    const onIt = cluster.urls[victim]!;
    expect(
      (await call(onIt, admin, 'POST', '/1/objects/entries', { title: 'load after' })).status,
    ).toBe(200);
    await Promise.all(
      clients.map((c) => c.until(() => c.titles().includes('load after'), 'got it')),
    );
    const probe = await SocketProbe.open(onIt);
    try {
      expect(await probe.login(`Bearer ${reader}`, null, APP_NAME)).toBe('authorized');
      const ack = (await probe.socket.emitWithAck('liveQuery', {
        object: 'entries',
        filter: [{ fieldName: 'title', operator: 'equals', value: 'load last' }],
      })) as { ok: boolean; query: string };
      expect(ack.ok).toBe(true);
      const other = cluster.urls[(victim + 1) % 3]!;
      expect(
        (await call(other, admin, 'POST', '/1/objects/entries', { title: 'load last' })).status,
      ).toBe(200);
      await probe.waitFor(
        'liveQuery:delta',
        (d) => (d as Delta).query === ack.query && JSON.stringify(d).includes('load last'),
      );
    } finally {
      probe.close();
    }
  });
});
