import type { Server, Socket } from 'socket.io';
import type { AppDefinition, ObjectDefinition } from '../app-definition/schema';
import type { Identity, IdentityResolver } from '../auth/identity';
import type { EmitTarget } from '../actions/pending-emits';
import { accessForRole } from '../objects/permissions';
import { eventRow } from '../objects/rows';
import type { Db } from '../storage/database';
import type { EmitObserver } from './emitted-event';
import {
  LIVE_QUERY_EVENTS,
  LiveQueries,
  leaveLiveQueryRooms,
  type LiveQueryLimits,
} from './live-queries';
import { AppRooms } from './rooms';
import type { RowAudience } from './row-audience';
import { UserSockets, type SavedIdentity, type SocketData } from './user-sockets';

/**
 * **(ext)** The argument of an `authorized` / `notAuthorized` that answers no `login` (the account
 * behind the socket changed): clients that count answers to their logins skip it.
 */
const UNSOLICITED = { reason: 'accountChanged' } as const;

/**
 * **(ext)** Why a `login` was refused, the argument of the `notAuthorized` that answers it:
 * `code` is machine-readable, `message` is for people. Clients that ignore the argument see the
 * same event as before. (Not `reason`: that key marks the unsolicited notice above.)
 */
export interface LoginRefusal {
  readonly code: 'appName' | 'token' | 'anonymousToken' | 'credentials' | 'noCredentials' | 'error';
  readonly message: string;
}

const refusal = (code: LoginRefusal['code'], message: string): LoginRefusal => ({ code, message });

/**
 * **(ext)** The argument of the `authorized` that tells a socket its user's credential ended and
 * it now listens as a guest (its login carried the anonymous token too). Answers no `login`.
 */
const FELL_BACK_TO_GUEST = { reason: 'sessionEnded', guest: true } as const;

/** How long a socket that failed `login` stays connected, so it can read `notAuthorized`. */
const NOT_AUTHORIZED_GRACE_MS = 1000;

/**
 * The realtime side of an app: `login` handling, audiences (app, role, user rooms), action emits
 * and the automatic `<object>.created|updated|deleted` events.
 */
export class RealtimeHub implements EmitTarget {
  private readonly rooms: AppRooms;
  /**
   * Roles to consider for row events: those the definition names and every role that has
   * logged in since start (kept after disconnects so recovering sockets get what they missed).
   */
  private readonly roles = new Set<string>();
  private readonly kickTimers = new WeakMap<Socket, NodeJS.Timeout>();
  /** The logins of each socket, handled one after the other so each gets its answer in order. */
  private readonly logins = new WeakMap<Socket, Promise<void>>();
  /** Sockets logged in as each user, for re-checks after account changes and token expiry. */
  private readonly userSockets = new UserSockets((socket) => this.revoke(socket));
  /** **(ext)** Live queries of the sockets (see `live-queries.ts`). */
  readonly liveQueries: LiveQueries;
  /** Narrows automatic events of objects with a pre-defined filter to the users it shows. */
  audience?: RowAudience;
  /**
   * **(cluster)** Makes a role known to every node before a socket joins its rooms (see
   * `cluster-bus.ts`); unset on a single node.
   */
  shareRole?: (role: string) => Promise<void>;
  /** **(ext)** Told of every app event sent (the console's event tap). */
  onEmit?: EmitObserver;

  constructor(
    private readonly io: Server,
    private readonly app: AppDefinition,
    private readonly resolver: IdentityResolver,
    db: Db,
    liveQueryLimits?: LiveQueryLimits,
  ) {
    this.liveQueries = new LiveQueries(io, app, db, liveQueryLimits);
    this.rooms = new AppRooms(app.appName);
    this.roles.add(app.anonymousRole).add(app.signUpRole);
    for (const user of app.users) this.roles.add(user.role);
    for (const object of Object.values(app.objects)) {
      for (const role of Object.keys(object.permissions ?? {}))
        if (role !== '*') this.roles.add(role);
    }
    this.guardRecovery();
    io.on('connection', (socket) => this.onConnection(socket));
  }

  /**
   * Re-checks the sockets logged in as a user, after a sign-out, a deletion, a role, username or
   * password change. A socket whose session is no longer live leaves its audiences and gets
   * `notAuthorized`; one whose user now has another role or username moves to the new audiences
   * and gets `authorized` again (clients reload what they show).
   */
  recheckUser(userId: number | string): void {
    for (const socket of this.userSockets.of(String(userId))) {
      const saved = (socket.data as SocketData).identity;
      if (!saved?.userId || !hasCredential(saved)) continue;
      const current = this.resolver.currentUser(saved);
      if (!current) this.revoke(socket);
      else if (current.role !== saved.role || current.username !== saved.username) {
        this.enter(socket, { ...saved, ...current });
        socket.emit('authorized', UNSOLICITED);
      }
    }
  }

  /** Sends to every authorized socket of the app, whatever its role or data security. */
  emitAll(event: string, data: unknown): void {
    this.io.to(this.rooms.all).emit(event, wireData(data));
    this.onEmit?.({ event, data, kind: 'all', audience: 'all', rooms: [this.rooms.all] });
  }

  /** Sends to every authorized socket whose user has `role`. */
  emitRole(event: string, data: unknown, role: string): void {
    this.io.to(this.rooms.role(role)).emit(event, wireData(data));
    this.onEmit?.({
      event,
      data,
      kind: 'role',
      audience: `role ${role}`,
      rooms: [this.rooms.role(role)],
    });
  }

  /** Sends to every authorized socket of the named users (usernames are emails). */
  emitUsers(event: string, data: unknown, users: readonly string[]): void {
    const rooms = users
      .filter((u) => typeof u === 'string' && u !== '')
      .map((u) => this.rooms.user(u));
    // An empty room list would mean "everyone" to Socket.IO.
    if (rooms.length) this.io.to(rooms).emit(event, wireData(data));
    this.onEmit?.({ event, data, kind: 'users', audience: `users ${users.join(', ')}`, rooms });
  }

  /**
   * Announces a committed write to the sockets whose user may read the row: roles with read
   * "all" get it, roles with read "own" only when the row is theirs.
   */
  emitRowEvent(
    objectName: string,
    event: 'created' | 'updated' | 'deleted',
    id: number,
    row: Record<string, unknown>,
    before?: Record<string, unknown>,
  ): void {
    row = eventRow(row);
    // Live queries hold rows of any object (their readers could list it through REST).
    this.liveQueries.onWrite(objectName, id);
    const object = this.app.objects[objectName];
    if (!object?.realtime) return;
    const rooms = this.readers(object, row);
    if (this.audience?.filtered(objectName)) {
      const was = before && { row: before, rooms: this.readers(object, before) };
      return this.audience.emit(objectName, event, id, row, rooms, was);
    }
    if (before) {
      // Sockets that could read the old row but not the new one (its owner changed) must drop
      // it: they get `deleted`. Sockets that gain sight of it get `updated`, like the others.
      const lost = this.readers(object, before);
      if (lost.length) {
        const gone = { id: String(id), objectName, event: 'deleted' };
        (rooms.length ? this.io.to(lost).except(rooms) : this.io.to(lost)).emit(
          `${objectName}.deleted`,
          gone,
        );
        const audience = `former readers of ${objectName} ${id}`;
        this.onEmit?.({
          event: `${objectName}.deleted`,
          data: gone,
          kind: 'row',
          audience,
          rooms: lost,
          except: rooms,
        });
      }
    }
    if (!rooms.length) return;
    const data: Record<string, unknown> = { id: String(id), objectName, event };
    if (event !== 'deleted') data['row'] = row;
    this.io.to(rooms).emit(`${objectName}.${event}`, data);
    const audience = `readers of ${objectName} ${id}`;
    this.onEmit?.({ event: `${objectName}.${event}`, data, kind: 'row', audience, rooms });
  }

  /**
   * **(cluster)** A write committed on another node: matched against this node's live queries
   * and, for objects with a pre-defined filter, this node's sockets (the row as written, not as
   * it may be by now). Other automatic events already came through the adapter's rooms.
   */
  onRemoteRowEvent(
    objectName: string,
    event: 'created' | 'updated' | 'deleted',
    id: number,
    row: Record<string, unknown>,
    before?: Record<string, unknown>,
  ): void {
    this.liveQueries.onWrite(objectName, id);
    const object = this.app.objects[objectName];
    if (!object?.realtime || !this.audience?.filtered(objectName)) return;
    row = eventRow(row);
    const was = before && { row: before, rooms: this.readers(object, before) };
    this.audience.emit(objectName, event, id, row, this.readers(object, row), was, true);
  }

  /** **(cluster)** Counts a role that sockets of another node have among the audiences. */
  knowRole(role: string): void {
    this.roles.add(role);
  }

  /** **(cluster)** The roles this node considers for automatic events. */
  knownRoles(): string[] {
    return [...this.roles];
  }

  /** The rooms of the sockets that may read `row`. */
  private readers(object: ObjectDefinition, row: Record<string, unknown>): string[] {
    const rooms: string[] = [];
    const owner = object.ownerField ? row[object.ownerField] : undefined;
    for (const role of this.roles) {
      const access = accessForRole(object, role, 'read');
      if (access === 'all') rooms.push(this.rooms.role(role));
      else if (access === 'own' && typeof owner === 'string' && owner !== '') {
        rooms.push(this.rooms.roleUser(role, owner));
      }
    }
    return rooms;
  }

  private onConnection(socket: Socket): void {
    socket.on('login', (token: unknown, anonymousToken: unknown, appName: unknown) => {
      // One answer per login, in the order they came, so a client can match answers to logins.
      // Kept beside the socket, not in socket.data: that is saved in Redis for connection-state
      // recovery, and a promise does not survive the trip to another node.
      const chain = (this.logins.get(socket) ?? Promise.resolve())
        .then(() => this.login(socket, token, anonymousToken, appName))
        .catch(() => {
          if (socket.connected) socket.emit('notAuthorized', refusal('error', 'login failed'));
        });
      this.logins.set(socket, chain);
    });
    socket.on(LIVE_QUERY_EVENTS.subscribe, (payload: unknown, ack: unknown) => {
      // Without an ack function there is nowhere to send the rows: ignored.
      if (typeof ack !== 'function') return;
      const identity = (socket.data as SocketData).identity;
      (ack as (answer: unknown) => void)(this.liveQueries.subscribe(socket, identity, payload));
    });
    socket.on(LIVE_QUERY_EVENTS.unsubscribe, (payload: unknown, ack: unknown) => {
      const answer = this.liveQueries.unsubscribe(socket, payload);
      if (typeof ack === 'function') (ack as (answer: unknown) => void)(answer);
    });
    socket.on('disconnect', () => {
      clearTimeout(this.kickTimers.get(socket));
      this.userSockets.untrack(socket);
      this.liveQueries.dropSocket(socket);
    });
    // A recovered socket passed guardRecovery: its identity is still good; its live queries
    // are not (they were the node's it left).
    if (socket.recovered) {
      this.userSockets.track(socket);
      leaveLiveQueryRooms(socket);
    }
  }

  /**
   * Connection-state recovery replays missed events as soon as a session is restored, before
   * any handler runs. So a session whose user was signed out, deleted or changed, or whose token
   * expired, is not restored: the client gets a fresh socket and logs in again.
   */
  private guardRecovery(): void {
    const adapter = this.io.of('/').adapter;
    const restore = adapter.restoreSession.bind(adapter);
    adapter.restoreSession = async (pid, offset) => {
      const session = await restore(pid, offset);
      return session && this.stillValid(session.data as SocketData)
        ? session
        : (null as unknown as typeof session);
    };
  }

  private stillValid(data: SocketData | undefined): boolean {
    const saved = data?.identity;
    if (!saved || saved.kind !== 'user') return true;
    if (!saved.userId || !hasCredential(saved)) return false;
    if (saved.expiresAt !== undefined && saved.expiresAt <= Date.now()) return false;
    const current = this.resolver.currentUser(saved);
    return current !== null && current.role === saved.role && current.username === saved.username;
  }

  private async login(
    socket: Socket,
    token: unknown,
    anonymousToken: unknown,
    appName: unknown,
  ): Promise<void> {
    let found: Login | LoginRefusal;
    try {
      found = await this.identify(token, anonymousToken, appName);
    } catch {
      // Basic credentials that do not hold throw, like their REST counterpart.
      found = refusal('credentials', 'invalid credentials');
    }
    if (socket.disconnected) return;
    this.leaveAudience(socket);
    if ('code' in found) {
      socket.emit('notAuthorized', found);
      clearTimeout(this.kickTimers.get(socket));
      this.kickTimers.set(
        socket,
        setTimeout(() => socket.disconnect(true), NOT_AUTHORIZED_GRACE_MS),
      );
      return;
    }
    clearTimeout(this.kickTimers.get(socket));
    const { identity } = found;
    const saved: SavedIdentity = {
      kind: identity.kind,
      username: identity.username,
      role: identity.role,
      userId: identity.userId,
    };
    if (identity.sessionId !== undefined) saved.sessionId = identity.sessionId;
    if (identity.expiresAt !== undefined) saved.expiresAt = identity.expiresAt;
    if (identity.userTokenId !== undefined) saved.userTokenId = identity.userTokenId;
    if (identity.kind === 'user' && found.guestFallback) saved.guestFallback = true;
    if (this.shareRole && !this.roles.has(saved.role)) {
      // Writes on other nodes must count this role before the socket hears `authorized`.
      await this.shareRole(saved.role);
      if (socket.disconnected) return;
    }
    this.enter(socket, saved);
    socket.emit('authorized');
  }

  /** Puts a socket in the audiences of `identity` (and only those). */
  private enter(socket: Socket, identity: SavedIdentity): void {
    this.leaveAudience(socket);
    (socket.data as SocketData).identity = identity;
    this.roles.add(identity.role);
    const rooms = [this.rooms.all, this.rooms.role(identity.role)];
    if (identity.username) {
      rooms.push(
        this.rooms.user(identity.username),
        this.rooms.roleUser(identity.role, identity.username),
      );
    }
    socket.join(rooms);
    this.userSockets.track(socket);
  }

  /**
   * Takes a socket out of every audience and tells it `notAuthorized`. It stays connected, so
   * the client can log in again on it (with a refreshed token, or as a guest). A socket whose
   * login also carried the anonymous token becomes a guest instead, and is told so.
   */
  private revoke(socket: Socket): void {
    const saved = (socket.data as SocketData).identity;
    this.leaveAudience(socket);
    if (saved?.guestFallback) {
      this.enter(socket, guestOf(this.resolver.guest()));
      socket.emit('authorized', FELL_BACK_TO_GUEST);
      return;
    }
    socket.emit('notAuthorized', UNSOLICITED);
  }

  /**
   * Who a login is: its token's user (or the master key) when it has a token (a refused token
   * is refused, whatever comes with it), else the guest of a valid anonymous token.
   */
  private async identify(
    token: unknown,
    anonymousToken: unknown,
    appName: unknown,
  ): Promise<Login | LoginRefusal> {
    if (typeof appName !== 'string' || !this.resolver.isThisApp(appName)) {
      // The name the client sent is echoed (it is the client's own), the server's is not.
      return refusal('appName', `unknown app ${JSON.stringify(String(appName).slice(0, 100))}`);
    }
    const guest =
      typeof anonymousToken === 'string' && anonymousToken !== ''
        ? this.resolver.fromAnonymousToken(anonymousToken)
        : null;
    // A token wins over the anonymous token, which Backand clients always send along.
    if (typeof token === 'string' && token.trim() !== '') {
      const identity = await this.fromToken(token.trim());
      return identity
        ? { identity, guestFallback: guest !== null }
        : refusal('token', 'invalid or expired token');
    }
    if (typeof anonymousToken === 'string' && anonymousToken !== '') {
      return guest ? { identity: guest } : refusal('anonymousToken', 'invalid anonymous token');
    }
    return refusal('noCredentials', 'no token and no anonymous token');
  }

  private fromToken(value: string): Promise<Identity | null> {
    const bearer = /^bearer\s+(.+)$/i.exec(value);
    if (bearer) return this.resolver.fromBearer(bearer[1]!, value);
    if (/^basic\s+/i.test(value)) return this.resolver.fromHeaders({ authorization: value });
    return this.resolver.fromBearer(value, `Bearer ${value}`);
  }

  private leaveAudience(socket: Socket): void {
    // Live queries were matched for the old identity: they end with it.
    this.liveQueries.dropSocket(socket);
    this.userSockets.untrack(socket);
    const data = socket.data as SocketData;
    data.identity = undefined;
    for (const room of [...socket.rooms]) if (room !== socket.id) socket.leave(room);
  }
}

/** The outcome of a `login`. */
interface Login {
  identity: Identity;
  /** A user's login that also carried the app's anonymous token. */
  guestFallback?: boolean;
}

function hasCredential(saved: SavedIdentity): boolean {
  return saved.sessionId !== undefined || saved.userTokenId !== undefined;
}

function guestOf(identity: Identity): SavedIdentity {
  return { kind: identity.kind, username: null, role: identity.role, userId: null };
}

/** Backand sends a string that holds JSON as the parsed value. */
export function wireData(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
