import type { AppDefinition, AppDefinitionInput } from './app-definition/schema';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** An app definition, or the path of a .json/.js/.ts file; default: the built-in demo app. */
  app?: AppDefinition | AppDefinitionInput | string;
  /** Port to listen on; default 4000; 0 picks a free port. */
  port?: number;
  /** Interface to listen on; default '127.0.0.1'. */
  host?: string;
  /**
   * SQLite file or ':memory:'. Default: `<app file name>.db` next to the app file; for the demo
   * app or a definition object, `./backand-demo.db` / `./<appName>.db` in the current directory.
   * Or a PostgreSQL database, `postgres://user:pass@host:5432/db`, with `?schema=<name>` to keep
   * the app's tables in a schema of their own (made when missing).
   */
  db?: string;
  /** PEM certificate and key: serve HTTPS and WSS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** pino log level; default 'info'. */
  logLevel?: string;
  /** Where log lines (JSON, one a line) go; default stdout. */
  logStream?: { write(line: string): void };
  /**
   * The admin console at `/_console/` and its API under `/api/console/` (only an Admin or the
   * master key gets anything). Default `true`; `false` serves neither.
   */
  console?: boolean;
  /** The built console app; default: the one shipped in the package (`dist/console-app/browser`). */
  consoleDir?: string;
  /** Serve a built single-page app (e.g. dist/demo/browser) from '/'. */
  staticDir?: string;
  /**
   * Where file actions keep uploads (served from `/files/`). Default: `<db name>-files` next to
   * the database file; a temporary folder for ':memory:'.
   */
  filesDir?: string;
  /**
   * Browser origins (`scheme://host[:port]`, e.g. `https://app.example.com`) allowed to call the
   * API and open the socket from their pages: they are reflected in `Access-Control-Allow-Origin`
   * with credentials allowed; others get no CORS headers and their socket handshake is refused.
   * `'*'` allows any origin. Default: any origin (so `ng serve` on :4200 works out of the box);
   * list your app's origins in production. Each entry is checked at start (`TypeError`).
   */
  corsOrigins?: string[];
  /**
   * The SMTP server of the app's mail (sign-up confirmation, password reset, `email.send` in
   * actions): `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. Without
   * it, every mail is written to {@link mailDir} as a `.eml` file and logged.
   */
  smtpUrl?: string;
  /**
   * Where mails go without {@link smtpUrl}. Default: `<db name>-mail` next to the database
   * file; a temporary folder for ':memory:' (its path is logged with each mail).
   */
  mailDir?: string;
  /**
   * **Scale out**: `redis://[user:pass@]host:6379[/db]` (or `rediss://`). Several servers on the
   * same database file with the same Redis serve one app together: a Socket.IO adapter on Redis
   * Streams carries events between them, with the same audience rules on every node, and
   * sign-in limits are counted in Redis. Without it nothing needs Redis.
   */
  redis?: string;
  /** Prefix of every Redis key and channel of this app; default `backand:<appName>:`. */
  redisPrefix?: string;
  /**
   * Reverse proxies (a load balancer such as nginx) whose `X-Forwarded-For`, `X-Forwarded-Proto`
   * and `X-Forwarded-Host` headers are believed: IP addresses, `address/prefix` ranges, or
   * `loopback`, `linklocal`, `uniquelocal`. A request from one of them takes the client's
   * address from `X-Forwarded-For` (the rightmost address not trusted, so clients cannot forge
   * it): sign-in limits per address and the `request.ip` of actions see the client, not the
   * proxy. Default: none (the peer address counts). Each entry is checked at start (`TypeError`).
   */
  trustProxy?: string[];
}

/** A started server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  port: number;
  /** The validated app definition served. */
  app: AppDefinition;
  /**
   * The HTTP routes the server answers, as registered (`{method, url}`, Fastify's URL patterns:
   * `:name` parameters, `*` wildcards), `HEAD` twins of `GET` routes included. The Socket.IO
   * endpoint (`/socket.io/`) is not a route of this list. docs/PROTOCOL.md documents each one.
   */
  routes: ReadonlyArray<{ readonly method: string; readonly url: string }>;
  /**
   * Stops accepting, disconnects sockets, waits for requests in flight (an action at most for its
   * limit), ends the action workers and closes the database.
   */
  close(): Promise<void>;
}
