/**
 * backand-server alone in a child process (for the REST throughput and sign-in figures): the
 * built-in demo app on an in-memory database, logging off.
 *
 * `--sign-in-users=N` adds N users (`bench<i>@demo.test`, password `bench-password-<i>`), seeded
 * at start; `--max-queued-hashes=N` sets the password-hash queue's length; `--unbounded-hashing`
 * lifts its bound (every hash goes straight to libuv's threadpool, as before the queue existed).
 */
import { availableParallelism } from 'node:os';
import { loadBackandServer } from '../lib/backand.mjs';
import { serveCommands } from '../lib/child.mjs';

const args = process.argv.slice(2);
const numberArg = (name) => {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? undefined : Number(arg.slice(name.length + 3));
};
const signInUsers = numberArg('sign-in-users') ?? 0;
const maxQueuedHashes = numberArg('max-queued-hashes');
const unbounded = args.includes('--unbounded-hashing');

const { startServer, demoApp } = await loadBackandServer();
const app =
  signInUsers > 0 || unbounded || maxQueuedHashes !== undefined
    ? {
        ...demoApp,
        users: [
          ...demoApp.users,
          ...Array.from({ length: signInUsers }, (_, i) => ({
            username: `bench${i}@demo.test`,
            password: `bench-password-${i}`,
            role: 'User',
            firstName: '',
            lastName: '',
          })),
        ],
        signInLimits: {
          ...demoApp.signInLimits,
          ...(maxQueuedHashes !== undefined ? { maxQueuedHashes } : {}),
          ...(unbounded ? { maxConcurrentHashes: 1_000_000, maxQueuedHashes: 1_000_000 } : {}),
        },
      }
    : undefined;
const server = await startServer({
  ...(app ? { app } : {}),
  port: 0,
  host: '127.0.0.1',
  db: ':memory:',
  logLevel: 'silent',
});

serveCommands({}, () => server.close());
// The server's default when the app sets none: libuv's threadpool, at most the CPUs it may use.
const defaultConcurrency = Math.min(
  Number(process.env.UV_THREADPOOL_SIZE) || 4,
  availableParallelism(),
);
process.send({
  type: 'ready',
  url: server.url,
  port: server.port,
  signInLimits: {
    ...server.app.signInLimits,
    maxConcurrentHashes: server.app.signInLimits.maxConcurrentHashes ?? defaultConcurrency,
  },
});
