import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Paths that belong to the API: a miss there is a JSON 404, never the SPA's index.html. */
const API_PATH = /^\/(1|api|token|socket\.io|files|_console)(\/|$)/;

/**
 * Serves a built single-page app from '/', with `index.html` for unknown non-API GETs so that
 * client-side routes load. Without `staticDir`, unknown paths get a JSON 404. (Uploaded files
 * under `/files/` are served by `registerFileDownloads`.)
 */
export async function registerStatic(
  fastify: FastifyInstance,
  staticDir: string | undefined,
): Promise<void> {
  const root = staticDir ? path.resolve(staticDir) : undefined;
  if (root) {
    if (!existsSync(path.join(root, 'index.html'))) {
      throw new Error(`Static directory ${root} has no index.html`);
    }
    await fastify.register(fastifyStatic, { root, prefix: '/', wildcard: false });
  }
  fastify.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (root && request.method === 'GET' && !API_PATH.test(pathname)) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send({ Message: `Not found: ${request.method} ${pathname}` });
  });
}
