/**
 * Figure 7 — sign-in under a flood: N sign-ins sent at once, all with the right password (spread
 * over U users, from one address), against backand-server with its password-hash queue (the
 * defaults: 4 hashes at once, 64 waiting, 503 beyond; 12 waiting in quick mode) and against the
 * same server with the bound lifted (every hash straight to libuv's threadpool, as before the
 * queue). Reported per subject:
 * successful sign-ins per second (from the first request to the last success), p50/p99 latency
 * of the successes, how many got 503 / 429 and the p99 time to those answers.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { URLSearchParams } from 'node:url';
import { backandAvailable, signIn } from '../lib/backand.mjs';
import { profileWindow, runFigure, startServerChild } from '../lib/figure.mjs';
import { pairedRatio, quantile, summarize } from '../lib/stats.mjs';

const password = (i) => `bench-password-${i}`;

/** One `POST /token` on its own connection; resolves its status, latency and Retry-After. */
function attempt(port, body, agent) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/token',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            ms: performance.now() - t0,
            end: performance.now(),
            retryAfter: res.headers['retry-after'] !== undefined,
          }),
        );
      },
    );
    req.on('error', (err) =>
      resolve({ status: 0, error: err.code ?? String(err), ms: performance.now() - t0 }),
    );
    req.end(body);
  });
}

/** Sends every attempt at once and waits for all the answers. */
async function flood({ port, attempts, users }) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const bodies = Array.from({ length: attempts }, (_, i) =>
    new URLSearchParams({
      username: `bench${i % users}@demo.test`,
      password: password(i % users),
      appName: 'demo',
      grant_type: 'password',
    }).toString(),
  );
  const t0 = performance.now();
  const answers = await Promise.all(bodies.map((body) => attempt(port, body, agent)));
  agent.destroy();
  const ok = answers.filter((a) => a.status === 200);
  const okMs = ok.map((a) => a.ms);
  const refused = answers.filter((a) => a.status === 503 || a.status === 429);
  const lastOk = Math.max(...ok.map((a) => a.end));
  return {
    rate: ok.length ? ok.length / ((lastOk - t0) / 1000) : 0,
    okP50: quantile(okMs, 0.5),
    okP99: quantile(okMs, 0.99),
    refusedP99: quantile(
      refused.map((a) => a.ms),
      0.99,
    ),
    ok: ok.length,
    busy: answers.filter((a) => a.status === 503).length,
    limited: answers.filter((a) => a.status === 429).length,
    other: answers.length - ok.length - refused.length,
    refusedWithoutRetryAfter: refused.filter((a) => !a.retryAfter).length,
    seconds: (performance.now() - t0) / 1000,
  };
}

runFigure(async (opts) => {
  if (!backandAvailable()) throw new Error('backand-server is not built');
  // Quick mode only proves the harness: a short queue, so few hashes run in either subject.
  const attempts = opts.quick ? 60 : 1000;
  const users = opts.quick ? 6 : 50;
  const rounds = opts.quick ? 1 : 2;
  const subjects = {};
  for (const name of ['bounded', 'unbounded']) {
    const args = [
      `--sign-in-users=${users}`,
      ...(name === 'unbounded' ? ['--unbounded-hashing'] : []),
      ...(name === 'bounded' && opts.quick ? ['--max-queued-hashes=12'] : []),
    ];
    subjects[name] = await startServerChild('backand-child.mjs', args);
  }
  const runs = { bounded: [], unbounded: [] };
  try {
    for (const { info } of Object.values(subjects)) {
      // warm-up: JIT, the dummy hash, a first session
      await signIn(info.url, 'bench0@demo.test', password(0));
    }
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? ['unbounded', 'bounded'] : ['bounded', 'unbounded'];
      for (const name of order) {
        const { child, info } = subjects[name];
        const run = () => flood({ port: info.port, attempts, users });
        const result =
          r === rounds - 1 ? await profileWindow(name, { server: child }, run) : await run();
        if (result.other > 0)
          throw new Error(`${name}: ${result.other} answers were neither 200, 503 nor 429`);
        runs[name].push(result);
      }
    }
  } finally {
    await Promise.all(Object.values(subjects).map(({ child }) => child.stop()));
  }

  const out = {
    attempts,
    users,
    rounds,
    bound: subjects.bounded.info.signInLimits,
  };
  for (const name of ['bounded', 'unbounded']) {
    const rs = runs[name];
    const pick = (k, unit) =>
      summarize(
        rs.map((x) => x[k]),
        unit,
      );
    out[name] = {
      rate: pick('rate', 'sign-ins/s'),
      okP50: pick('okP50', 'ms'),
      okP99: pick('okP99', 'ms'),
      refusedP99: pick('refusedP99', 'ms'),
      ok: pick('ok', 'answers'),
      busy: pick('busy', 'answers'),
      limited: pick('limited', 'answers'),
      seconds: pick('seconds', 's'),
      refusedWithoutRetryAfter: rs.reduce((n, x) => n + x.refusedWithoutRetryAfter, 0),
    };
  }
  out.p99Ratio = pairedRatio(
    runs.bounded.map((x) => x.okP99),
    runs.unbounded.map((x) => x.okP99),
  );
  out.rateRatio = pairedRatio(
    runs.bounded.map((x) => x.rate),
    runs.unbounded.map((x) => x.rate),
  );
  return out;
});
