import { createServer, connect, type Server, type Socket } from 'node:net';
import { ensureServerBuilt, type CliProcess } from '../src/testing/fixtures/cli-process';
import { SocketProbe } from '../src/testing/fixtures/socket-probe';
import { APP_NAME, call, ClusterNodes, printed, REDIS_URL, signIn } from './cluster-nodes';

// A node cut off from Redis for a while (its link through a proxy the test cuts and restores)
// misses the notices of the writes made meanwhile on the other nodes; when it hears them again,
// it reads its live queries again, so its clients' lists end equal to the database.

/** A TCP proxy to Redis that the test can cut (every connection dropped, new ones refused). */
class RedisLink {
  private server?: Server;
  private readonly open = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    const target = new URL(REDIS_URL);
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.open) s.destroy();
    await closed;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
}

interface Delta {
  query: string;
  changes: Array<{ op: string }>;
}

let cluster: ClusterNodes;
let cutOff: CliProcess;
const link = new RedisLink();
const probes: SocketProbe[] = [];

beforeAll(async () => {
  ensureServerBuilt();
  await link.start();
  cluster = await ClusterNodes.start(1);
  // Info level: it tells when it first hears another node.
  cutOff = await cluster.launch(['--log-level', 'info'], { redisUrl: link.url });
  cluster.nodes.push(cutOff);
}, 120_000);

afterAll(async () => {
  for (const p of probes) p.close();
  await cluster?.stop();
  await link.cut().catch(() => undefined);
});

it('a node cut off from Redis catches its live lists up when it hears the others again', async () => {
  const A = cluster.nodes[0]!.url;
  const admin = await signIn(A, 'ada@cluster.test', 'ada-password');
  const reader = await signIn(cutOff.url, 'bob@cluster.test', 'bob-password');
  const list = await SocketProbe.open(cutOff.url);
  probes.push(list);
  expect(await list.login(`Bearer ${reader}`, null, APP_NAME)).toBe('authorized');
  const ack = (await list.socket.emitWithAck('liveQuery', {
    object: 'entries',
    filter: [{ fieldName: 'title', operator: 'startsWith', value: 'split ' }],
    pageSize: 50,
  })) as { ok: boolean; query: string };
  expect(ack.ok).toBe(true);
  const entered = (title: string) => (d: unknown) =>
    (d as Delta).query === ack.query && JSON.stringify((d as Delta).changes).includes(title);

  // Connected: a write on A reaches the list on the other node.
  expect(
    (await call(A, admin, 'POST', '/1/objects/entries', { title: 'split before' })).status,
  ).toBe(200);
  await list.waitFor('liveQuery:delta', entered('split before'));

  // Cut off once it knows A, long enough for it to count A lost (it reads its lists then);
  // then a write on A whose notice it cannot get.
  await printed(cutOff, 'joined', 0);
  const mark = cutOff.output.length;
  await link.cut();
  await printed(cutOff, 'not heard from', mark);
  const from = list.log.length;
  expect(
    (await call(A, admin, 'POST', '/1/objects/entries', { title: 'split during' })).status,
  ).toBe(200);

  // Back: it hears A again, reads its lists again, and the list gets the row.
  await link.start();
  await printed(cutOff, 'is heard again', mark);
  await list.waitFor('liveQuery:delta', entered('split during'), from);
});
