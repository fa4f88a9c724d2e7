/**
 * Figure 5 — memory churn: 100k `on()` subscribe/unsubscribe cycles on one event with the SDK's
 * socket connected and authorized. Counts the handlers left on the underlying socket.io-client
 * socket (must equal the count before the loop) and the heap growth after a full GC, next to the
 * same number of bare `socket.on`/`socket.off` cycles. Needs `node --expose-gc` (run.mjs adds it).
 */
import { performance } from 'node:perf_hooks';
import { backandLogin, connectMany } from '../lib/clients.mjs';
import { profileWindow, runFigure, startServerChild } from '../lib/figure.mjs';
import { handlerCount, openSdkSocket, sdkAvailable } from '../lib/sdk-node.mjs';
import { summarize } from '../lib/stats.mjs';

/* global gc */

function heapAfterGc() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function churn(cycles, once) {
  const before = heapAfterGc();
  const t0 = performance.now();
  for (let i = 0; i < cycles; i++) once(i);
  const us = ((performance.now() - t0) * 1000) / cycles;
  return { growth: heapAfterGc() - before, us };
}

runFigure(async (opts) => {
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
  const cycles = opts.quick ? 20_000 : 100_000;
  const rounds = opts.quick ? 1 : 5;
  const realtime = await startServerChild('realtime-child.mjs');
  const url = realtime.info.raw.url;
  let injector;
  try {
    const [raw] = await connectMany(url, 1, backandLogin({ anonymousToken: 'raw' }));
    const noop = () => {};
    const variants = {
      raw: () => {
        const base = handlerCount(raw);
        const m = churn(cycles, () => {
          const h = () => {};
          raw.on('tick', h);
          raw.off('tick', h);
        });
        return { ...m, left: handlerCount(raw) - base, baseline: base };
      },
    };

    let source = null;
    if (sdkAvailable()) {
      const sdk = await openSdkSocket(url);
      ({ injector, from: source } = sdk);
      const { service, socket } = sdk;
      variants.sdkObservable = () => {
        const base = handlerCount(socket);
        const m = churn(cycles, () => service.on('tick').subscribe(noop).unsubscribe());
        return { ...m, left: handlerCount(socket) - base, baseline: base };
      };
      // Backand.on style outside an injection context: returns the Subscription to end.
      variants.sdkCallback = () => {
        const base = handlerCount(socket);
        const m = churn(cycles, () => service.on('tick', noop).unsubscribe());
        return { ...m, left: handlerCount(socket) - base, baseline: base };
      };
      // With a standing subscriber the socket handler stays; the churn is in the SDK's own set.
      variants.sdkWithStanding = () => {
        const standing = service.on('tick').subscribe(noop);
        const base = handlerCount(socket);
        const m = churn(cycles, () => service.on('tick').subscribe(noop).unsubscribe());
        const left = handlerCount(socket) - base;
        standing.unsubscribe();
        return { ...m, left, baseline: base };
      };
    }

    // warm-up, so JIT compilation is not counted as growth
    for (const v of Object.values(variants)) v();
    const acc = {};
    for (let r = 0; r < rounds; r++) {
      for (const [name, v] of Object.entries(variants)) {
        const m = r === rounds - 1 ? await profileWindow(name, {}, async () => v()) : v();
        acc[name] ??= { growth: [], us: [], left: [], baseline: m.baseline };
        acc[name].growth.push(m.growth);
        acc[name].us.push(m.us);
        acc[name].left.push(m.left);
      }
    }
    raw.disconnect();
    const out = { cycles, rounds, sdkFrom: source };
    for (const [name, a] of Object.entries(acc)) {
      out[name] = {
        handlersBaseline: a.baseline,
        handlersLeft: Math.max(...a.left),
        heapGrowth: summarize(a.growth, 'bytes'),
        cycle: summarize(a.us, 'µs'),
      };
    }
    return out;
  } finally {
    injector?.destroy();
    await realtime.child.stop();
  }
});
