import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Paths that belong to the API: a miss there is a JSON 404, never the SPA's index.html. */
const API_PATH = /^\/(1|api|token|socket\.io|files)(\/|$)/;

/**
 * Serves a built single-page app from '/', with `index.html` for unknown non-API GETs so that
 * client-side routes load, and uploaded files from `/files/`. Without `staticDir`, unknown paths
 * get a JSON 404.
 */
export async function registerStatic(
  fastify: FastifyInstance,
  staticDir: string | undefined,
  filesDir: string,
): Promise<void> {
  // Files uploaded through file actions. The folder may not exist until the first upload: the
  // plugin's warning about that is silenced (error level in its own context).
  await fastify.register(
    async (child) => {
      await child.register(fastifyStatic, {
        root: filesDir,
        prefix: '/files/',
        decorateReply: false,
        index: false,
        dotfiles: 'deny',
        // Uploads are anyone's content on the app's origin: never rendered or run as a page of
        // it (no stored script through an uploaded .html or .svg), always downloaded.
        setHeaders: (res) => {
          res.setHeader('Content-Disposition', 'attachment');
          res.setHeader('X-Content-Type-Options', 'nosniff');
          res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
        },
      });
    },
    { logLevel: 'error' },
  );
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
