/**
 * Figure 4 — write→event latency: 100 subscribers (in their own process), one writer at a fixed
 * rate (open loop: requests leave on schedule, not when the previous one answered). For every
 * write: the time from the request's start to the event's arrival at each subscriber, next to the
 * HTTP response time of the same write. Shown for backand-server, with Feathers and a bare
 * Socket.IO emit alongside for scale.
 */
import { fileURLToPath } from 'node:url';
import { backandAvailable, postJson, signIn } from '../lib/backand.mjs';
import { CLIENT_CPU, startChild } from '../lib/child.mjs';
import { itemBody } from '../lib/data.mjs';
import { profileWindow, runFigure, sleep, startServerChild } from '../lib/figure.mjs';
import { quantile, summarize } from '../lib/stats.mjs';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function writeAtRate({ rate, count, request }) {
  const interval = 1000 / rate;
  const writes = [];
  const start = nowMs();
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - nowMs();
    if (wait > 1) await sleep(wait);
    const t0 = nowMs();
    writes.push(request(i).then((id) => ({ id: String(id), t0, response: nowMs() - t0 })));
  }
  return Promise.all(writes);
}

async function runSubject({
  name,
  server,
  url,
  event,
  login,
  request,
  subscribers,
  rate,
  count,
  script,
  profile,
}) {
  const subs = startChild(script, { cpu: CLIENT_CPU });
  await subs.ready;
  try {
    await subs.request('connect', { url, n: subscribers, login, event });
    await writeAtRate({ rate, count: Math.min(10, count), request }); // warm-up
    await sleep(200);
    await subs.request('collect');
    const measure = () => writeAtRate({ rate, count, request });
    const writes = profile ? await profileWindow(name, { server }, measure) : await measure();
    await sleep(500); // the last events are in flight
    const arrivals = await subs.request('collect');
    const eventLat = [];
    let missing = 0;
    for (const w of writes) {
      const got = arrivals[w.id] ?? [];
      missing += subscribers - got.length;
      for (const t of got) eventLat.push(t - w.t0);
    }
    const responses = writes.map((w) => w.response);
    return {
      eventP50: quantile(eventLat, 0.5),
      eventP99: quantile(eventLat, 0.99),
      responseP50: quantile(responses, 0.5),
      responseP99: quantile(responses, 0.99),
      missing,
    };
  } finally {
    await subs.stop();
  }
}

runFigure(async (opts) => {
  const subscribers = 100;
  const rate = opts.quick ? 25 : 50;
  const count = opts.quick ? 25 : 250;
  const rounds = opts.quick ? 1 : 3;
  const script = fileURLToPath(new URL('../clients/subscribers.mjs', import.meta.url));
  const withBackand = backandAvailable();

  const realtime = await startServerChild('realtime-child.mjs', withBackand ? ['--backand'] : []);
  const feathers = await startServerChild('feathers-child.mjs');
  try {
    const subjects = {};
    const rawUrl = realtime.info.raw.url;
    subjects.raw = {
      url: rawUrl,
      event: 'items.created',
      login: { kind: 'backand', anonymousToken: 'x' },
      request: (i) =>
        postJson(`${rawUrl}/emit`, {
          event: 'items.created',
          payload: { id: `r${i}`, objectName: 'items', event: 'created', row: itemBody(i) },
        }).then(() => `r${i}`),
    };
    const fUrl = feathers.info.url;
    const fToken = await feathers.child.request('token');
    subjects.feathers = {
      url: fUrl,
      event: 'items created',
      login: { kind: 'feathers', token: fToken },
      request: (i) =>
        postJson(`${fUrl}/items`, itemBody(i), { authorization: `Bearer ${fToken}` }).then(
          (row) => row.id,
        ),
    };
    if (withBackand) {
      const bUrl = realtime.info.backand.url;
      const bToken = (await signIn(bUrl, 'ann@demo.test', 'ann-password')).access_token;
      subjects.backand = {
        url: bUrl,
        event: 'items.created',
        login: { kind: 'backand', token: bToken },
        request: (i) =>
          postJson(`${bUrl}/1/objects/items`, itemBody(i), {
            authorization: `Bearer ${bToken}`,
          }).then((r) => r.__metadata.id),
      };
    }

    const names = Object.keys(subjects);
    const acc = Object.fromEntries(
      names.map((n) => [
        n,
        { eventP50: [], eventP99: [], responseP50: [], responseP99: [], missing: 0 },
      ]),
    );
    for (let r = 0; r < rounds; r++) {
      for (const name of names) {
        const m = await runSubject({
          ...subjects[name],
          name,
          server: name === 'feathers' ? feathers.child : realtime.child,
          subscribers,
          rate,
          count,
          script,
          profile: r === rounds - 1,
        });
        for (const k of ['eventP50', 'eventP99', 'responseP50', 'responseP99'])
          acc[name][k].push(m[k]);
        acc[name].missing += m.missing;
      }
    }
    const out = { subscribers, rate, writes: count, rounds };
    for (const name of names) {
      out[name] = {
        eventP50: summarize(acc[name].eventP50, 'ms'),
        eventP99: summarize(acc[name].eventP99, 'ms'),
        responseP50: summarize(acc[name].responseP50, 'ms'),
        responseP99: summarize(acc[name].responseP99, 'ms'),
        missing: acc[name].missing,
      };
    }
    return out;
  } finally {
    await Promise.all([realtime.child.stop(), feathers.child.stop()]);
  }
});
