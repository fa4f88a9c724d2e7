import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import * as path from 'node:path';
import { Server as SocketServer } from 'socket.io';
import { ActionRunner } from './actions/action-runner';
import type { AppContext } from './app-context';
import { demoAppDefinition } from './app-definition/demo-app';
import { loadAppDefinition } from './app-definition/load-app-definition';
import type { AppDefinition } from './app-definition/schema';
import { AccessTokens } from './auth/access-tokens';
import { IdentityResolver } from './auth/identity';
import { defaultHashConcurrency, HashQueue } from './auth/hash-queue';
import { FailureLimiter } from './auth/rate-limiter';
import { SignInGuard } from './auth/sign-in-guard';
import { UserStore } from './auth/user-store';
import { describeMigration, migrateUsernames } from './auth/migrate-usernames';
import { actionRoutes } from './http/action-routes';
import { registerApiRoutes } from './http/api-route';
import { registerAuthRoutes } from './http/auth-routes';
import { registerBulkRoutes } from './http/bulk-routes';
import { CorsPolicy } from './http/cors-policy';
import { BODY_LIMIT, installErrorHandling } from './http/error-handler';
import { objectRoutes } from './http/object-routes';
import { registerStatic } from './http/static-site';
import { ObjectService } from './objects/object-service';
import { NamedQueries } from './queries/named-queries';
import { RealtimeHub } from './realtime/realtime-hub';
import { RowAudience } from './realtime/row-audience';
import { checkSecurityFilters } from './objects/security-filter';
import type { RunningServer, ServerOptions } from './server-options';
import { closeDatabase, openDatabase, signingSecret, type Db } from './storage/database';
import { isPostgresUrl } from './storage/postgres/pg-database';
import { syncSchema } from './storage/sync-schema';
import { registerFileDownloads } from './files/file-downloads';
import { FileLinks } from './files/file-links';
import { FileStore } from './files/file-store';
import { registerRegisterUserRoute } from './http/register-user-route';
import { installQueryCredentials, requestForLog } from './http/query-credentials';
import { EmailBridge } from './actions/email-bridge';
import { HttpBridge } from './actions/http-bridge';
import { EmailVerification } from './auth/email-verification';
import { checkSmtpUrl, Mailer, redact } from './mail/mailer';
import { JobScheduler } from './jobs/job-scheduler';
import { jobRoutes } from './jobs/job-routes';
import { checkRedisUrl, connectRedis, type RedisLink } from './cluster/redis-link';
import { ClusterBus } from './realtime/cluster-bus';
import { checkTrustProxy } from './http/trust-proxy';
import { SharedFailures } from './auth/shared-failures';
import { defaultConsoleDir } from './console/console-site';
import { registerConsole } from './console/register-console';

/** How long a disconnected socket may come back and receive what it missed. */
const RECOVERY_WINDOW_MS = 2 * 60 * 1000;

/**
 * Starts a Backand-compatible server: REST (Fastify) and realtime (Socket.IO) on one port,
 * SQLite storage (or PostgreSQL, `db: 'postgres://…'`).
 *
 * @example
 * const server = await startServer({ app: './backand.app.json', port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  // Checked before anything is opened: a bad origin leaves no database file behind.
  const corsPolicy = CorsPolicy.from(options.corsOrigins);
  if (options.smtpUrl !== undefined) checkSmtpUrl(options.smtpUrl, 'smtpUrl');
  if (options.redis !== undefined) checkRedisUrl(options.redis, 'redis');
  const trustProxy =
    options.trustProxy === undefined
      ? undefined
      : checkTrustProxy(options.trustProxy, 'trustProxy');
  const source = typeof options.app === 'string' ? path.resolve(options.app) : undefined;
  const app: AppDefinition =
    options.app === undefined ? demoAppDefinition() : await loadAppDefinition(options.app);
  const dbFile = options.db ?? defaultDbFile(options.app, app);
  const db = openDatabase(dbFile);
  const files = new FileStore(options.filesDir ?? defaultDataDir(dbFile, app, 'files'));
  let mailer: Mailer | undefined;
  let fastify: FastifyInstance | undefined;
  let actions: ActionRunner | undefined;
  let redis: RedisLink | undefined;
  try {
    syncSchema(db, app);
    if (options.redis !== undefined) {
      redis = await connectRedis(
        options.redis,
        options.redisPrefix ?? `backand:${app.appName}:`,
        (err) =>
          fastify?.log.warn(
            { err },
            'a message to the other nodes was lost (Redis PUBLISH failed)',
          ),
      );
    }
    const queries = new NamedQueries(db, app, source && path.relative(process.cwd(), source));
    fastify = Fastify({
      logger: {
        level: options.logLevel ?? 'info',
        ...(options.logStream ? { stream: options.logStream } : {}),
        serializers: { req: requestForLog },
      },
      // One line per request only when asked for (debug/trace): the CLI stays readable.
      logController: new LogController({
        disableRequestLogging: !['debug', 'trace'].includes(options.logLevel ?? 'info'),
      }),
      bodyLimit: BODY_LIMIT,
      forceCloseConnections: 'idle',
      ...(trustProxy ? { trustProxy } : {}),
      ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
    const registered: Array<{ method: string; url: string }> = [];
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.push({ method, url: route.url });
    });
    const io = new SocketServer(fastify.server, {
      allowEIO3: true,
      ...(redis ? { adapter: redis.adapter } : {}),
      ...corsPolicy.socketOptions(),
      connectionStateRecovery: {
        maxDisconnectionDuration: RECOVERY_WINDOW_MS,
        skipMiddlewares: true,
      },
    });
    // Before the users are seeded and the one-account-per-name index is made.
    const migration = migrateUsernames(db, app);
    for (const line of migration ? describeMigration(migration) : []) fastify.log.warn(line);
    mailer = new Mailer({
      ...(options.smtpUrl ? { smtpUrl: options.smtpUrl } : {}),
      dir: options.mailDir ?? defaultDataDir(dbFile, app, 'mail'),
      from: app.email.from,
      maxPerRecipientPerHour: app.email.maxPerRecipientPerHour,
      logger: fastify.log,
    });
    let listening = '';
    const ctx = await createContext(db, app, io, fastify, files, mailer, redis, () =>
      (app.email.linkBaseUrl ?? listening).replace(/\/+$/, ''),
    );
    if (ctx.realtime instanceof ClusterBus) await ctx.realtime.start();
    for (const p of checkSecurityFilters(db, app)) {
      fastify.log.warn(`${p.path} ${p.message}: reads of that object answer 500 until it is fixed`);
    }
    for (const line of queries.problems) fastify.log.warn(line);
    actions = ctx.actions;
    await ctx.users.seed();
    const objects = new ObjectService(ctx);
    const jobs = new JobScheduler(ctx, objects);

    await fastify.register(cors, corsPolicy.restOptions());
    await fastify.register(formbody, { bodyLimit: BODY_LIMIT });
    installErrorHandling(fastify);
    installQueryCredentials(fastify);
    registerAuthRoutes(fastify, ctx, objects);
    registerRegisterUserRoute(fastify, ctx);
    // Action routes first: their static "action" segment wins over an object name.
    const routes = [
      ...actionRoutes(ctx, objects, queries),
      ...jobRoutes(ctx, jobs),
      ...objectRoutes(ctx, objects),
    ];
    registerApiRoutes(fastify, routes);
    const log = fastify.log;
    registerBulkRoutes(
      fastify,
      routes,
      (err) => log.error({ err }, 'bulk request failed'),
      async (headers) => {
        try {
          return (await ctx.resolver.fromHeaders(headers)).kind !== 'anonymous';
        } catch {
          return false;
        }
      },
    );
    await registerFileDownloads(fastify, ctx);
    if (options.console !== false) {
      const dir = options.consoleDir ?? defaultConsoleDir();
      // With --redis the console shows this node's sockets and the events this node sends.
      const hub = ctx.realtime instanceof ClusterBus ? ctx.realtime.hub : ctx.realtime;
      if (hub instanceof RealtimeHub) {
        await registerConsole(fastify, ctx, hub, io, corsPolicy.socketOptions(), dir);
      }
    }
    await registerStatic(fastify, options.staticDir);

    fastify.addHook('preClose', (done) => {
      // Open sockets would keep the HTTP server from closing. Their transports close (no
      // server-side "disconnect" packet), so clients reconnect when the server comes back. Closing the transports (not
      // disconnectSockets, whose DISCONNECT packet means "kicked: do not come back") lets
      // clients reconnect on their own when the server restarts.
      io.engine.close();
      // Requests in flight (an action running) keep their keep-alive connection open after they
      // are answered, and the HTTP server waits for it: close each one as soon as it is idle.
      const http = fastify!.server;
      const reaper = setInterval(() => http.closeIdleConnections(), 100).unref();
      http.once('close', () => clearInterval(reaper));
      done();
    });
    await fastify.listen({ port: options.port ?? 4000, host: options.host ?? '127.0.0.1' });
    const address = fastify.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? 4000);
    const host = options.host ?? '127.0.0.1';
    const urlHost =
      host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    const url = `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`;
    listening = url;
    fastify.log.info(
      options.smtpUrl
        ? `mail goes through ${redact(options.smtpUrl)}`
        : `no SMTP server configured (--smtp-url): mails are written to ${mailer.destination}`,
    );
    const server = fastify;
    jobs.start(url);
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      app,
      routes: registered,
      close: () =>
        (closing ??= (async () => {
          try {
            // No new job runs; those in flight and the requests in flight finish first (their
            // actions included), then the workers end.
            await jobs.stop();
            await server.close();
          } finally {
            if (ctx.realtime instanceof ClusterBus) ctx.realtime.stop();
            await closeCluster(io, redis);
            await actions?.close();
            mailer?.close();
            closeDatabase(db);
            files.dispose();
          }
        })()),
    };
  } catch (err) {
    await fastify?.close().catch(() => undefined);
    await redis?.close();
    await actions?.close();
    mailer?.close();
    closeDatabase(db);
    files.dispose();
    throw err;
  }
}

async function createContext(
  db: Db,
  app: AppDefinition,
  io: SocketServer,
  fastify: FastifyInstance,
  files: FileStore,
  mailer: Mailer,
  redis: RedisLink | undefined,
  linkBase: () => string,
): Promise<AppContext> {
  const secret = signingSecret(db, app.secret);
  const tokens = new AccessTokens(secret, app.tokenTtlSeconds);
  const users = new UserStore(db, app);
  const resolver = new IdentityResolver(app, tokens, users);
  const limits = app.signInLimits;
  const windowMs = limits.windowSeconds * 1000;
  const hashing = new HashQueue(
    limits.maxConcurrentHashes ?? defaultHashConcurrency(),
    limits.maxQueuedHashes,
  );
  const hub = new RealtimeHub(io, app, resolver, db);
  hub.audience = new RowAudience(io, app, db);
  const realtime = redis
    ? new ClusterBus(io, hub, (id) => users.findById(Number(id))?.role, fastify.log)
    : hub;
  return {
    app,
    db,
    users,
    tokens,
    resolver,
    actions: new ActionRunner(
      fastify.log,
      { timeoutMs: app.actionTimeoutMs, memoryLimitMb: app.actionMemoryLimitMb },
      {},
      {
        http: new HttpBridge(app.http),
        email: new EmailBridge(mailer),
        maxRequestsPerRun: app.http.maxRequestsPerRun,
        maxMailsPerRun: app.email.maxPerRun,
      },
    ),
    realtime,
    logger: fastify.log,
    signIn: new SignInGuard(
      {
        perPair: new FailureLimiter(limits.maxFailuresPerUser, windowMs),
        perAddress: new FailureLimiter(limits.maxFailuresPerAddress, windowMs),
        perUser: new FailureLimiter(limits.maxFailuresPerUserAllAddresses, windowMs),
      },
      hashing,
      redis && new SharedFailures(redis.eval, redis.prefix, windowMs),
    ),
    hashing,
    files,
    fileLinks: new FileLinks(secret, app.fileUrlTtlSeconds),
    mailer,
    verification: new EmailVerification(db),
    linkBase,
  };
}

/**
 * Ends a node's part in the cluster once its HTTP server closed: the adapter stops reading the
 * stream, then the Redis connection ends (after the sessions of the closed sockets are saved, so
 * their clients recover on another node).
 */
async function closeCluster(io: SocketServer, redis: RedisLink | undefined): Promise<void> {
  if (!redis) return;
  try {
    await io.of('/').adapter.close();
  } finally {
    await redis.close();
  }
}

/** The default database file: beside the app file, else in the current directory. */
export function defaultDbFile(source: ServerOptions['app'], app: AppDefinition): string {
  if (typeof source === 'string') {
    const file = path.resolve(source);
    return path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.db`);
  }
  return path.resolve(source === undefined ? 'backand-demo.db' : `${app.appName}.db`);
}

/**
 * Mails (without SMTP) and uploads live beside a database file (`<db name>-mail`,
 * `<db name>-files`); with PostgreSQL, in `./<appName>-mail` / `-files` (with several nodes,
 * point `filesDir` at a folder every node reads); an in-memory database gets a temporary folder.
 */
function defaultDataDir(dbFile: string, app: AppDefinition, kind: 'mail' | 'files') {
  if (dbFile === ':memory:' || dbFile === '') return undefined;
  if (isPostgresUrl(dbFile)) return path.resolve(`${app.appName}-${kind}`);
  const file = path.resolve(dbFile);
  return path.join(path.dirname(file), `${path.basename(file, path.extname(file))}-${kind}`);
}
