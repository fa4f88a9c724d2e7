import { InjectionToken } from '@angular/core';

/**
 * The part of a Socket.IO client socket the SDK uses. `socket.io-client`'s `Socket` fits;
 * `ngx-backand/testing` provides a fake one. Internal.
 *
 * @example
 * const socket: _BackandSocketLike = io('http://localhost:4000', { autoConnect: false });
 */
export interface _BackandSocketLike {
  readonly connected: boolean;
  /** `false` once the socket gave up reconnecting (socket.io-client's `active`). */
  readonly active?: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, listener?: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

/**
 * Creates the (not yet connected) socket for a URL. Internal: overridden by
 * `provideBackandTesting()`; the default loads `socket.io-client` on first use only.
 *
 * @example
 * const factory: _BackandSocketFactory = async (url) => io(url, { autoConnect: false });
 */
export type _BackandSocketFactory = (url: string) => Promise<_BackandSocketLike>;

/**
 * The socket factory. Internal (used by `ngx-backand/testing`); not part of the supported API.
 *
 * @example
 * { provide: _BACKAND_SOCKET_FACTORY, useValue: (url: string) => fake._create(url) }
 */
export const _BACKAND_SOCKET_FACTORY = new InjectionToken<_BackandSocketFactory>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'ngx-backand _BACKAND_SOCKET_FACTORY' : '',
  { providedIn: 'root', factory: () => loadSocketIo },
);

async function loadSocketIo(url: string): Promise<_BackandSocketLike> {
  // The server build of an Angular app defines `ngServerMode` as `true`: this branch is then the
  // only code left and the bundler never sees the import below, so server bundles carry no
  // Socket.IO (nor its Node-only CommonJS dependencies). Nothing connects on the server anyway.
  if (typeof ngServerMode !== 'undefined' && ngServerMode) {
    throw new Error('ngx-backand: no realtime socket on the server platform.');
  } else {
    return createSocket(url, (await import('socket.io-client')).io);
  }
}

/** The socket of `socketUrl` (loaded on the first connect, so apps that never listen don't ship Socket.IO). */
function createSocket(url: string, io: typeof import('socket.io-client').io): _BackandSocketLike {
  // Reconnection per docs/PROTOCOL.md §10.1: 1 s rising to 5 s, unlimited attempts.
  // A path in socketUrl is where the server is mounted, not a Socket.IO namespace.
  const parsed = new URL(url);
  const base = parsed.pathname.replace(/\/+$/, '');
  return io(parsed.origin, {
    path: `${base}/socket.io`,
    autoConnect: false,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    reconnectionAttempts: Infinity,
    // WebSocket first (no long-polling round trips), polling when a proxy blocks WebSocket.
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
  });
}
