/**
 * Figure 6 — REST throughput (autocannon): list and create on backand-server vs the same on
 * Feathers (knex + better-sqlite3), same rows, same page size, JWT auth on both. Each round
 * starts fresh servers with the same seeded rows, so neither list counts rows the other's
 * creates added.
 */
/* global fetch */
import autocannon from 'autocannon';
import { backandAvailable, seedItems, signIn } from '../lib/backand.mjs';
import { itemBody } from '../lib/data.mjs';
import { profileWindow, runFigure, startServerChild } from '../lib/figure.mjs';
import { pairedRatio, summarize } from '../lib/stats.mjs';

const ROWS = 100;
const SIZE = 64;
const PAGE = 20;

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 10, pipelining: 1, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function measure(name, opts) {
  const r = await cannon(opts);
  const ok = r.requests.total - r.non2xx;
  if (r.errors > 0 || r.non2xx > 0 || ok === 0) {
    throw new Error(`${name}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.requests.total}`);
  }
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

async function startBackand() {
  const { child, info } = await startServerChild('backand-child.mjs');
  const token = (await signIn(info.url, 'ann@demo.test', 'ann-password')).access_token;
  await seedItems(info.url, token, ROWS, (i) => itemBody(i, SIZE));
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    child,
    list: { url: `${info.url}/1/objects/items?pageSize=${PAGE}`, headers },
    create: { url: `${info.url}/1/objects/items`, method: 'POST', headers },
  };
}

async function startFeathers() {
  const { child, info } = await startServerChild('feathers-child.mjs');
  await child.request('seed', { rows: ROWS, size: SIZE });
  const token = await child.request('token');
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    child,
    list: { url: `${info.url}/items?$limit=${PAGE}`, headers },
    create: { url: `${info.url}/items`, method: 'POST', headers },
  };
}

async function bytesOf({ url, headers }) {
  const res = await fetch(url, { headers });
  return (await res.text()).length;
}

runFigure(async (opts) => {
  const rounds = opts.quick ? 1 : 5;
  const duration = opts.quick ? 1 : 5;
  const withBackand = backandAvailable();
  const subjects = withBackand ? ['backand', 'feathers'] : ['feathers'];
  const res = {};
  for (const s of subjects) res[s] = { list: [], create: [], listP99: [], createP99: [] };
  const body = JSON.stringify(itemBody(0, SIZE));
  const listBytes = {};

  for (let r = 0; r < rounds; r++) {
    for (const kind of ['list', 'create']) {
      // alternate who goes first from round to round
      const order = r % 2 ? [...subjects].reverse() : subjects;
      for (const s of order) {
        const subject = s === 'backand' ? await startBackand() : await startFeathers();
        try {
          if (kind === 'list') listBytes[s] = await bytesOf(subject.list);
          const target = kind === 'list' ? subject.list : { ...subject.create, body };
          // a short warm-up so JIT and connection setup stay out of the figure
          await cannon({ ...target, amount: opts.quick ? 200 : 1000 });
          const run = () => measure(`${s} ${kind}`, { ...target, duration });
          const m =
            r === rounds - 1
              ? await profileWindow(`${s}-${kind}`, { server: subject.child }, run)
              : await run();
          res[s][kind].push(m.rps);
          res[s][`${kind}P99`].push(m.p99);
        } finally {
          await subject.child.stop();
        }
      }
    }
  }

  const out = {
    rows: ROWS,
    pageSize: PAGE,
    description: SIZE,
    connections: 10,
    duration,
    rounds,
    listBytes,
  };
  for (const s of subjects) {
    out[s] = {
      list: summarize(res[s].list, 'req/s'),
      create: summarize(res[s].create, 'req/s'),
      listP99: summarize(res[s].listP99, 'ms'),
      createP99: summarize(res[s].createP99, 'ms'),
    };
  }
  if (withBackand) {
    out.listRatio = pairedRatio(res.backand.list, res.feathers.list);
    out.createRatio = pairedRatio(res.backand.create, res.feathers.create);
  }
  return out;
});
