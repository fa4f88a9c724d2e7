/**
 * In-process CPU profiling over a chosen window (node:inspector), so a profile holds the measured
 * rounds only, not start-up, connecting and seeding. Used when `npm run bench -- --profile` is on.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

let session = null;

function post(method, params = {}) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

/** Starts sampling this process (every 100 µs). */
export async function startProfiling() {
  if (session) return;
  session = new Session();
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
}

/** Stops sampling and writes the .cpuprofile to `file`. */
export async function stopProfiling(file) {
  if (!session) return;
  const { profile } = await post('Profiler.stop');
  session.disconnect();
  session = null;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(profile));
}
