/* global fetch */
/**
 * Figure 8 — live queries: N sockets (1,000; 200 in quick mode) hold filtered live lists over 20
 * distinct filters (socket i holds list i % 20: `name startsWith "L<k>-"`), and a stream of REST
 * writes each lands in one list. Three designs, on the same sockets, one after the other:
 *
 * - `live`: the server's live queries (`liveQuery` subscribe, `liveQuery:delta`): no HTTP.
 * - `refetch`: the previous SDK design, kept here as the baseline: every socket listens to
 *   `items.created` and asks REST whether the row is in its filter (`GET /1/objects/items` with
 *   its filter plus `id equals`), one request per socket per write.
 * - `unfiltered`: every socket holds the same unfiltered live list (every write reaches all).
 *
 * Per write: HTTP requests the clients made, server CPU (the server process's user+system time
 * from the write's start until every list has it), and event→list latency (write start → that
 * socket's list has the row) over the sockets whose list the write touches; p50 and p99 over all.
 */
import { performance } from 'node:perf_hooks';
import { backandAvailable, postJson, signIn } from '../lib/backand.mjs';
import { backandLogin, closeAll, connectMany } from '../lib/clients.mjs';
import { runFigure, sleep, startServerChild } from '../lib/figure.mjs';
import { quantile, summarize } from '../lib/stats.mjs';

const LISTS = 20;

runFigure(async (opts) => {
  if (!backandAvailable()) return { skipped: 'backand-server is not built' };
  const clients = opts.quick ? 200 : 1000;
  const writes = opts.quick ? 6 : 40;
  const warmup = opts.quick ? 2 : 5;
  const { child, info } = await startServerChild('backand-child.mjs');
  let sockets = [];
  try {
    const url = info.url;
    const token = (await signIn(url, 'ann@demo.test', 'ann-password')).access_token;
    const auth = { authorization: `Bearer ${token}` };
    sockets = await connectMany(url, clients, backandLogin({ token }));
    const listOf = (i) => i % LISTS;
    const filterOf = (k) => [{ fieldName: 'name', operator: 'startsWith', value: `L${k}-` }];
    const cpuMs = async () => {
      const u = await child.request('cpu');
      return (u.user + u.system) / 1000;
    };
    let seq = 0;

    /** One design: `setup` arms the sockets, `write(k)` resolves per-socket arrival times. */
    async function measure(name, arm) {
      const { onWrite, disarm, requests } = await arm();
      const latencies = [];
      const cpu = [];
      const http = [];
      for (let w = 0; w < warmup + writes; w++) {
        await sleep(20);
        const k = w % LISTS;
        const members = sockets.filter((_, i) => listOf(i) === k).length;
        const before = requests();
        const c0 = await cpuMs();
        const row = `L${k}-${seq++}`;
        const arrived = onWrite(row, members);
        const t0 = performance.now();
        await postJson(`${url}/1/objects/items`, { name: row }, auth);
        const times = await arrived;
        // The refetch design keeps answering the non-members' requests: count them all.
        await requestsSettled(requests, before, name === 'refetch' ? clients : 0);
        const c1 = await cpuMs();
        if (w >= warmup) {
          for (const t of times) latencies.push(t - t0);
          cpu.push(c1 - c0);
          http.push(requests() - before);
        }
      }
      await disarm();
      return {
        httpPerWrite: summarize(http, 'requests'),
        serverCpuPerWrite: summarize(cpu, 'ms'),
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
        samples: latencies.length,
      };
    }

    async function requestsSettled(requests, before, expected) {
      while (requests() - before < expected) await sleep(5);
    }

    /** Live queries: subscribe each socket, resolve when every member has the row. */
    const liveArm = (filtered) => async () => {
      const handles = await Promise.all(
        sockets.map(async (socket, i) => {
          const ack = await socket.emitWithAck('liveQuery', {
            object: 'items',
            filter: filtered ? filterOf(listOf(i)) : [],
            pageSize: 20,
            sort: [{ fieldName: 'id', order: 'desc' }],
          });
          if (!ack.ok) throw new Error(`subscribe refused: ${ack.status} ${ack.error}`);
          return ack.query;
        }),
      );
      let waiting = null;
      const handlers = sockets.map((socket) => {
        const handler = (delta) => {
          if (!waiting) return;
          if (delta.changes.some((c) => c.op === 'enter' && c.row.name === waiting.name)) {
            waiting.times.push(performance.now());
            if (waiting.times.length === waiting.expected) waiting.done(waiting.times);
          }
        };
        socket.on('liveQuery:delta', handler);
        return handler;
      });
      return {
        requests: () => 0,
        onWrite: (name, members) =>
          new Promise((done) => {
            waiting = { name, expected: filtered ? members : clients, times: [], done };
          }),
        disarm: async () => {
          sockets.forEach((s, i) => s.off('liveQuery:delta', handlers[i]));
          await Promise.all(
            sockets.map((s, i) => s.emitWithAck('liveQuery:unsubscribe', { query: handles[i] })),
          );
        },
      };
    };

    /** The previous SDK design: one REST membership request per socket per event. */
    const refetchArm = async () => {
      let count = 0;
      let waiting = null;
      const handlers = sockets.map((socket, i) => {
        const filter = filterOf(listOf(i));
        const handler = async (event) => {
          const membership = [...filter, { fieldName: 'id', operator: 'equals', value: event.id }];
          const q = `filter=${encodeURIComponent(JSON.stringify(membership))}&pageSize=20`;
          const res = await fetch(`${url}/1/objects/items?${q}`, { headers: auth });
          const body = await res.json();
          count++;
          if (waiting && body.data?.[0]?.name === waiting.name) {
            waiting.times.push(performance.now());
            if (waiting.times.length === waiting.expected) waiting.done(waiting.times);
          }
        };
        socket.on('items.created', handler);
        return handler;
      });
      return {
        requests: () => count,
        onWrite: (name, members) =>
          new Promise((done) => {
            waiting = { name, expected: members, times: [], done };
          }),
        disarm: async () => sockets.forEach((s, i) => s.off('items.created', handlers[i])),
      };
    };

    const live = await measure('live', liveArm(true));
    const unfiltered = await measure('unfiltered', liveArm(false));
    const refetch = await measure('refetch', refetchArm);
    return { clients, lists: LISTS, writes, live, unfiltered, refetch };
  } finally {
    closeAll(sockets);
    await child.stop();
  }
});
