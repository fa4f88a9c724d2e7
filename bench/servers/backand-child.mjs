/**
 * backand-server alone in a child process (for the REST throughput and sign-in figures): the
 * built-in demo app on an in-memory database, logging off.
 *
 * `--db=<file or URL>` serves another database than an in-memory one (a SQLite file, or a
 * PostgreSQL URL where the build has that store); `--data-dir=<dir>` then holds its uploads and
 * mails. `--redis=<url>` and `--redis-prefix=<prefix>` make the process one node of a scaled-out
 * deployment (several children on one database and one Redis).
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
const stringArg = (name) => {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? undefined : arg.slice(name.length + 3);
};
const db = stringArg('db') ?? ':memory:';
const dataDir = stringArg('data-dir');
const redis = stringArg('redis');
const redisPrefix = stringArg('redis-prefix');

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
// A refused option (e.g. a database URL this build has no store for) is reported to the parent
// as the reason it did not get ready, rather than as a crash.
const server = await startServer({
  ...(app ? { app } : {}),
  port: 0,
  host: '127.0.0.1',
  db,
  ...(dataDir ? { filesDir: `${dataDir}/files`, mailDir: `${dataDir}/mail` } : {}),
  ...(redis ? { redis } : {}),
  ...(redisPrefix ? { redisPrefix } : {}),
  logLevel: 'silent',
}).catch((err) => {
  process.send({ type: 'error', error: err?.message ?? String(err) }, () => process.exit(1));
  return new Promise(() => {});
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
