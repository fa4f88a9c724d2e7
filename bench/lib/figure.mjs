/**
 * The measuring side of a figure: each figure runs in its own process (pinned to the client CPU
 * by run.mjs), reads its options from BENCH_OPTS, and reports its result over IPC.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startChild, SERVER_CPU } from './child.mjs';
import { startProfiling, stopProfiling } from './profiler.mjs';

/** Options run.mjs hands to every figure. */
export function figureOptions() {
  return JSON.parse(process.env.BENCH_OPTS ?? '{"quick":true}');
}

/** Runs `fn(options)` and sends its result (or its error) to run.mjs, then exits. */
export async function runFigure(fn) {
  const send = (msg) =>
    new Promise((resolve) => (process.send ? process.send(msg, resolve) : resolve()));
  try {
    const result = await fn(figureOptions());
    if (process.send) await send({ type: 'result', result });
    else console.log(JSON.stringify(result, null, 2));
    process.exit(0);
  } catch (err) {
    if (process.send) await send({ type: 'error', error: err?.stack ?? String(err) });
    else console.error(err);
    process.exit(1);
  }
}

/** Starts one of bench/servers/*.mjs on the server CPU and waits until it is ready. */
export async function startServerChild(name, args = [], nodeArgs = []) {
  const script = fileURLToPath(new URL(`../servers/${name}`, import.meta.url));
  // deprecation notices of dependencies would interleave with the progress lines
  const child = startChild(script, {
    cpu: SERVER_CPU,
    args,
    nodeArgs,
    env: { NODE_NO_WARNINGS: '1' },
  });
  const info = await child.ready;
  return { child, info };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Time since `t0` (a performance.now()) in ms. */
export const since = (t0) => performance.now() - t0;

/**
 * Runs `fn()`; with `--profile`, CPU-profiles this process and the given server children over
 * exactly that window, into bench/results/profiles/<figure>/<label>-{client,<server>}.cpuprofile.
 * `servers` maps a name to a child from startServerChild().
 */
export async function profileWindow(label, servers, fn) {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return fn();
  const entries = Object.entries(servers).filter(([, child]) => child);
  await Promise.all(entries.map(([, child]) => child.request('profileStart')));
  await startProfiling();
  try {
    return await fn();
  } finally {
    await stopProfiling(`${dir}/${label}-client.cpuprofile`);
    await Promise.all(
      entries.map(([name, child]) =>
        child.request('profileStop', { file: `${dir}/${label}-${name}.cpuprofile` }),
      ),
    );
  }
}
