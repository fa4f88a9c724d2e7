import type { FastifyCorsOptions } from '@fastify/cors';
import type { IncomingMessage } from 'node:http';
import type { ServerOptions as SocketServerOptions } from 'socket.io';

/** Every method the API answers; a preflight allows all of them (no route uses PATCH). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'];

/** Response headers that clients read beyond the CORS-safelisted ones. */
const EXPOSED_HEADERS = ['Retry-After', 'Content-Disposition'];

/**
 * How long (seconds) a browser may reuse a preflight answer. Ten minutes: few repeated
 * preflights, and an operator who narrows the allowed origins sees it applied soon after.
 */
export const PREFLIGHT_MAX_AGE = 600;

/** `scheme://host[:port]`: no user info, path, query or fragment, no trailing slash. */
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]+$/i;

/**
 * Checks one configured origin and returns it as browsers send it in the `Origin` header
 * (lower case, default port dropped), or `*` for any origin.
 *
 * @param source how the value was given (`--cors-origin`, `corsOrigins`), for the message
 * @throws TypeError naming the value when it is not an origin
 *
 * @example
 * parseCorsOrigin('https://App.example.com:443'); // 'https://app.example.com'
 * parseCorsOrigin('http://localhost:4200/');     // throws: not an origin (trailing slash)
 */
export function parseCorsOrigin(value: string, source = 'corsOrigins'): string {
  if (value === '*') return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !ORIGIN_SHAPE.test(value) || !url.hostname || url.hostname.includes('*')) {
    const hint = value.includes(',')
      ? ` (give one origin per ${source === 'corsOrigins' ? 'array entry' : source})`
      : '';
    throw new TypeError(
      `${source}: "${value}" is not an origin${hint}: write scheme://host[:port] without a path ` +
        'or a trailing slash (e.g. https://app.example.com or http://localhost:4200), ' +
        'or * for any origin',
    );
  }
  // Special schemes serialise like the Origin header; others (capacitor://…) keep scheme + host.
  return url.origin !== 'null' ? url.origin : `${url.protocol}//${url.host}`.toLowerCase();
}

/**
 * Which browser origins may use the API and the socket, and the CORS settings derived from
 * that for Fastify (REST) and Socket.IO, so both always agree.
 *
 * An allowed origin is reflected with `Access-Control-Allow-Credentials: true` (never `*` with
 * credentials). Auth is by header tokens and the server sets no cookies, so reflecting an origin
 * grants it nothing a page could not already do with the tokens it holds.
 *
 * @example
 * const cors = CorsPolicy.from(['https://app.example.com']);
 * await fastify.register(fastifyCors, cors.restOptions());
 * const io = new Server(httpServer, { ...cors.socketOptions() });
 */
export class CorsPolicy {
  private constructor(private readonly origins: ReadonlySet<string> | 'any') {}

  /**
   * The policy of `ServerOptions.corsOrigins`: absent = any origin; otherwise exactly those
   * (`*` among them = any). Each entry is checked with {@link parseCorsOrigin}.
   */
  static from(origins: readonly string[] | undefined, source = 'corsOrigins'): CorsPolicy {
    if (origins === undefined) return new CorsPolicy('any');
    const parsed = origins.map((origin) => parseCorsOrigin(origin, source));
    return new CorsPolicy(parsed.includes('*') ? 'any' : new Set(parsed));
  }

  /** The allowed origins, or `'any'`. */
  get allowed(): readonly string[] | 'any' {
    return this.origins === 'any' ? 'any' : [...this.origins];
  }

  /** Whether a page of `origin` (the `Origin` request header) may use the API. */
  allows(origin: string): boolean {
    return this.origins === 'any' || this.origins.has(origin);
  }

  /** Options of `@fastify/cors` for the REST API and the file downloads. */
  restOptions(): FastifyCorsOptions {
    return { ...this.corsOptions(), hook: 'onRequest' };
  }

  /**
   * Socket.IO server options: the same CORS answers for long-polling, and the handshake refused
   * to disallowed origins. WebSocket is outside CORS (a browser opens one to any origin), so
   * `allowRequest` checks the `Origin` of every handshake, whatever the transport.
   */
  socketOptions(): Pick<SocketServerOptions, 'cors' | 'allowRequest' | 'cookie'> {
    return {
      cors: this.corsOptions(),
      allowRequest: (req, callback) => {
        const allowed = this.allowsHandshake(req);
        callback(allowed ? null : 'origin not allowed', allowed);
      },
      // No sticky-session cookie: nothing ambient for a cross-origin page to ride on.
      cookie: false,
    };
  }

  private corsOptions() {
    return {
      // A request without Origin (curl, a server, a same-origin GET) needs no CORS headers.
      origin: (origin: string | undefined, callback: (err: Error | null, allow: boolean) => void) =>
        callback(null, origin !== undefined && this.allows(origin)),
      credentials: true,
      methods: METHODS,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE,
      // allowedHeaders unset: the requested headers (Authorization, AnonymousToken, AppName,
      // SignUpToken, Content-Type, …) are reflected.
    };
  }

  /**
   * No `Origin` is not a browser (Node clients, old SDKs on a server); a page of the server's
   * own origin (the app served with `--static`) is always welcome, even when not listed.
   */
  private allowsHandshake(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined || this.allows(origin)) return true;
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      return false;
    }
    return host !== '' && host === req.headers.host?.toLowerCase();
  }
}
