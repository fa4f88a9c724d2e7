/**
 * Figure 3 — fan-out: one REST write on backand-server → its automatic `items.created` event at
 * 1,000 authorized sockets; the time from the request's start until the last socket has it.
 * Side by side, same run, interleaved rounds: a bare `io.emit` of the same payload from the same
 * server process (the floor), and Feathers `create` → `items created` at 1,000 authenticated sockets.
 */
import { performance } from 'node:perf_hooks';
import { backandAvailable, postJson, signIn } from '../lib/backand.mjs';
import {
  arrivalCounter,
  backandLogin,
  closeAll,
  connectMany,
  feathersLogin,
} from '../lib/clients.mjs';
import { itemBody } from '../lib/data.mjs';
import { profileWindow, runFigure, sleep, startServerChild } from '../lib/figure.mjs';
import { summarize, pairedRatio } from '../lib/stats.mjs';

runFigure(async (opts) => {
  const clients = opts.quick ? 200 : 1000;
  const rounds = opts.quick ? 5 : 15;
  const warmup = opts.quick ? 3 : 5;
  const withBackand = backandAvailable();

  const realtime = await startServerChild('realtime-child.mjs', withBackand ? ['--backand'] : []);
  const feathers = await startServerChild('feathers-child.mjs');
  const subjects = [];
  try {
    // --- connect and log in every client -------------------------------------------------
    const rawUrl = realtime.info.raw.url;
    const raw = await connectMany(rawUrl, clients, backandLogin({ anonymousToken: 'x' }));
    subjects.push({ name: 'raw', sockets: raw });

    const feathersUrl = feathers.info.url;
    const fToken = await feathers.child.request('token');
    const fSockets = await connectMany(feathersUrl, clients, feathersLogin(fToken));
    subjects.push({ name: 'feathers', sockets: fSockets });

    let bUrl;
    let bToken;
    if (withBackand) {
      bUrl = realtime.info.backand.url;
      bToken = (await signIn(bUrl, 'ann@demo.test', 'ann-password')).access_token;
      const bSockets = await connectMany(bUrl, clients, backandLogin({ token: bToken }));
      subjects.push({ name: 'backand', sockets: bSockets });
    }

    // --- one round of each subject -------------------------------------------------------
    let payload = {
      id: '1',
      objectName: 'items',
      event: 'created',
      row: { id: '1', ...itemBody(1), owner: 'ann@demo.test' },
    };
    const counters = {
      raw: arrivalCounter(raw, 'items.created'),
      feathers: arrivalCounter(fSockets, 'items created'),
      backand: withBackand ? arrivalCounter(subjects[2].sockets, 'items.created') : null,
    };
    let seq = 0;
    const serverOf = { backand: realtime.child, raw: realtime.child, feathers: feathers.child };
    const cpuMs = async (name) => {
      const u = await serverOf[name].request('cpu');
      return (u.user + u.system) / 1000;
    };
    const round = {
      async backand() {
        const arrival = counters.backand.arrival();
        const t0 = performance.now();
        await postJson(`${bUrl}/1/objects/items`, itemBody(seq++), {
          authorization: `Bearer ${bToken}`,
        });
        const tRes = performance.now();
        const { t, payload: seen } = await arrival;
        payload = seen; // the raw floor then emits exactly what backand sent
        return { last: t - t0, response: tRes - t0 };
      },
      async raw() {
        const arrival = counters.raw.arrival();
        const t0 = performance.now();
        await postJson(`${rawUrl}/emit`, { event: 'items.created', payload });
        const tRes = performance.now();
        const { t } = await arrival;
        return { last: t - t0, response: tRes - t0 };
      },
      async feathers() {
        const arrival = counters.feathers.arrival();
        const t0 = performance.now();
        await postJson(`${feathersUrl}/items`, itemBody(seq++), {
          authorization: `Bearer ${fToken}`,
        });
        const tRes = performance.now();
        const { t } = await arrival;
        return { last: t - t0, response: tRes - t0 };
      },
    };

    const order = withBackand ? ['backand', 'raw', 'feathers'] : ['raw', 'feathers'];
    const results = Object.fromEntries(
      order.map((n) => [n, { last: [], response: [], serverCpu: [] }]),
    );
    for (let r = 0; r < warmup + rounds; r++) {
      // rotate who goes first, so no subject always runs right after the same neighbour
      const rotated = order.map((_, i) => order[(i + r) % order.length]);
      for (const name of rotated) {
        // let the previous round's trailing writes and GC finish, so they are not charged here
        await sleep(50);
        const cpu0 = await cpuMs(name);
        const { last, response } = await round[name]();
        // the server's CPU for this write and its fan-out (the client process is shared by all)
        const serverCpu = (await cpuMs(name)) - cpu0;
        if (r >= warmup) {
          results[name].last.push(last);
          results[name].response.push(response);
          results[name].serverCpu.push(serverCpu);
        }
      }
    }
    if (process.env.BENCH_PROFILE_DIR) {
      // one write is too short to sample: profile a series of them, per subject
      for (const name of order) {
        await profileWindow(name, { server: serverOf[name] }, async () => {
          for (let i = 0; i < 20; i++) await round[name]();
        });
      }
    }
    for (const c of Object.values(counters)) c?.dispose();

    const out = {
      clients,
      rounds,
      payloadBytes: JSON.stringify(payload).length,
      raw: summarize(results.raw.last, 'ms'),
      feathers: summarize(results.feathers.last, 'ms'),
      feathersResponse: summarize(results.feathers.response, 'ms'),
      rawResponse: summarize(results.raw.response, 'ms'),
      serverCpu: Object.fromEntries(order.map((n) => [n, summarize(results[n].serverCpu, 'ms')])),
    };
    if (withBackand) {
      out.backand = summarize(results.backand.last, 'ms');
      out.backandResponse = summarize(results.backand.response, 'ms');
      out.ratioVsRaw = pairedRatio(results.backand.last, results.raw.last);
      out.ratioVsFeathers = pairedRatio(results.backand.last, results.feathers.last);
    }
    out.feathersVsRaw = pairedRatio(results.feathers.last, results.raw.last);
    return out;
  } finally {
    for (const s of subjects) closeAll(s.sockets);
    await Promise.all([realtime.child.stop(), feathers.child.stop()]);
  }
});
