import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-error';

/** The most sub-requests one bulk call may carry. */
export const MAX_BULK = 1000;

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);
/** Paths a bulk entry may target: objects, actions, queries and functions. */
const ALLOWED = /^\/1\/(objects|query|function)\//;
const CREDENTIAL_HEADERS = ['authorization', 'anonymoustoken', 'appname'];

/**
 * `POST /1/bulk`: `[{method, url, data, parameters, headers}]`. Each entry runs as an ordinary
 * request with the caller's credentials (an entry cannot take another identity). The answer is
 * `200` with one `{status, body}` per entry, in order; entries run one after another.
 */
export function registerBulkRoutes(fastify: FastifyInstance): void {
  fastify.post('/1/bulk', async (request) => {
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
    const prepared = entries.map((entry, i) => prepare(entry, i));
    const results: Array<{ status: number; body: unknown }> = [];
    for (const entry of prepared) {
      const response = await fastify.inject({
        method: entry.method,
        url: entry.url,
        headers: {
          ...entry.headers,
          ...credentials,
          ...(entry.payload !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(entry.payload !== undefined ? { payload: entry.payload } : {}),
      });
      let body: unknown = response.body;
      try {
        body = response.body === '' ? null : JSON.parse(response.body);
      } catch {
        // not JSON: keep the text
      }
      results.push({ status: response.statusCode, body });
    }
    return results;
  });
}

interface PreparedEntry {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

function prepare(entry: unknown, i: number): PreparedEntry {
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
    url = new URL(e['url'], 'http://bulk.invalid/');
  } catch {
    throw new HttpError(400, `bulk[${i}].url is not a URL`);
  }
  if (!url.pathname.startsWith('/')) url = new URL(`/${url.pathname}`, 'http://bulk.invalid/');
  const path = url.pathname.startsWith('/1/')
    ? url.pathname
    : `/1/${url.pathname.replace(/^\/+/, '')}`;
  if (!ALLOWED.test(path)) {
    throw new HttpError(400, `bulk[${i}].url must target /1/objects, /1/query or /1/function`);
  }
  if (e['parameters'] !== undefined && e['parameters'] !== null) {
    url.searchParams.set('parameters', JSON.stringify(e['parameters']));
  }
  const headers: Record<string, string> = {};
  if (e['headers'] && typeof e['headers'] === 'object') {
    for (const [name, value] of Object.entries(e['headers'] as Record<string, unknown>)) {
      if (typeof value === 'string' && !CREDENTIAL_HEADERS.includes(name.toLowerCase())) {
        headers[name.toLowerCase()] = value;
      }
    }
  }
  const data = e['data'];
  return {
    method: method as PreparedEntry['method'],
    url: `${path}${url.search}`,
    headers,
    payload: data === undefined || method === 'GET' ? undefined : JSON.stringify(data),
  };
}
