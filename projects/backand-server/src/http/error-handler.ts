import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpError } from './http-error';

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
    if (error instanceof HttpError) {
      return reply.status(error.status).send(error.body());
    }
    const code = (error as { code?: string }).code;
    const status = (error as { statusCode?: number }).statusCode;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return reply
        .status(413)
        .send({ Message: `Request body too large (limit ${BODY_LIMIT} bytes)` });
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply.status(415).send({ Message: `Unsupported Content-Type: ${error.message}` });
    }
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
      const unique = code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
      return reply
        .status(unique ? 409 : 400)
        .send({ Message: unique ? 'A row with this value already exists' : error.message });
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ Message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ Message: 'Internal server error' });
  });
}
