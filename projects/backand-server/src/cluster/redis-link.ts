import type { ServerOptions as SocketServerOptions } from 'socket.io';

/** What {@link connectRedis} returns: the Socket.IO adapter and the client shared counters use. */
export interface RedisLink {
  /** The `adapter` option of the Socket.IO server (Redis Streams adapter). */
  adapter: NonNullable<SocketServerOptions['adapter']>;
  /** Runs a Lua script atomically (shared sign-in counters). */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  /** Keys of this deployment start with it (e.g. `backand:demo:`). */
  prefix: string;
  /** Ends the connections (after the Socket.IO server closed). */
  close(): Promise<void>;
}

/** Checks a `--redis` URL: `redis://` or `rediss://` with a host. @throws TypeError */
export function checkRedisUrl(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${label} must be a URL like redis://host:6379, got "${value}"`);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    throw new TypeError(`${label} must be a redis:// or rediss:// URL with a host`);
  }
  return value;
}

/**
 * Connects to Redis (node-redis) and makes the Socket.IO Redis Streams adapter, whose stream,
 * channels and recovery sessions live under `prefix`. The libraries are loaded only here, so a
 * server without `--redis` never loads them.
 *
 * @example
 * const link = await connectRedis('redis://127.0.0.1:6379', 'backand:demo:');
 * const io = new Server(http, { adapter: link.adapter });
 */
export async function connectRedis(
  url: string,
  prefix: string,
  onPublishError: (err: unknown) => void = () => undefined,
): Promise<RedisLink> {
  const { createClient } = await import('redis');
  const { createAdapter } = await import('@socket.io/redis-streams-adapter');
  const client = createClient({ url });
  // node-redis reconnects on its own; an error must not crash the process meanwhile.
  client.on('error', () => undefined);
  await client.connect();
  const adapter = createAdapter(publishingSafely(client, onPublishError), {
    streamName: `${prefix}socket.io`,
    channelPrefix: `${prefix}socket.io`,
    sessionKeyPrefix: `${prefix}sio:session:`,
  });
  return {
    adapter,
    prefix,
    eval: (script, keys, args) => client.eval(script, { keys, arguments: args }),
    close: async () => {
      if (client.isOpen) await client.close().catch(() => undefined);
    },
  };
}

/**
 * The client as the adapter gets it: the adapter sends its pub/sub messages (server-side emits,
 * answers between nodes) without waiting for the result, so a refused PUBLISH (a replica that
 * became read-only in a fail-over, a user without the right) would be an unhandled rejection that
 * ends the process. Here it is reported instead, and the message counts as lost.
 */
function publishingSafely<C extends object>(client: C, onError: (err: unknown) => void): C {
  return new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      if (key !== 'publish' && key !== 'sPublish' && key !== 'spublish') return value.bind(target);
      return (...args: unknown[]) =>
        (value.apply(target, args) as Promise<number>).catch((err: unknown) => {
          onError(err);
          return 0;
        });
    },
  });
}
