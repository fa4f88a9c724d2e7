import type { FastifyInstance } from 'fastify';
import { matchRoute, type ApiRoute } from './api-route';
import { errorResponse } from './error-handler';
import { HttpError } from './http-error';
import { credentialHeaders } from './query-credentials';

/** The most sub-requests one bulk call may carry. */
export const MAX_BULK = 1000;
/** The most sub-requests one bulk call of a guest (anonymous token) may carry. */
export const MAX_GUEST_BULK = 100;
/**
 * A bulk answer holds at most this multiple of its request's size, or {@link BULK_ANSWER_FLOOR}
 * bytes when that is more: a small request cannot make the server send megabytes.
 */
export const BULK_ANSWER_MULTIPLE = 32;
/** The bytes a bulk answer may always hold, whatever the size of its request. */
export const BULK_ANSWER_FLOOR = 1024 * 1024;

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);
const CREDENTIAL_HEADERS = ['authorization', 'anonymoustoken', 'appname'];

interface BulkEntry {
  method: string;
  pathname: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string>;
  /** The entry's own `Authorization` / `AnonymousToken` (header or query string), if any. */
  credentials: Record<string, string> | undefined;
  body: unknown;
}

/**
 * `POST /1/bulk`: `[{method, url, data, parameters, headers}]`, at most {@link MAX_BULK} when the
 * call's own credentials are a signed-in user's or the master key's, else {@link MAX_GUEST_BULK}.
 * Each entry runs through the same handler as its own request, one after another: with its own
 * credentials when its `headers` (or its URL's query string) carry an `Authorization` or
 * `AnonymousToken` (Backand's "each action hash can accept a different header parameter"),
 * checked exactly as on a request of their own; otherwise with the bulk call's credentials. The answer is `200` with one
 * `{status, body}` per entry, in order; a failing entry does not stop the others. Once the
 * answer has reached its size budget ({@link BULK_ANSWER_MULTIPLE} × the request, at least
 * {@link BULK_ANSWER_FLOOR}), the entries left are not run and answer `413`.
 */
export function registerBulkRoutes(
  fastify: FastifyInstance,
  routes: readonly ApiRoute[],
  logError: (err: unknown) => void,
  signedIn: (headers: Record<string, string>) => Promise<boolean>,
): void {
  fastify.post('/1/bulk', async (request, reply) => {
    const entries = request.body;
    if (!Array.isArray(entries)) {
      throw new HttpError(
        400,
        'The bulk body must be a JSON array of {method, url, data, parameters, headers}',
      );
    }
    if (entries.length > MAX_BULK) {
      throw new HttpError(
        400,
        `A bulk call takes at most ${MAX_BULK} requests, got ${entries.length}`,
      );
    }
    const credentials: Record<string, string> = {};
    for (const name of CREDENTIAL_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') credentials[name] = value;
    }
    // Only a call whose own credentials hold for a user (or the master key) gets the full
    // budget; a guest's, or credentials that do not hold, get a guest's.
    if (entries.length > MAX_GUEST_BULK && !(await signedIn(credentials))) {
      throw new HttpError(
        400,
        `A guest's bulk call takes at most ${MAX_GUEST_BULK} requests, got ${entries.length}`,
      );
    }
    const prepared = entries.map((entry, i) => prepare(entry, i));
    const requestBytes =
      Number(request.headers['content-length']) || Buffer.byteLength(JSON.stringify(entries));
    const budget = Math.max(BULK_ANSWER_FLOOR, BULK_ANSWER_MULTIPLE * requestBytes);
    // The answer is written here, entry by entry, so its size is known as it grows.
    const parts: string[] = [];
    let size = 2;
    const push = (result: { status: number; body: unknown }): void => {
      const json = JSON.stringify(result);
      parts.push(json);
      size += Buffer.byteLength(json) + 1;
    };
    for (const entry of prepared) {
      if (size > budget) {
        push({
          status: 413,
          body: {
            Message: `Not run: the bulk answer reached its limit of ${budget} bytes (${BULK_ANSWER_MULTIPLE} times the request, at least ${BULK_ANSWER_FLOOR}); send the rest in another call`,
          },
        });
        continue;
      }
      const match = matchRoute(routes, entry.method, entry.pathname);
      if (!match) {
        push({
          status: 404,
          body: { Message: `Not found: ${entry.method} ${entry.pathname}` },
        });
        continue;
      }
      try {
        const body = await match.route.handler({
          method: entry.method,
          params: match.params,
          query: entry.query,
          body: entry.body,
          headers: {
            ...entry.headers,
            ...(entry.credentials
              ? { ...pick(credentials, 'appname'), ...entry.credentials }
              : credentials),
          },
          origin: `${request.protocol}://${request.host}`,
          ip: request.ip,
        });
        push({ status: 200, body: body === undefined ? {} : body });
      } catch (err) {
        const response = errorResponse(err);
        if (response.status >= 500) logError(err);
        push(response);
      }
    }
    return reply.type('application/json; charset=utf-8').send(`[${parts.join(',')}]`);
  });
}

function prepare(entry: unknown, i: number): BulkEntry {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new HttpError(
      400,
      `bulk[${i}] must be an object {method, url, data, parameters, headers}`,
    );
  }
  const e = entry as Record<string, unknown>;
  const method = typeof e['method'] === 'string' ? e['method'].toUpperCase() : '';
  if (!METHODS.has(method))
    throw new HttpError(400, `bulk[${i}].method must be GET, POST, PUT or DELETE`);
  if (typeof e['url'] !== 'string' || e['url'] === '')
    throw new HttpError(400, `bulk[${i}].url is required`);
  let url: URL;
  try {
    // Absolute URLs (as Backand clients send them) and relative paths are both accepted.
    url = new URL(e['url'], 'http://bulk.invalid/');
  } catch {
    throw new HttpError(400, `bulk[${i}].url is not a URL`);
  }
  const pathname = url.pathname.startsWith('/1/')
    ? url.pathname
    : `/1/${url.pathname.replace(/^\/+/, '')}`;
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of url.searchParams) query[k] ??= v;
  if (e['parameters'] !== undefined && e['parameters'] !== null) {
    query['parameters'] = JSON.stringify(e['parameters']);
  }
  const headers: Record<string, string> = {};
  const own: Record<string, string> = {};
  if (e['headers'] && typeof e['headers'] === 'object') {
    for (const [name, value] of Object.entries(e['headers'] as Record<string, unknown>)) {
      if (typeof value !== 'string') continue;
      const lower = name.toLowerCase();
      (CREDENTIAL_HEADERS.includes(lower) ? own : headers)[lower] = value;
    }
  }
  Object.assign(own, credentialHeaders(query, own));
  const credentials = own['authorization'] || own['anonymoustoken'] ? own : undefined;
  return {
    method,
    pathname,
    query,
    headers,
    credentials,
    body: method === 'GET' ? undefined : e['data'],
  };
}

function pick(headers: Record<string, string>, name: string): Record<string, string> {
  return headers[name] === undefined ? {} : { [name]: headers[name] };
}
