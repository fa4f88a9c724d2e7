/**
 * Figure 9 — scale-out: backand-server as several nodes on one database and one Redis.
 *
 * 1. Fan-out: the same 3,000 sockets (150 in quick mode), held by three client processes, on
 *    three subjects side by side, rounds interleaved: one node (no Redis), one node with the
 *    Redis adapter, and three nodes on one Redis (client process i on node i). Per REST write:
 *    the time until the last socket has its `items.created` event, and the CPU of every node
 *    summed (and Redis's); then a sustained stream of writes (a few in flight, spread over the
 *    nodes) and the events/s delivered to every socket.
 * 2. Cross-node latency: on the three nodes, a few sockets per node, writes at a fixed rate on
 *    each node in turn; for every write, the event's arrival at the writer's own sockets and at
 *    the other nodes' sockets.
 * 3. Write throughput (autocannon, REST creates): SQLite file (WAL) on one node and on three,
 *    PostgreSQL on one node and on three (a fresh database per round), where the build has a
 *    PostgreSQL store; otherwise a row says it is not available.
 *
 * Servers and their nodes run pinned to the server CPU, clients to the client CPU; Redis and
 * PostgreSQL are outside processes, not pinned, and their CPU is not in the servers' figures.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { backandAvailable, postJson, SERVER_DIST, signIn } from '../lib/backand.mjs';
import { CLIENT_CPU, startChild } from '../lib/child.mjs';
import { itemBody } from '../lib/data.mjs';
import { profileWindow, runFigure, sleep, startServerChild } from '../lib/figure.mjs';
import { pairedRatio, quantile, summarize } from '../lib/stats.mjs';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const GROUPS_SCRIPT = fileURLToPath(new URL('../clients/groups.mjs', import.meta.url));
const CLIENT_PROCESSES = 3;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
// redis and pg are the server's dependencies: load them the way the server does
const serverRequire = createRequire(SERVER_DIST);

const ANN = { username: 'ann@demo.test', password: 'ann-password' };

/** A Redis client, or a clear error when Redis is not reachable. */
async function connectRedis() {
  const { createClient } = serverRequire('redis');
  const client = createClient({
    url: REDIS_URL,
    socket: { reconnectStrategy: false, connectTimeout: 3000 },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    if (client.isOpen) await client.close();
    throw new Error(
      `the scale-out figure needs Redis at ${REDIS_URL} (set REDIS_URL): ${err?.message ?? err}`,
    );
  }
  return client;
}

/** Redis's own CPU time (user + system, ms): the whole Redis server, any client of it. */
async function redisCpuMs(redis) {
  const info = await redis.info('cpu');
  const field = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

/**
 * `count` backand-server nodes on one database (`db`), with Redis under `prefix` when given.
 * The first node starts alone (it creates the schema), the others together.
 */
async function startNodes({ count, db, dataDir, prefix }) {
  const args = [`--db=${db}`, `--data-dir=${dataDir}`];
  if (prefix) args.push(`--redis=${REDIS_URL}`, `--redis-prefix=${prefix}`);
  const nodes = [];
  const stop = () => Promise.all(nodes.map((n) => n.child.stop()));
  try {
    nodes.push(await startServerChild('backand-child.mjs', args));
    const rest = await Promise.allSettled(
      Array.from({ length: count - 1 }, () => startServerChild('backand-child.mjs', args)),
    );
    for (const r of rest) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    urls: nodes.map((n) => n.info.url),
    children: Object.fromEntries(nodes.map((n, i) => [`node${i}`, n.child])),
    /** CPU time of every node, summed (ms). */
    async cpuMs() {
      const us = await Promise.all(nodes.map((n) => n.child.request('cpu')));
      return us.reduce((sum, u) => sum + (u.user + u.system) / 1000, 0);
    },
    stop,
  };
}

/** Sum of the CPU time (ms) of some child processes. */
async function childrenCpuMs(children) {
  const us = await Promise.all(children.map((c) => c.request('cpu')));
  return us.reduce((sum, u) => sum + (u.user + u.system) / 1000, 0);
}

function createItem(url, token, i) {
  return postJson(`${url}/1/objects/items`, itemBody(i), { authorization: `Bearer ${token}` }).then(
    (r) => String(r.__metadata.id),
  );
}

// --- 1 · fan-out over one node and over three ---------------------------------------------------

async function fanout({ opts, dir, runId, redis }) {
  const clients = opts.quick ? 150 : 3000;
  const rounds = opts.quick ? 8 : 80;
  const warmup = opts.quick ? 3 : 10;
  const stream = { writes: opts.quick ? 20 : 150, inFlight: 6, reps: opts.quick ? 1 : 3 };
  const perProcess = clients / CLIENT_PROCESSES;
  const specs = [
    { name: 'one', count: 1, redis: false },
    { name: 'oneRedis', count: 1, redis: true },
    { name: 'three', count: 3, redis: true },
  ];
  const subjects = {};
  const procs = [];
  try {
    for (const s of specs) {
      const sub = path.join(dir, `fanout-${s.name}`);
      mkdirSync(sub);
      subjects[s.name] = await startNodes({
        count: s.count,
        db: path.join(sub, 'app.db'),
        dataDir: sub,
        prefix: s.redis ? `bench-scaleout:${runId}:${s.name}:` : undefined,
      });
      subjects[s.name].token = (
        await signIn(subjects[s.name].urls[0], ANN.username, ANN.password)
      ).access_token;
    }
    for (let i = 0; i < CLIENT_PROCESSES; i++) {
      const p = startChild(GROUPS_SCRIPT, { cpu: CLIENT_CPU });
      procs.push(p);
      await p.ready;
    }
    // every process holds a share of every subject's sockets; on three nodes, process i → node i
    await Promise.all(
      procs.map(async (p, i) => {
        for (const s of specs) {
          const subject = subjects[s.name];
          await p.request('connect', {
            name: s.name,
            url: subject.urls[i % subject.urls.length],
            n: perProcess,
            login: { token: subject.token },
            event: 'items.created',
          });
        }
      }),
    );

    const lastArrival = async (name, ids) => {
      const got = await Promise.all(procs.map((p) => p.request('waitFor', { name, ids })));
      return Math.max(...got.map((g) => g.last));
    };
    let seq = 0;

    // one write at a time: latency to the last socket, CPU per event
    const order = specs.map((s) => s.name);
    const single = Object.fromEntries(order.map((n) => [n, { last: [], cpu: [], redisCpu: [] }]));
    for (let r = 0; r < warmup + rounds; r++) {
      const rotated = order.map((_, i) => order[(i + r) % order.length]);
      for (const name of rotated) {
        const subject = subjects[name];
        await sleep(50); // the previous round's trailing work is not charged here
        const [c0, rc0] = await Promise.all([subject.cpuMs(), redisCpuMs(redis)]);
        const t0 = nowMs();
        const id = await createItem(subject.urls[r % subject.urls.length], subject.token, seq++);
        const last = (await lastArrival(name, [id])) - t0;
        const [c1, rc1] = await Promise.all([subject.cpuMs(), redisCpuMs(redis)]);
        if (r >= warmup) {
          single[name].last.push(last);
          single[name].cpu.push(c1 - c0);
          single[name].redisCpu.push(rc1 - rc0);
        }
      }
    }

    // a sustained stream: `inFlight` writers, spread over the nodes, until every socket has all
    const sustained = Object.fromEntries(
      order.map((n) => [n, { eps: [], cpuPerEvent: [], serverBusy: [], clientBusy: [] }]),
    );
    for (let rep = 0; rep < stream.reps; rep++) {
      const rotated = order.map((_, i) => order[(i + rep) % order.length]);
      for (const name of rotated) {
        const subject = subjects[name];
        await sleep(200);
        const run = async () => {
          const [c0, k0] = await Promise.all([subject.cpuMs(), childrenCpuMs(procs)]);
          const t0 = nowMs();
          const ids = [];
          let next = 0;
          await Promise.all(
            Array.from({ length: stream.inFlight }, async () => {
              while (next < stream.writes) {
                const i = next++;
                const url = subject.urls[i % subject.urls.length];
                ids.push(await createItem(url, subject.token, seq++));
              }
            }),
          );
          const wall = (await lastArrival(name, ids)) - t0;
          const [c1, k1] = await Promise.all([subject.cpuMs(), childrenCpuMs(procs)]);
          return { wall, cpu: c1 - c0, clientCpu: k1 - k0 };
        };
        const m =
          rep === stream.reps - 1
            ? await profileWindow(`fanout-${name}`, subject.children, run)
            : await run();
        sustained[name].eps.push((stream.writes / m.wall) * 1000);
        sustained[name].cpuPerEvent.push(m.cpu / stream.writes);
        sustained[name].serverBusy.push(m.cpu / m.wall);
        sustained[name].clientBusy.push(m.clientCpu / m.wall);
      }
    }

    const out = { clients, rounds, stream, subjects: {} };
    for (const name of order) {
      const s = single[name];
      const t = sustained[name];
      out.subjects[name] = {
        nodes: subjects[name].nodes.length,
        lastP50: quantile(s.last, 0.5),
        lastP99: quantile(s.last, 0.99),
        last: summarize(s.last, 'ms'),
        cpuPerEvent: summarize(s.cpu, 'ms'),
        redisCpuPerEvent: summarize(s.redisCpu, 'ms'),
        eps: summarize(t.eps, 'events/s'),
        sustainedCpuPerEvent: summarize(t.cpuPerEvent, 'ms'),
        serverBusy: summarize(t.serverBusy, 'cores'),
        clientBusy: summarize(t.clientBusy, 'cores'),
      };
    }
    out.ratios = {
      last: pairedRatio(single.three.last, single.one.last),
      cpuPerEvent: pairedRatio(single.three.cpu, single.one.cpu),
      eps: pairedRatio(sustained.three.eps, sustained.one.eps),
      lastRedis: pairedRatio(single.oneRedis.last, single.one.last),
      cpuPerEventRedis: pairedRatio(single.oneRedis.cpu, single.one.cpu),
      epsRedis: pairedRatio(sustained.oneRedis.eps, sustained.one.eps),
    };
    out.ratios.lastP50 = out.subjects.three.lastP50 / out.subjects.one.lastP50;
    out.ratios.lastP99 = out.subjects.three.lastP99 / out.subjects.one.lastP99;
    return out;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(Object.values(subjects).map((s) => s.stop()));
  }
}

// --- 2 · the added latency of a cross-node event ---------------------------------------------------

async function crossNode({ opts, dir, runId }) {
  const perNode = opts.quick ? 5 : 20;
  const rate = opts.quick ? 20 : 25;
  const writes = opts.quick ? 30 : 300;
  const sub = path.join(dir, 'cross');
  mkdirSync(sub);
  const cluster = await startNodes({
    count: 3,
    db: path.join(sub, 'app.db'),
    dataDir: sub,
    prefix: `bench-scaleout:${runId}:cross:`,
  });
  const proc = startChild(GROUPS_SCRIPT, { cpu: CLIENT_CPU });
  try {
    await proc.ready;
    const token = (await signIn(cluster.urls[0], ANN.username, ANN.password)).access_token;
    const groups = cluster.urls.map((_, k) => `n${k}`);
    for (const [k, url] of cluster.urls.entries()) {
      await proc.request('connect', {
        name: groups[k],
        url,
        n: perNode,
        login: { token },
        event: 'items.created',
        keep: 'all',
      });
    }
    /** Open loop: write i leaves at start + i / rate, on node i mod 3. */
    const writeAtRate = async (count, offset) => {
      const sent = [];
      const start = nowMs();
      for (let i = 0; i < count; i++) {
        const wait = start + (i * 1000) / rate - nowMs();
        if (wait > 1) await sleep(wait);
        const node = i % cluster.urls.length;
        const t0 = nowMs();
        sent.push(
          createItem(cluster.urls[node], token, offset + i).then((id) => ({ id, t0, node })),
        );
      }
      return Promise.all(sent);
    };
    await writeAtRate(9, 0); // warm-up: every node writes and receives
    await sleep(300);
    for (const g of groups) await proc.request('collect', { name: g });
    const sent = await writeAtRate(writes, 100);
    await sleep(500); // the last events are in flight
    const arrivals = await Promise.all(groups.map((g) => proc.request('collect', { name: g })));

    const same = [];
    const cross = [];
    const perWriteDiff = [];
    let missing = 0;
    for (const w of sent) {
      const sameW = [];
      const crossW = [];
      for (let k = 0; k < groups.length; k++) {
        const got = arrivals[k][w.id] ?? [];
        missing += perNode - got.length;
        for (const t of got) (k === w.node ? sameW : crossW).push(t - w.t0);
      }
      same.push(...sameW);
      cross.push(...crossW);
      if (sameW.length && crossW.length) {
        perWriteDiff.push(quantile(crossW, 0.5) - quantile(sameW, 0.5));
      }
    }
    const stat = (xs) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), samples: xs.length });
    const s = stat(same);
    const c = stat(cross);
    return {
      perNode,
      rate,
      writes,
      same: s,
      cross: c,
      diffP50: c.p50 - s.p50,
      diffP99: c.p99 - s.p99,
      perWriteDiff: summarize(perWriteDiff, 'ms'),
      missing,
    };
  } finally {
    await proc.stop();
    await cluster.stop();
  }
}

// --- 3 · REST create throughput: SQLite file vs PostgreSQL, one node and three --------------------

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ pipelining: 1, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Credentials-free form of a database URL, for messages. */
const redact = (url) => url.replace(/\/\/[^@/]*@/, '//');

/**
 * Whether the PostgreSQL server of DATABASE_URL answers, through the `pg` driver the server's
 * store would use; `{ pg, admin }` or `{ unavailable: reason }`.
 */
async function postgresAdmin() {
  let pg;
  try {
    pg = serverRequire('pg');
  } catch {
    return { unavailable: 'PostgreSQL store not available in this build (no pg driver)' };
  }
  const admin = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    return { unavailable: `PostgreSQL unreachable at ${redact(DATABASE_URL)}: ${err.message}` };
  }
  return { pg, admin };
}

/** DATABASE_URL with another database name. */
function databaseUrl(name) {
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function writes({ opts, dir, runId }) {
  const rounds = opts.quick ? 1 : 3;
  const duration = opts.quick ? 1 : 5;
  const connections = 12; // 4 per node on three nodes
  const body = JSON.stringify(itemBody(0));
  const specs = [
    { name: 'sqlite1', store: 'sqlite', count: 1 },
    { name: 'sqlite3', store: 'sqlite', count: 3 },
    { name: 'pg1', store: 'postgres', count: 1 },
    { name: 'pg3', store: 'postgres', count: 3 },
  ];
  const pgState = await postgresAdmin();
  let pgUnavailable = pgState.unavailable ?? null;
  const res = Object.fromEntries(specs.map((s) => [s.name, { rps: [], p99: [], cpuPerReq: [] }]));

  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...specs].reverse() : specs;
    for (const spec of order) {
      if (spec.store === 'postgres' && pgUnavailable) continue;
      const sub = path.join(dir, `writes-${spec.name}-${r}`);
      mkdirSync(sub);
      const dbName = `backand_bench_${runId}_${spec.name}_${r}`;
      let db = path.join(sub, 'app.db');
      if (spec.store === 'postgres') {
        await pgState.admin.query(`CREATE DATABASE ${dbName}`);
        db = databaseUrl(dbName);
      }
      let cluster;
      try {
        try {
          cluster = await startNodes({
            count: spec.count,
            db,
            dataDir: sub,
            prefix: spec.count > 1 ? `bench-scaleout:${runId}:${spec.name}-${r}:` : undefined,
          });
        } catch (err) {
          if (spec.store !== 'postgres') throw err;
          const said = String(err.message)
            .split('\n')[0]
            .replace(/^.*?\.mjs: /, '');
          pgUnavailable = /postgres/i.test(said)
            ? `PostgreSQL store failed: ${said}`
            : `PostgreSQL store not available in this build (the server said: ${said})`;
          continue;
        }
        const token = (await signIn(cluster.urls[0], ANN.username, ANN.password)).access_token;
        const targets = cluster.urls.map((url) => ({
          url: `${url}/1/objects/items`,
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
          connections: connections / cluster.urls.length,
        }));
        // warm-up: JIT, connection set-up, the first pages of the table
        await Promise.all(targets.map((t) => cannon({ ...t, amount: opts.quick ? 100 : 500 })));
        const run = async () => {
          const c0 = await cluster.cpuMs();
          const results = await Promise.all(targets.map((t) => cannon({ ...t, duration })));
          const c1 = await cluster.cpuMs();
          return { results, cpu: c1 - c0 };
        };
        const { results, cpu } =
          r === rounds - 1
            ? await profileWindow(`writes-${spec.name}`, cluster.children, run)
            : await run();
        let total = 0;
        for (const x of results) {
          if (x.errors > 0 || x.non2xx > 0 || x.requests.total === 0) {
            throw new Error(
              `${spec.name}: ${x.errors} errors, ${x.non2xx} non-2xx of ${x.requests.total}`,
            );
          }
          total += x.requests.total;
        }
        res[spec.name].rps.push(results.reduce((sum, x) => sum + x.requests.average, 0));
        res[spec.name].p99.push(Math.max(...results.map((x) => x.latency.p99)));
        res[spec.name].cpuPerReq.push(cpu / total);
      } finally {
        await cluster?.stop();
        if (spec.store === 'postgres') {
          await pgState.admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        }
      }
    }
  }
  await pgState.admin?.end();

  const out = { rounds, duration, connections, postgres: pgUnavailable ?? redact(DATABASE_URL) };
  if (pgUnavailable) out.postgresUnavailable = pgUnavailable;
  for (const spec of specs) {
    const x = res[spec.name];
    if (!x.rps.length) continue;
    out[spec.name] = {
      nodes: spec.count,
      rps: summarize(x.rps, 'req/s'),
      p99: summarize(x.p99, 'ms'),
      cpuPerReq: summarize(x.cpuPerReq, 'ms'),
    };
  }
  if (res.pg1.rps.length === rounds) out.pg1VsSqlite = pairedRatio(res.pg1.rps, res.sqlite1.rps);
  if (res.pg3.rps.length === rounds) out.pg3VsPg1 = pairedRatio(res.pg3.rps, res.pg1.rps);
  out.sqlite3VsSqlite1 = pairedRatio(res.sqlite3.rps, res.sqlite1.rps);
  return out;
}

runFigure(async (opts) => {
  if (!backandAvailable()) return { skipped: 'backand-server is not built' };
  const redis = await connectRedis();
  const runId = randomBytes(4).toString('hex');
  const dir = mkdtempSync(path.join(tmpdir(), 'backand-scaleout-'));
  try {
    const fan = await fanout({ opts, dir, runId, redis });
    const cross = await crossNode({ opts, dir, runId });
    const write = await writes({ opts, dir, runId });
    return { redis: REDIS_URL, fanout: fan, cross, writes: write };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for await (const keys of redis.scanIterator({
      MATCH: `bench-scaleout:${runId}:*`,
      COUNT: 500,
    })) {
      if (keys.length) await redis.del(keys);
    }
    await redis.close();
  }
});
