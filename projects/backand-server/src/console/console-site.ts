import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Where the console page is served. */
export const CONSOLE_PATH = '/_console/';

/**
 * The built console app: `dist/console-app/browser` of the package (beside the compiled
 * server), or of the workspace when the server runs from its sources.
 */
export function defaultConsoleDir(): string | undefined {
  const candidates = [
    path.join(__dirname, '..', 'console-app', 'browser'),
    path.join(__dirname, '..', '..', 'dist', 'console-app', 'browser'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

/**
 * Serves the console page from {@link CONSOLE_PATH} (`/_console` redirects there). The page
 * itself holds no data: everything comes from the admin-only console API. It may not be framed.
 * Without a built console, `/_console/` answers 404 saying how to build it.
 */
export async function registerConsoleSite(
  fastify: FastifyInstance,
  dir: string | undefined,
): Promise<void> {
  fastify.get('/_console', (_request, reply) => reply.redirect(CONSOLE_PATH));
  fastify.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith(CONSOLE_PATH)) return;
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
  });
  // One wildcard route whether or not the console is built: the routes do not depend on a build.
  if (!dir || !existsSync(path.join(dir, 'index.html'))) {
    fastify.get(`${CONSOLE_PATH}*`, (_request, reply) =>
      reply.status(404).send({
        Message:
          'The console is not built: run "npm run build:console" in the ngx-backand workspace',
      }),
    );
    return;
  }
  await fastify.register(fastifyStatic, {
    root: path.resolve(dir),
    prefix: CONSOLE_PATH,
    decorateReply: false,
    wildcard: true,
  });
}
