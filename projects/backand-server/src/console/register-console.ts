import type { FastifyInstance } from 'fastify';
import type { Server, ServerOptions as SocketServerOptions } from 'socket.io';
import type { AppContext } from '../app-context';
import type { RealtimeHub } from '../realtime/realtime-hub';
import { registerConsoleRoutes } from './console-routes';
import { registerConsoleSite } from './console-site';
import { ConsoleTap } from './event-tap';

/**
 * Turns the console on: its page at `/_console/`, its admin-only API under `/api/console/`, and
 * its live socket (see {@link ConsoleTap}), fed by the hub's emit observer.
 */
export async function registerConsole(
  fastify: FastifyInstance,
  ctx: AppContext,
  hub: RealtimeHub,
  io: Server,
  socketOptions: Partial<SocketServerOptions>,
  dir: string | undefined,
): Promise<ConsoleTap> {
  const tap = new ConsoleTap(fastify.server, io, ctx, socketOptions);
  hub.onEmit = tap.observe;
  fastify.addHook('preClose', (done) => {
    tap.close();
    done();
  });
  registerConsoleRoutes(fastify, ctx, tap);
  await registerConsoleSite(fastify, dir);
  return tap;
}
