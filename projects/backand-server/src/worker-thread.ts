import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from `<dir>/<name>.js` (the built server); from the TypeScript sources
 * (tests, tsx) `<name>.ts` is compiled on load by tsx, as `.ts` app definitions are.
 */
export function startWorkerThread(dir: string, name: string, options: WorkerOptions): Worker {
  const built = path.join(dir, `${name}.js`);
  if (existsSync(built)) return new Worker(built, options);
  const source = path.join(dir, `${name}.ts`);
  const tsx = require.resolve('tsx/cjs/api');
  const boot = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`;
  return new Worker(boot, { ...options, eval: true });
}
