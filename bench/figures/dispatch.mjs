/**
 * Figure 2 — dispatch: a Socket.IO server sends 100k small events to one client; the handler is a
 * bare `socket.on` vs a subscription to the SDK's `BackandSocketService.on()` (the real SDK, run
 * in Node). Both clients live in this process, connected to the same server; each burst goes to
 * one of them only (rounds alternate), so each is measured alone.
 *
 * While the server sends, this process holds its event loop (a bounded busy wait), so the events
 * queue up in the socket buffers; the timed part is then the client draining that backlog, i.e. its
 * own per-event cost rather than the server's send rate (engine.io's flow control still keeps part
 * of a burst on the server, so wall time can include waits for it). Reported: this process's CPU
 * time per event and the events per second of client CPU it implies (the robust figure on a
 * shared machine), and wall events per second (end of the wait → last event).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import { backandLogin, connectMany } from '../lib/clients.mjs';
import { profileWindow, runFigure, startServerChild } from '../lib/figure.mjs';
import { openSdkSocket, sdkAvailable } from '../lib/sdk-node.mjs';
import { pairedRatio, summarize } from '../lib/stats.mjs';

runFigure(async (opts) => {
  const n = opts.quick ? 20_000 : 100_000;
  const rounds = opts.quick ? 3 : 15;
  const withSdk = sdkAvailable();
  const realtime = await startServerChild('realtime-child.mjs');
  const url = realtime.info.raw.url;
  let injector;
  let sink = 0;
  try {
    // The same handler body for both: count, and touch the payload so it is not dead code.
    let count = 0;
    let target = 0;
    let done = () => {};
    const handler = (data) => {
      sink += data.id.length;
      if (++count === target) done(performance.now());
    };

    const [raw] = await connectMany(url, 1, backandLogin({ anonymousToken: 'raw' }));
    raw.on('tick', handler);
    // A second bare socket: raw vs control shows how far two identical clients drift apart on
    // this machine, i.e. the noise floor of the SDK's ratio.
    const [control] = await connectMany(url, 1, backandLogin({ anonymousToken: 'control' }));
    control.on('tick', handler);

    let source = null;
    let sdkSocket = null;
    if (withSdk) {
      const sdk = await openSdkSocket(url);
      ({ injector, from: source, socket: sdkSocket } = sdk);
      sdk.service.on('tick').subscribe(handler);
    }

    // The handler's own cost, without the network: call what is registered on each socket for
    // 'tick' directly (the bare handler vs the SDK's shared socket handler and its delivery).
    function handlerNs(socket) {
      const [registered] = socket.listeners('tick');
      const data = { id: '1', objectName: 'items', event: 'updated' };
      const calls = 1_000_000;
      let best = Infinity;
      for (let rep = 0; rep < 7; rep++) {
        count = 0;
        target = -1;
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < calls; i++) registered(data);
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / calls);
      }
      return best;
    }

    const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
    // generous for the server's send (~5 µs an event); checked against its finish time below
    let holdMs = n * 0.012;
    let serverBound = 0;
    async function burst(room) {
      count = 0;
      target = n;
      const arrived = new Promise((resolve) => (done = resolve));
      const reply = realtime.child.request('burst', { n, event: 'tick', room });
      await new Promise((resolve) => setImmediate(resolve)); // the command is on its way
      const holdUntil = nowMs() + holdMs;
      while (nowMs() < holdUntil) {
        // hold the event loop: the events wait in the socket buffers
      }
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const t1 = await arrived;
      const cpu = process.cpuUsage(cpu0);
      const { doneAt, emitMs } = await reply;
      if (doneAt > holdUntil) serverBound++; // the server was still sending: partly timed it
      // next time, hold a little longer than the server took to send (bounded)
      holdMs = Math.min(Math.max(emitMs * 1.3, 50), n * 0.03);
      const cpuUs = (cpu.user + cpu.system) / n;
      return { eps: (n / (t1 - t0)) * 1000, cpuUs, cpuEps: 1e6 / cpuUs };
    }

    const subjects = withSdk ? ['raw', 'control', 'sdk'] : ['raw', 'control'];
    for (const s of subjects) await burst(s); // warm-up: JIT, buffers
    const res = Object.fromEntries(subjects.map((s) => [s, { eps: [], cpuUs: [], cpuEps: [] }]));
    for (let r = 0; r < rounds; r++) {
      const order = subjects.map((_, i) => subjects[(i + r) % subjects.length]);
      for (const s of order) {
        const last = r === rounds - 1;
        const m = last
          ? await profileWindow(s, { server: realtime.child }, () => burst(s))
          : await burst(s);
        res[s].eps.push(m.eps);
        res[s].cpuUs.push(m.cpuUs);
        res[s].cpuEps.push(m.cpuEps);
      }
    }
    const inProcess = { raw: handlerNs(raw), sdk: sdkSocket ? handlerNs(sdkSocket) : null };
    raw.disconnect();
    control.disconnect();

    const out = {
      events: n,
      rounds,
      sdkFrom: source,
      sink: sink > 0,
      holdMs: Math.round(holdMs),
      serverBoundRounds: serverBound,
      // best of 7 × 1M direct calls, ns per event
      handlerNs: inProcess,
    };
    for (const s of subjects) {
      out[s] = {
        eps: summarize(res[s].eps, 'events/s'),
        cpuUs: summarize(res[s].cpuUs, 'µs/event'),
        cpuEps: summarize(res[s].cpuEps, 'events/s'),
      };
    }
    out.controlRatio = pairedRatio(res.raw.cpuEps, res.control.cpuEps);
    if (withSdk) {
      // > 1 means the SDK is slower: raw rate / SDK rate
      out.ratio = pairedRatio(res.raw.cpuEps, res.sdk.cpuEps);
      out.wallRatio = pairedRatio(res.raw.eps, res.sdk.eps);
    }
    return out;
  } finally {
    injector?.destroy();
    await realtime.child.stop();
  }
});
