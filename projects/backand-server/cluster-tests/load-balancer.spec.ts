import { SocketProbe } from '../src/testing/fixtures/socket-probe';
import { ensureServerBuilt } from '../src/testing/fixtures/cli-process';
import { ANON, APP_NAME, ClusterNodes, signIn } from './cluster-nodes';
import { callFrom, describeWithNginx, fromAddress, NginxProxy } from './nginx-proxy';

// deploy/nginx/backand.conf in front of three real nodes. nginx's sticky key is the client
// address, so each client here connects from an address of its own (127.0.0.x are all this
// machine); nginx's access log tells which node served each request.

let cluster: ClusterNodes;
let proxy: NginxProxy;
const probes: SocketProbe[] = [];
let ann: string;
let bob: string;
let ada: string;

describeWithNginx()('nginx in front of three nodes (deploy/nginx/backand.conf)', () => {
  beforeAll(async () => {
    ensureServerBuilt();
    // The nodes believe nginx's X-Forwarded-* headers: it connects to them from 127.0.0.1.
    cluster = await ClusterNodes.start(3, ['--trust-proxy', '127.0.0.1']);
    proxy = await NginxProxy.start(cluster.addresses);
    ann = await signIn(proxy.url, 'ann@cluster.test', 'ann-password');
    bob = await signIn(proxy.url, 'bob@cluster.test', 'bob-password');
    ada = await signIn(proxy.url, 'ada@cluster.test', 'ada-password');
  }, 120_000);

  afterAll(async () => {
    for (const p of probes) p.close();
    await proxy?.stop();
    await cluster?.stop();
  });

  async function open(
    address: string,
    transports: Array<'polling' | 'websocket'>,
    token: string | null,
  ): Promise<SocketProbe> {
    const p = await SocketProbe.open(proxy.url, { transports, ...fromAddress(address) });
    probes.push(p);
    const answer = token
      ? await p.login(`Bearer ${token}`, null, APP_NAME)
      : await p.login(null, ANON, APP_NAME);
    expect(answer).toBe('authorized');
    return p;
  }

  /** Sends `event` with emitAll through nginx; resolves when every one of `clients` has it. */
  async function emitThroughProxy(event: string, clients: SocketProbe[]): Promise<void> {
    const tag = Math.random().toString(36).slice(2);
    const from = clients.map((c) => c.log.length);
    const res = await callFrom(
      '127.0.0.29',
      proxy.url,
      ada,
      'POST',
      '/1/objects/action/signals?name=emitAll',
      { event, data: { tag } },
    );
    expect(res.status).toBe(200);
    await Promise.all(
      clients.map((c, i) => c.waitFor(event, (d) => (d as { tag?: string })?.tag === tag, from[i])),
    );
  }

  it('polling-only and WebSocket clients get the events and live deltas of writes made through nginx', async () => {
    const polling = await open('127.0.0.21', ['polling'], bob);
    const websocket = await open('127.0.0.22', ['websocket'], bob);
    const subscribe = async (p: SocketProbe) => {
      const ack = (await p.socket.emitWithAck('liveQuery', {
        object: 'posts',
        filter: [{ fieldName: 'title', operator: 'startsWith', value: 'via nginx' }],
        pageSize: 50,
      })) as { ok: boolean; query: string; rows: unknown[] };
      expect(ack).toMatchObject({ ok: true, rows: [] });
      return ack.query;
    };
    const queries = [await subscribe(polling), await subscribe(websocket)];
    for (const [from, title] of [
      ['127.0.0.23', 'via nginx one'],
      ['127.0.0.24', 'via nginx two'],
      ['127.0.0.25', 'via nginx three'],
    ] as const) {
      const res = await callFrom(from, proxy.url, ann, 'POST', '/1/objects/posts', { title });
      expect(res.status).toBe(200);
      await Promise.all(
        [polling, websocket].map(async (p, i) => {
          await p.waitFor('posts.created', (d) => JSON.stringify(d).includes(title));
          await p.waitFor(
            'liveQuery:delta',
            (d) =>
              (d as { query: string }).query === queries[i] && JSON.stringify(d).includes(title),
          );
        }),
      );
    }
    expect(polling.socket.io.engine.transport.name).toBe('polling');
    expect(websocket.socket.io.engine.transport.name).toBe('websocket');
    // Every request of the polling session went to one node, and none was refused.
    await proxy.nodeOf('127.0.0.21');
    const socketIo = proxy.accessLog().filter((l) => l.request.includes('/socket.io/'));
    expect(socketIo.filter((l) => l.status !== 200 && l.status !== 101)).toEqual([]);
  });

  it('spreads clients over the nodes, each client sticking to one', async () => {
    const addresses = Array.from({ length: 12 }, (_, i) => `127.0.0.${30 + i}`);
    // Polling first, then the upgrade to WebSocket, as the SDK connects.
    const clients = await Promise.all(
      addresses.map((a) => open(a, ['polling', 'websocket'], null)),
    );
    // An emit sent through nginx reaches the clients of every node.
    await emitThroughProxy('hello', clients);
    const nodes = await Promise.all(addresses.map((a) => proxy.nodeOf(a)));
    const used = new Set(nodes);
    expect(used.size).toBeGreaterThan(1);
    for (const node of used) expect(cluster.addresses).toContain(node);
  });

  it('gives the nodes the client address and the address the client used', async () => {
    // A client that forges X-Forwarded-For gets nginx's record of its real address appended,
    // and the node takes the rightmost address it does not trust.
    const res = await callFrom(
      '127.0.0.51',
      proxy.url,
      ada,
      'POST',
      '/1/objects/action/signals?name=whoami',
      {},
      { 'X-Forwarded-For': '203.0.113.9' },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ip: '127.0.0.51', apiUrl: proxy.url });
  });

  it('moves the clients of a stopped node to the others', async () => {
    const addresses = Array.from({ length: 9 }, (_, i) => `127.0.0.${60 + i}`);
    const clients = await Promise.all(addresses.map((a) => open(a, ['websocket'], null)));
    const nodes = await Promise.all(
      addresses.map(async (a) => {
        // A WebSocket's line is written when it closes: ask the node through a polling probe
        // from the same address instead, which hashes the same way.
        const probe = await SocketProbe.open(proxy.url, {
          transports: ['polling'],
          ...fromAddress(a),
        });
        probe.close();
        return proxy.nodeOf(a);
      }),
    );
    const victim = nodes[0]!;
    const index = cluster.addresses.indexOf(victim);
    const moving = clients.filter((_, i) => nodes[i] === victim);
    const staying = clients.filter((_, i) => nodes[i] !== victim);
    const from = clients.map((c) => c.log.length);
    await cluster.nodes[index]!.stop('SIGTERM');
    // The victim's clients lost their connection; a new one from the same address goes through
    // nginx to another node and gets what is sent there.
    for (const c of moving) await c.waitFor('$disconnect', () => true, from[clients.indexOf(c)]);
    const again = await Promise.all(
      addresses
        .filter((_, i) => nodes[i] === victim)
        .map((a) => open(a, ['polling', 'websocket'], null)),
    );
    await emitThroughProxy('after-stop', [...again, ...staying]);
    // Put the node back for the other tests of this file.
    cluster.nodes[index] = await cluster.launch(['--trust-proxy', '127.0.0.1'], {
      port: Number(victim.split(':').pop()),
    });
  });
});
