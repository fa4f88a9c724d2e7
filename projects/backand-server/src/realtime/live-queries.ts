import type { Server, Socket } from 'socket.io';
import type { AppDefinition } from '../app-definition/schema';
import type { Viewer } from '../objects/nosql/nosql-scope';
import { bypassesFilters } from '../objects/security-filter';
import { canonicalUsername } from '../auth/username';
import { HttpError } from '../http/http-error';
import { accessForRole } from '../objects/permissions';
import type { Db } from '../storage/database';
import { StatementCache } from '../storage/statement-cache';
import { parseLiveQuery } from './live-query-request';
import { LiveQuery, type LiveChange } from './live-query';
import type { SavedIdentity } from './user-sockets';

/** **(ext)** Socket event names of live queries. */
export const LIVE_QUERY_EVENTS = {
  subscribe: 'liveQuery',
  unsubscribe: 'liveQuery:unsubscribe',
  delta: 'liveQuery:delta',
} as const;

/**
 * How many live queries one socket may hold, how many distinct ones the server keeps, and how
 * many of those guests may bring in (guests hold the public anonymous token and any number of
 * sockets: without their own share they could take the whole budget from signed-in users).
 */
export interface LiveQueryLimits {
  perSocket: number;
  distinct: number;
  guestDistinct: number;
}

/** The default {@link LiveQueryLimits}. */
export const DEFAULT_LIVE_QUERY_LIMITS: LiveQueryLimits = {
  perSocket: 32,
  distinct: 10_000,
  guestDistinct: 2_500,
};

/** The answer to a subscribe or unsubscribe. */
export type LiveQueryAck =
  | { ok: true; query: string; rows?: Record<string, unknown>[]; pageSize?: number }
  | { ok: false; status: number; error: string };

/**
 * **(ext)** Live queries: sockets subscribe to page 1 of a list; each distinct query (object,
 * filter, search, sort, page size) is kept once per audience of readers (every row, or one
 * user's own rows), matched against every committed write with its own SQL restricted to the
 * written row, and its changes go to the sockets holding it (a room per query).
 *
 * Subscriptions belong to a socket's identity: they end when it changes (login, sign-out, role
 * change, revocation) or the socket disconnects, and clients subscribe again once authorized.
 */
export class LiveQueries {
  private readonly byKey = new Map<string, LiveQuery>();
  private readonly byObject = new Map<string, Set<LiveQuery>>();
  private readonly holders = new Map<LiveQuery, number>();
  /** Distinct queries a guest brought in (counted against `guestDistinct` while held). */
  private readonly guestMade = new Set<LiveQuery>();
  private readonly bySocket = new WeakMap<Socket, Map<LiveQuery, number>>();
  private readonly sql: StatementCache;
  private seq = 0;

  constructor(
    private readonly io: Server,
    private readonly app: AppDefinition,
    db: Db,
    private readonly limits: LiveQueryLimits = DEFAULT_LIVE_QUERY_LIMITS,
  ) {
    this.sql = new StatementCache(db, 2000);
  }

  /** Distinct live queries kept now (for tests and diagnostics). */
  get distinct(): number {
    return this.byKey.size;
  }

  /**
   * Subscribes `socket` (logged in as `identity`) to a live query: the ack carries the window's
   * rows; deltas follow in order. Errors are answered, never thrown.
   */
  subscribe(socket: Socket, identity: SavedIdentity | undefined, payload: unknown): LiveQueryAck {
    try {
      if (!identity) throw new HttpError(401, 'Log in on the socket before subscribing');
      const spec = parseLiveQuery(payload);
      const object = Object.prototype.hasOwnProperty.call(this.app.objects, spec.object)
        ? this.app.objects[spec.object]
        : undefined;
      if (!object) throw new HttpError(404, `Unknown object "${spec.object.slice(0, 60)}"`);
      const admin = identity.kind === 'master' || identity.role === 'Admin';
      const access = admin ? 'all' : accessForRole(object, identity.role, 'read');
      if (access === 'none') throw new HttpError(403, `No permission to read "${spec.object}"`);
      const held = this.bySocket.get(socket) ?? new Map<LiveQuery, number>();
      const count = [...held.values()].reduce((a, b) => a + b, 0);
      if (count >= this.limits.perSocket) {
        throw new HttpError(
          429,
          `Too many live queries on this socket (at most ${this.limits.perSocket}); unsubscribe some first`,
        );
      }
      const owner = access === 'own' ? identity.username : undefined;
      const viewer: Viewer = {
        kind: identity.kind,
        username: identity.username,
        role: identity.role,
        userId: identity.userId,
      };
      // A pre-defined filter ({{sys::username}}…) may show each user other rows: one audience each.
      const audience =
        object.predefinedFilter !== undefined && !bypassesFilters(viewer)
          ? `viewer:${JSON.stringify([viewer.kind, viewer.username, viewer.role, viewer.userId])}`
          : owner === undefined
            ? '*'
            : `own:${owner ? canonicalUsername(owner) : ''}`;
      const key = JSON.stringify([
        spec.object,
        audience,
        spec.filter,
        spec.search,
        spec.sort,
        spec.pageSize,
      ]);
      let query = this.byKey.get(key);
      const created = !query;
      // Its holders first learn what entered or left the window since their last delta.
      if (query) this.send(query, query.resync());
      if (!query) {
        if (this.byKey.size >= this.limits.distinct) {
          throw new HttpError(503, 'The server holds too many live queries; try again later');
        }
        if (identity.kind === 'anonymous' && this.guestMade.size >= this.limits.guestDistinct) {
          throw new HttpError(
            503,
            'The server holds too many live queries of guests; sign in, or try again later',
          );
        }
        query = new LiveQuery(`lq${++this.seq}`, key, spec, object, owner, this.sql, {
          app: this.app,
          viewer,
        });
      }
      const rows = query.load();
      this.hold(socket, held, query);
      if (created && identity.kind === 'anonymous') this.guestMade.add(query);
      return { ok: true, query: query.handle, rows, pageSize: spec.pageSize };
    } catch (err) {
      if (err instanceof HttpError) return { ok: false, status: err.status, error: err.message };
      return { ok: false, status: 500, error: 'The live query failed' };
    }
  }

  /** Ends one subscription of `socket` to the query named `handle`. */
  unsubscribe(socket: Socket, payload: unknown): LiveQueryAck {
    const handle =
      payload && typeof payload === 'object'
        ? (payload as Record<string, unknown>)['query']
        : undefined;
    const held = this.bySocket.get(socket);
    const query = held && [...held.keys()].find((q) => q.handle === handle);
    if (!held || !query) {
      return { ok: false, status: 404, error: 'No such live query on this socket' };
    }
    this.release(socket, held, query, 1);
    return { ok: true, query: query.handle };
  }

  /** Ends every subscription of `socket` (its identity changed, or it disconnected). */
  dropSocket(socket: Socket): void {
    const held = this.bySocket.get(socket);
    if (!held) return;
    for (const [query, n] of [...held]) this.release(socket, held, query, n);
    this.bySocket.delete(socket);
  }

  /** Matches a committed write of row `id` of `objectName` and sends each query's changes. */
  onWrite(objectName: string, id: number): void {
    const queries = this.byObject.get(objectName);
    if (!queries) return;
    for (const query of queries) this.send(query, query.onWrite(id));
  }

  /**
   * **(cluster)** Re-reads every live query of this node and sends what changed (see
   * {@link LiveQuery.refresh}): called when another node left the cluster, whose last writes
   * may have been committed without their notice reaching this node. Returns how many queries
   * were refreshed.
   */
  refreshAll(): number {
    let n = 0;
    for (const query of [...this.byKey.values()]) {
      try {
        this.send(query, query.refresh());
        n++;
      } catch {
        // A query that cannot be read now (database busy) keeps its window; the next write
        // matched against it reads it again.
      }
    }
    return n;
  }

  private send(query: LiveQuery, changes: LiveChange[]): void {
    if (!changes.length) return;
    // Local: the window is this process's; another node matches the same write itself.
    this.io.local.to(roomOf(query)).emit(LIVE_QUERY_EVENTS.delta, { query: query.handle, changes });
  }

  private hold(socket: Socket, held: Map<LiveQuery, number>, query: LiveQuery): void {
    if (!this.byKey.has(query.key)) {
      this.byKey.set(query.key, query);
      let set = this.byObject.get(query.spec.object);
      if (!set) this.byObject.set(query.spec.object, (set = new Set()));
      set.add(query);
    }
    this.holders.set(query, (this.holders.get(query) ?? 0) + 1);
    held.set(query, (held.get(query) ?? 0) + 1);
    this.bySocket.set(socket, held);
    void socket.join(roomOf(query));
  }

  private release(socket: Socket, held: Map<LiveQuery, number>, query: LiveQuery, n: number): void {
    const left = (held.get(query) ?? 0) - n;
    if (left > 0) held.set(query, left);
    else {
      held.delete(query);
      void socket.leave(roomOf(query));
    }
    const total = (this.holders.get(query) ?? 0) - n;
    if (total > 0) {
      this.holders.set(query, total);
      return;
    }
    // Nobody holds it any more: it is forgotten (a later subscribe compiles it anew).
    this.holders.delete(query);
    this.guestMade.delete(query);
    this.byKey.delete(query.key);
    const set = this.byObject.get(query.spec.object);
    set?.delete(query);
    if (set && !set.size) this.byObject.delete(query.spec.object);
  }
}

const ROOM_PREFIX = 'live:';

function roomOf(query: LiveQuery): string {
  return `${ROOM_PREFIX}${query.handle}`;
}

/**
 * Takes a socket whose session was restored out of the rooms of live queries it held before:
 * subscriptions live in the node that took them (handles are numbered per node), so a socket
 * restored on another node, or on this one after a restart, subscribes again.
 */
export function leaveLiveQueryRooms(socket: Socket): void {
  for (const room of socket.rooms) if (room.startsWith(ROOM_PREFIX)) void socket.leave(room);
}
