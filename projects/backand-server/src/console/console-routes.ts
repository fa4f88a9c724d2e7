import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context';
import { HttpError } from '../http/http-error';
import { requireAdmin } from './admin-only';
import { summarizeApp } from './app-summary';
import { parseConsoleEmit, sendConsoleEmit } from './console-emit';
import type { ConsoleTap } from './event-tap';

/**
 * The console's API, under `/api/console/`. Every route but `meta` answers only an admin (the
 * `Admin` role or the master key): 401 without valid credentials, 403 for anyone else, before
 * anything is read. Nothing answered holds a token, a password or a hash.
 *
 * - `GET meta` (public): `{appName}`, what the console page needs to sign in.
 * - `GET me`: the admin `{kind, username, role}`.
 * - `GET app`: the app definition without secrets (see `app-summary.ts`).
 * - `GET sockets`: this node's app sockets `{node, sockets}`.
 * - `POST users/:id/signout`: ends every session of a user, and their sockets' audiences.
 * - `POST emit`: a test `emitAll`/`emitRole`/`emitUsers`; answers `{delivered}` (this node).
 */
export function registerConsoleRoutes(
  fastify: FastifyInstance,
  ctx: AppContext,
  tap: ConsoleTap,
): void {
  fastify.get('/api/console/meta', async () => ({ appName: ctx.app.appName }));

  fastify.get('/api/console/me', async (request) => {
    const identity = await requireAdmin(ctx, request.headers);
    return { kind: identity.kind, username: identity.username, role: identity.role };
  });

  fastify.get('/api/console/app', async (request) => {
    await requireAdmin(ctx, request.headers);
    return summarizeApp(ctx.app);
  });

  fastify.get('/api/console/sockets', async (request) => {
    await requireAdmin(ctx, request.headers);
    return tap.snapshot();
  });

  fastify.post<{ Params: { id: string } }>('/api/console/users/:id/signout', async (request) => {
    await requireAdmin(ctx, request.headers);
    const id = Number(request.params.id);
    const user = Number.isSafeInteger(id) && id > 0 ? ctx.users.findById(id) : undefined;
    if (!user) throw new HttpError(404, `No user ${JSON.stringify(request.params.id)}`);
    const revoked = ctx.users.revokeSessions(user.id);
    ctx.realtime.recheckUser(user.id);
    return { username: user.email, revoked };
  });

  fastify.post('/api/console/emit', async (request) => {
    await requireAdmin(ctx, request.headers);
    const emit = parseConsoleEmit(request.body);
    const delivered = tap.sendAndCount(() => sendConsoleEmit(ctx.realtime, emit));
    return { event: emit.event, delivered };
  });
}
