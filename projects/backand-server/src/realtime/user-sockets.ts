import type { Socket } from 'socket.io';
import type { Identity } from '../auth/identity';

/** The identity a socket logged in with, and the session and expiry of a user's token. */
export type SavedIdentity = Pick<Identity, 'kind' | 'username' | 'role' | 'userId'> &
  Pick<Identity, 'sessionId' | 'expiresAt' | 'userTokenId'> & {
    /**
     * The login also carried the app's anonymous token (Backand's browser client always sends
     * it): when the user's credential ends, the socket becomes a guest instead of losing its
     * audience.
     */
    guestFallback?: boolean;
  };

/** What a socket keeps about its login (serializable: restored by connection-state recovery). */
export interface SocketData {
  identity?: SavedIdentity;
}

/** The longest delay `setTimeout` takes; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The sockets logged in as each user, so account changes reach them, and a timer per socket
 * that fires when its token stops working.
 */
export class UserSockets {
  private readonly byUser = new Map<string, Set<Socket>>();
  private readonly expiryTimers = new WeakMap<Socket, NodeJS.Timeout>();

  /** @param expired called for a socket whose token ran out (still holding that identity). */
  constructor(private readonly expired: (socket: Socket) => void) {}

  /** The sockets currently logged in as `userId`. */
  of(userId: string): Socket[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  /** Registers a socket by its saved identity (users only) and arms its expiry timer. */
  track(socket: Socket): void {
    const identity = (socket.data as SocketData).identity;
    if (!identity?.userId || identity.kind !== 'user') return;
    let sockets = this.byUser.get(identity.userId);
    if (!sockets) this.byUser.set(identity.userId, (sockets = new Set()));
    sockets.add(socket);
    if (identity.expiresAt !== undefined) this.armExpiry(socket, identity.expiresAt);
  }

  /** Forgets a socket (call before its saved identity changes, and on disconnect). */
  untrack(socket: Socket): void {
    clearTimeout(this.expiryTimers.get(socket));
    this.expiryTimers.delete(socket);
    const userId = (socket.data as SocketData).identity?.userId;
    const sockets = userId ? this.byUser.get(userId) : undefined;
    if (!sockets || !userId) return;
    sockets.delete(socket);
    if (!sockets.size) this.byUser.delete(userId);
  }

  private armExpiry(socket: Socket, expiresAt: number): void {
    clearTimeout(this.expiryTimers.get(socket));
    const timer = setTimeout(
      () => {
        if ((socket.data as SocketData).identity?.expiresAt !== expiresAt) return;
        if (Date.now() < expiresAt) this.armExpiry(socket, expiresAt);
        else this.expired(socket);
      },
      Math.max(0, Math.min(expiresAt - Date.now(), MAX_TIMER_MS)),
    );
    // Sockets close with the server; a pending expiry must not keep the process alive.
    timer.unref();
    this.expiryTimers.set(socket, timer);
  }
}
