import { Server, type ServerOptions as SocketServerOptions, type Socket } from 'socket.io';
import type { AppContext } from '../app-context';
import type { EmittedEvent } from '../realtime/emitted-event';
import type { SavedIdentity } from '../realtime/user-sockets';
import { wireData } from '../realtime/realtime-hub';
import { consoleLogin, stillAdmin } from './console-login';
import { NODE_ID } from './node-id';
import { preview } from './redact';
import { countRecipients, listSockets, type SocketSummary } from './socket-list';

/** Where the console's own socket connects (the SDK's `socketUrl` `<origin>/_console`). */
export const CONSOLE_SOCKET_PATH = '/_console/socket.io';

/** Events the console socket receives. */
export const CONSOLE_EVENTS = {
  /** One app event sent: {@link TapEvent}. */
  event: '_console.event',
  /** The app sockets of this node, after each change: {@link SocketsSnapshot}. */
  sockets: '_console.sockets',
} as const;

/** An app event as the console shows it. */
export interface TapEvent {
  seq: number;
  /** When it was sent (ISO). */
  at: string;
  node: string;
  event: string;
  kind: EmittedEvent['kind'];
  audience: string;
  /** How many sockets of this node it went to. */
  delivered: number;
  /** Its data as JSON, secrets redacted, cut to a preview. */
  data: string;
}

/** The app sockets of one node. */
export interface SocketsSnapshot {
  node: string;
  sockets: SocketSummary[];
}

/** How long a refused console socket stays connected, so it can read `notAuthorized`. */
const REFUSED_GRACE_MS = 1000;
const WATCHERS = 'watchers';

/**
 * The console's live view: a Socket.IO server of its own (path {@link CONSOLE_SOCKET_PATH}, so
 * no app socket can join it), where only admins log in; they receive every app event sent
 * (with its audience and recipient count) and the list of app sockets after each change.
 */
export class ConsoleTap {
  /** The console sockets' server. */
  readonly server: Server;
  private seq = 0;
  /** While {@link sendAndCount} runs: the events sent. */
  private captured: EmittedEvent[] | undefined;
  private snapshotQueued = false;

  constructor(
    http: ConstructorParameters<typeof Server>[0],
    private readonly appIo: Server,
    private readonly ctx: Pick<AppContext, 'resolver' | 'app'>,
    socketOptions: Partial<SocketServerOptions>,
  ) {
    this.server = new Server(http, { ...socketOptions, path: CONSOLE_SOCKET_PATH });
    this.server.on('connection', (socket) => this.onConsoleSocket(socket));
    appIo.on('connection', (socket) => {
      this.socketsChanged();
      // The hub answers each login with one of these, once the socket's audience is set.
      socket.onAnyOutgoing((event: string) => {
        if (event === 'authorized' || event === 'notAuthorized') this.socketsChanged();
      });
      socket.on('disconnect', () => this.socketsChanged());
    });
  }

  /** Runs `send` (which emits through the hub) and answers how many sockets of this node got it. */
  sendAndCount(send: () => void): number {
    const captured: EmittedEvent[] = [];
    this.captured = captured;
    try {
      send();
    } finally {
      this.captured = undefined;
    }
    return captured.reduce((sum, e) => sum + countRecipients(this.appIo, e.rooms, e.except), 0);
  }

  /**
   * The realtime hub's observer: sends each event to the console sockets. Without a console
   * socket it costs nothing (recipients are counted only for someone watching).
   */
  readonly observe = (emitted: EmittedEvent): void => {
    this.captured?.push(emitted);
    if (!this.watching()) return;
    const record: TapEvent = {
      seq: ++this.seq,
      at: new Date().toISOString(),
      node: NODE_ID,
      event: emitted.event,
      kind: emitted.kind,
      audience: emitted.audience,
      delivered: countRecipients(this.appIo, emitted.rooms, emitted.except),
      data: preview(wireData(emitted.data)),
    };
    this.broadcast(CONSOLE_EVENTS.event, record);
  };

  /** This node's app sockets now. */
  snapshot(): SocketsSnapshot {
    return { node: NODE_ID, sockets: listSockets(this.appIo, this.ctx.app.appName) };
  }

  /** Closes the console sockets' transports (the HTTP server closes with the app). */
  close(): void {
    this.server.engine.close();
  }

  private watching(): boolean {
    return this.server.of('/').adapter.rooms.has(WATCHERS);
  }

  private onConsoleSocket(socket: Socket): void {
    socket.on('login', (token: unknown, _anonymousToken: unknown, appName: unknown) => {
      void consoleLogin(this.ctx, token, appName).then((found) => {
        if (socket.disconnected) return;
        if ('refused' in found) {
          this.refuse(socket, found.refused);
          return;
        }
        socket.data = { identity: found };
        void socket.join(WATCHERS);
        socket.emit('authorized');
        socket.emit(CONSOLE_EVENTS.sockets, this.snapshot());
      });
    });
  }

  private refuse(socket: Socket, message: string): void {
    socket.data = {};
    void socket.leave(WATCHERS);
    socket.emit('notAuthorized', { code: 'forbidden', message });
    setTimeout(() => socket.disconnect(true), REFUSED_GRACE_MS).unref();
  }

  /** Sends to every console socket whose admin still holds; the others are refused. */
  private broadcast(event: string, payload: unknown): void {
    for (const socket of this.server.of('/').sockets.values()) {
      if (!socket.rooms.has(WATCHERS)) continue;
      const identity = (socket.data as { identity?: SavedIdentity }).identity;
      if (identity && stillAdmin(this.ctx, identity)) socket.emit(event, payload);
      else this.refuse(socket, 'no longer an admin');
    }
  }

  /** One snapshot for a burst of changes (many sockets connecting at once). */
  private socketsChanged(): void {
    if (this.snapshotQueued || !this.watching()) return;
    this.snapshotQueued = true;
    setImmediate(() => {
      this.snapshotQueued = false;
      this.broadcast(CONSOLE_EVENTS.sockets, this.snapshot());
    });
  }
}
