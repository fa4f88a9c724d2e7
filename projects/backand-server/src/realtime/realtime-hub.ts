import type { Server, Socket } from 'socket.io';
import type { AppDefinition } from '../app-definition/schema';
import type { Identity, IdentityResolver } from '../auth/identity';
import type { EmitTarget } from '../actions/pending-emits';
import { accessForRole } from '../objects/permissions';
import { AppRooms } from './rooms';

/** What a socket keeps about its login (serializable: restored by connection-state recovery). */
interface SocketData {
  identity?: Pick<Identity, 'kind' | 'username' | 'role' | 'userId'>;
  loginSeq?: number;
}

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

  constructor(
    private readonly io: Server,
    private readonly app: AppDefinition,
    private readonly resolver: IdentityResolver,
  ) {
    this.rooms = new AppRooms(app.appName);
    this.roles.add(app.anonymousRole).add(app.signUpRole);
    for (const user of app.users) this.roles.add(user.role);
    for (const object of Object.values(app.objects)) {
      for (const role of Object.keys(object.permissions ?? {}))
        if (role !== '*') this.roles.add(role);
    }
    io.on('connection', (socket) => this.onConnection(socket));
  }

  /** Sends to every authorized socket of the app, whatever its role or data security. */
  emitAll(event: string, data: unknown): void {
    this.io.to(this.rooms.all).emit(event, wireData(data));
  }

  /** Sends to every authorized socket whose user has `role`. */
  emitRole(event: string, data: unknown, role: string): void {
    this.io.to(this.rooms.role(role)).emit(event, wireData(data));
  }

  /** Sends to every authorized socket of the named users (usernames are emails). */
  emitUsers(event: string, data: unknown, users: readonly string[]): void {
    const rooms = users
      .filter((u) => typeof u === 'string' && u !== '')
      .map((u) => this.rooms.user(u));
    // An empty room list would mean "everyone" to Socket.IO.
    if (rooms.length) this.io.to(rooms).emit(event, wireData(data));
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
  ): void {
    const object = this.app.objects[objectName];
    if (!object?.realtime) return;
    const rooms: string[] = [];
    const owner = object.ownerField ? row[object.ownerField] : undefined;
    for (const role of this.roles) {
      const access = accessForRole(object, role, 'read');
      if (access === 'all') rooms.push(this.rooms.role(role));
      else if (access === 'own' && typeof owner === 'string' && owner !== '') {
        rooms.push(this.rooms.roleUser(role, owner));
      }
    }
    if (!rooms.length) return;
    const data: Record<string, unknown> = { id: String(id), objectName, event };
    if (event !== 'deleted') data['row'] = row;
    this.io.to(rooms).emit(`${objectName}.${event}`, data);
  }

  private onConnection(socket: Socket): void {
    socket.on('login', (token: unknown, anonymousToken: unknown, appName: unknown) => {
      void this.login(socket, token, anonymousToken, appName);
    });
    socket.on('disconnect', () => clearTimeout(this.kickTimers.get(socket)));
  }

  private async login(
    socket: Socket,
    token: unknown,
    anonymousToken: unknown,
    appName: unknown,
  ): Promise<void> {
    const data = socket.data as SocketData;
    const seq = (data.loginSeq ?? 0) + 1;
    data.loginSeq = seq;
    let identity: Identity | null = null;
    try {
      identity = await this.identify(token, anonymousToken, appName);
    } catch {
      identity = null;
    }
    // A later login on the same socket wins over this one.
    if (data.loginSeq !== seq || socket.disconnected) return;
    this.leaveAudience(socket);
    if (!identity) {
      socket.emit('notAuthorized');
      clearTimeout(this.kickTimers.get(socket));
      this.kickTimers.set(
        socket,
        setTimeout(() => socket.disconnect(true), NOT_AUTHORIZED_GRACE_MS),
      );
      return;
    }
    clearTimeout(this.kickTimers.get(socket));
    data.identity = {
      kind: identity.kind,
      username: identity.username,
      role: identity.role,
      userId: identity.userId,
    };
    this.roles.add(identity.role);
    const rooms = [this.rooms.all, this.rooms.role(identity.role)];
    if (identity.username) {
      rooms.push(
        this.rooms.user(identity.username),
        this.rooms.roleUser(identity.role, identity.username),
      );
    }
    socket.join(rooms);
    socket.emit('authorized');
  }

  private async identify(
    token: unknown,
    anonymousToken: unknown,
    appName: unknown,
  ): Promise<Identity | null> {
    if (typeof appName !== 'string' || !this.resolver.isThisApp(appName)) return null;
    // A token wins over the anonymous token, which Backand clients always send along.
    if (typeof token === 'string' && token.trim() !== '') {
      const value = token.trim();
      const bearer = /^bearer\s+(.+)$/i.exec(value);
      if (bearer) return this.resolver.fromBearer(bearer[1]!, value);
      if (/^basic\s+/i.test(value)) return this.resolver.fromHeaders({ authorization: value });
      return this.resolver.fromBearer(value, `Bearer ${value}`);
    }
    if (typeof anonymousToken === 'string' && anonymousToken !== '') {
      return this.resolver.fromAnonymousToken(anonymousToken);
    }
    return null;
  }

  private leaveAudience(socket: Socket): void {
    const data = socket.data as SocketData;
    data.identity = undefined;
    for (const room of [...socket.rooms]) if (room !== socket.id) socket.leave(room);
  }
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
