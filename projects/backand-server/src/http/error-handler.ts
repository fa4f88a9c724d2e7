import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpError, RetryLaterError } from './http-error';

/** The deepest nesting of arrays and objects accepted in a JSON body. */
export const MAX_JSON_DEPTH = 64;

/** The largest request body accepted (bytes); larger ones get `413`. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * JSON in, JSON errors out: a lenient JSON body parser (an empty body is no body), and every
 * error answered as `{Message}` with a fitting status (400 malformed JSON, 413 too large, …).
 */
export function installErrorHandling(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_request, body, done) => {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      // Deeper bodies would exhaust the stack of whatever walks them after parsing.
      if (jsonDepth(text) > MAX_JSON_DEPTH) {
        return done(
          new HttpError(400, `JSON body nested too deeply (at most ${MAX_JSON_DEPTH} levels)`),
          undefined,
        );
      }
      try {
        done(null, JSON.parse(text));
      } catch (err) {
        done(
          new HttpError(
            400,
            `Malformed JSON body: ${err instanceof Error ? err.message : String(err)}`,
          ),
          undefined,
        );
      }
    },
  );

  fastify.setErrorHandler((error: FastifyError | HttpError | Error, request, reply) => {
    const { status, body } = errorResponse(error);
    if (error instanceof RetryLaterError) {
      reply.header('Retry-After', String(error.retryAfterSeconds));
    } else if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(body);
  });
}

/**
 * The deepest nesting of `[`/`{` in JSON text (brackets inside strings do not count). Stops
 * counting once past {@link MAX_JSON_DEPTH}.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > MAX_JSON_DEPTH) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** The status and JSON body that answer an error. */
export function errorResponse(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof HttpError) return { status: error.status, body: error.body() };
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    return { status: 413, body: { Message: `Request body too large (limit ${BODY_LIMIT} bytes)` } };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return { status: 415, body: { Message: `Unsupported Content-Type: ${message}` } };
  }
  // SQLite's constraint codes, and PostgreSQL's class 23 (integrity constraint violation).
  if (code?.startsWith('SQLITE_CONSTRAINT') || (code && /^23[0-9A-Z]{3}$/.test(code))) {
    const unique =
      code === 'SQLITE_CONSTRAINT_UNIQUE' ||
      code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
      code === '23505';
    // Name the field, never the value: SQLite's "UNIQUE constraint failed: items.code",
    // PostgreSQL's detail "Key (code)=(…) already exists.".
    const detail = (error as { detail?: unknown }).detail;
    const field = !unique
      ? undefined
      : code === '23505'
        ? /^Key \("?([A-Za-z0-9_]+)"?\)=/.exec(typeof detail === 'string' ? detail : '')?.[1]
        : /constraint failed: [^.\s]+\.([A-Za-z0-9_]+)/.exec(message)?.[1];
    return {
      status: unique ? 409 : 400,
      body: unique
        ? field && field !== 'id'
          ? { Message: `A row with this value of "${field}" already exists`, field }
          : { Message: 'A row with this value already exists' }
        : { Message: message },
    };
  }
  // PostgreSQL's class 22 (data exception): a value the column's type cannot hold (text for a
  // number, a NUL character, a number out of range), as bound from the request.
  if (code && /^22[0-9A-Z]{3}$/.test(code)) {
    return { status: 400, body: { Message: `Invalid value: ${message}` } };
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, body: { Message: message } };
  }
  return { status: 500, body: { Message: 'Internal server error' } };
}
