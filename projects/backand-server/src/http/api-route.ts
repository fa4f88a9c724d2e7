import type { FastifyInstance, FastifyReply, preParsingAsyncHookHandler } from 'fastify';
import { Transform } from 'node:stream';
import { HttpError } from './http-error';

/** A request as API handlers see it (from Fastify, or from one entry of a bulk call). */
export interface ApiRequest {
  method: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** `protocol://host[:port]` the client used, for URLs in answers. */
  origin: string;
  /** The client's address (absent for the entries of a bulk call). */
  ip?: string;
}

/** One data route of the API: objects, actions, queries, functions. */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify-style path, `:name` for parameters. */
  path: string;
  /** Resolves the JSON response body (sent with status 200). */
  handler: (request: ApiRequest) => Promise<unknown>;
  /** A larger body limit than the server's default (bytes), e.g. for file uploads. */
  bodyLimit?: number;
  /**
   * The limit for one request (at most `bodyLimit`), decided from its path and query before the
   * body is read; a larger body gets 413.
   */
  bodyLimitFor?: (request: Pick<ApiRequest, 'params' | 'query'>) => number;
}

/** Registers data routes with Fastify; every answer is JSON (`undefined` becomes `{}`). */
export function registerApiRoutes(fastify: FastifyInstance, routes: readonly ApiRoute[]): void {
  for (const route of routes) {
    fastify.route({
      method: route.method,
      url: route.path,
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      ...(route.bodyLimitFor ? { preParsing: limitBody(route.bodyLimitFor) } : {}),
      handler: async (request, reply) => {
        const result = await route.handler({
          method: request.method,
          params: request.params as Record<string, string>,
          query: request.query as Record<string, string | undefined>,
          body: request.body,
          headers: request.headers,
          origin: `${request.protocol}://${request.host}`,
          ip: request.ip,
        });
        return sendJson(reply, result);
      },
    });
  }
}

/** A preParsing hook that holds a body to a limit chosen per request. */
function limitBody(limitFor: NonNullable<ApiRoute['bodyLimitFor']>): preParsingAsyncHookHandler {
  return async (request, _reply, payload) => {
    const limit = limitFor({
      params: request.params as Record<string, string>,
      query: request.query as Record<string, string | undefined>,
    });
    const tooLarge = () => new HttpError(413, `Request body too large (limit ${limit} bytes)`);
    if (Number(request.headers['content-length']) > limit) throw tooLarge();
    // A body without a (truthful) length is counted as it arrives.
    let seen = 0;
    return payload.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          seen += chunk.length;
          callback(seen > limit ? tooLarge() : null, chunk);
        },
      }),
    );
  };
}

/**
 * Sends a value as JSON. Fastify would send a bare string as text and `undefined` as an empty
 * body, which Backand clients fail to parse.
 */
export function sendJson(reply: FastifyReply, result: unknown): FastifyReply {
  let text: string;
  try {
    text = result === undefined ? '{}' : (JSON.stringify(result) ?? 'null');
  } catch (err) {
    // Only action code returns arbitrary values (a BigInt, a cycle): its fault, not the server's.
    throw new HttpError(417, 'The result cannot be sent as JSON', {
      reason: err instanceof Error ? err.message : String(err),
    });
  }
  return reply.type('application/json; charset=utf-8').send(text);
}

/**
 * Finds the route for a method and path, in table order (static segments come first in the
 * table, as in Fastify's router). Returns the route and its decoded path parameters.
 */
export function matchRoute(
  routes: readonly ApiRoute[],
  method: string,
  pathname: string,
): { route: ApiRoute; params: Record<string, string> } | undefined {
  const segments = pathname.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((part, i) => {
      const segment = segments[i]!;
      if (part.startsWith(':')) {
        if (segment === '') return false;
        try {
          params[part.slice(1)] = decodeURIComponent(segment);
        } catch {
          return false;
        }
        return true;
      }
      return part === segment;
    });
    if (ok) return { route, params };
  }
  return undefined;
}
