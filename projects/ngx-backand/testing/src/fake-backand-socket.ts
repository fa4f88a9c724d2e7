import type { _BackandSocketLike } from 'ngx-backand';

/**
 * How the fake socket behaves when the SDK uses it.
 *
 * @example
 * provideBackandTesting({ appName: 'demo' }, { autoAuthorize: false });
 */
export interface FakeBackandSocketOptions {
  /** Answer every `login` with `authorized`. Default `true`. */
  autoAuthorize?: boolean;
  /**
   * Keep a timer running while connected, as a real socket's heartbeat does (ms, default off):
   * it shows whether the SDK keeps the socket outside the Angular zone.
   */
  heartbeatMs?: number;
}

/**
 * A client-to-server emit the SDK made.
 *
 * @example
 * expect(fake.sent).toContainEqual({ event: 'login', args: [null, 'test-anonymous-token', 'test'] });
 */
export interface FakeBackandSocketEmit {
  event: string;
  args: unknown[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/**
 * A stand-in for the server end of the SDK's socket, driven by a unit test: push events with
 * `emit(event, data)`, control the connection (`authorize`, `rejectLogin`, `dropConnection`,
 * `reconnect`) and inspect what the SDK did (`logins`, `listenerCount`). Get it with
 * `TestBed.inject(FakeBackandSocket)` after `provideBackandTesting()`.
 *
 * @example
 * const fake = TestBed.inject(FakeBackandSocket);
 * const seen: unknown[] = [];
 * TestBed.inject(BackandService).on('items_updated').subscribe((d) => seen.push(d));
 * await fake.whenCreated();
 * fake.emit('items_updated', { id: 1 });
 * expect(seen).toEqual([{ id: 1 }]);
 */
export class FakeBackandSocket {
  private readonly handlers = new Map<string, Set<Listener>>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private created: Promise<void> | null = null;
  private resolveCreated: (() => void) | null = null;
  private readonly options: Required<FakeBackandSocketOptions>;
  private connectedNow = false;

  /** Every client-to-server emit of the SDK, in order. */
  readonly sent: FakeBackandSocketEmit[] = [];
  /** The URL the SDK opened the socket for, once it did. */
  url: string | null = null;
  /** How many times the SDK asked the socket to connect. */
  connectCalls = 0;
  /**
   * While `false` the server is unreachable: `connect()` does not connect; report each failed
   * attempt with `failConnection()`, and end the outage with `reachable = true` + `reconnect()`.
   */
  reachable = true;

  constructor(options: FakeBackandSocketOptions = {}) {
    this.options = {
      autoAuthorize: options.autoAuthorize ?? true,
      heartbeatMs: options.heartbeatMs ?? 0,
    };
  }

  /** Whether the socket is connected. */
  get connected(): boolean {
    return this.connectedNow;
  }

  /** The `[token, anonymousToken, appName]` of each `login` the SDK sent. */
  get logins(): unknown[][] {
    return this.sent.filter((e) => e.event === 'login').map((e) => e.args);
  }

  /** How many handlers the SDK has on `event` (refcounting shows here). */
  listenerCount(event: string): number {
    return this.handlers.get(event)?.size ?? 0;
  }

  /** Resolves once the SDK has created its socket (it does so asynchronously, on first use). */
  whenCreated(): Promise<void> {
    this.created ??= new Promise<void>((resolve) => (this.resolveCreated = resolve));
    return this.created;
  }

  /** Delivers a server event with its data to the SDK, as Socket.IO would. */
  emit(event: string, data?: unknown): void {
    for (const handler of [...(this.handlers.get(event) ?? [])]) handler(data);
  }

  /** Answers the pending login with `authorized`. */
  authorize(): void {
    this.emit('authorized');
  }

  /**
   * Answers the pending login with `notAuthorized`, with the server's reason when given
   * (backand-server sends `{code, message}`, e.g. `{code: 'appName', message: 'unknown app "x"'}`).
   */
  rejectLogin(reason?: { code: string; message: string }): void {
    this.emit('notAuthorized', reason);
  }

  /** A connection attempt failed (server unreachable), as Socket.IO reports it: `connect_error`. */
  failConnection(error: unknown = new Error('xhr poll error')): void {
    this.emit('connect_error', error);
  }

  /**
   * The server's notice that the account behind the socket changed (signed out elsewhere,
   * deleted, token expired): `notAuthorized` answering no login; the socket stays connected.
   */
  revokeAccount(): void {
    this.emit('notAuthorized', { reason: 'accountChanged' });
  }

  /** The connection drops (server gone, network lost): the SDK should wait for `reconnect()`. */
  dropConnection(reason = 'transport close'): void {
    if (!this.connectedNow) return;
    this.setConnected(false);
    this.emit('disconnect', reason);
  }

  /** The connection comes back, as after Socket.IO's automatic reconnection. */
  reconnect(): void {
    if (this.connectedNow) return;
    this.setConnected(true);
    this.emit('connect');
  }

  /** The socket handed to the SDK. Internal. */
  _create(url: string): Promise<_BackandSocketLike> {
    this.url = url;
    void this.whenCreated();
    this.resolveCreated?.();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    const socket: _BackandSocketLike = {
      get connected() {
        return fake.connectedNow;
      },
      on: (event, listener) => {
        let set = this.handlers.get(event);
        if (!set) this.handlers.set(event, (set = new Set()));
        set.add(listener);
      },
      off: (event, listener) => {
        if (listener) this.handlers.get(event)?.delete(listener);
        else this.handlers.delete(event);
      },
      emit: (event, ...args) => {
        this.sent.push({ event, args });
        if (event === 'login' && this.options.autoAuthorize) this.authorize();
      },
      connect: () => {
        this.connectCalls++;
        if (this.reachable) this.reconnect();
      },
      disconnect: () => {
        if (!this.connectedNow) return;
        this.setConnected(false);
        this.emit('disconnect', 'io client disconnect');
      },
    };
    return Promise.resolve(socket);
  }

  private setConnected(connected: boolean): void {
    this.connectedNow = connected;
    if (connected && this.options.heartbeatMs > 0 && !this.heartbeat) {
      this.heartbeat = setInterval(() => undefined, this.options.heartbeatMs);
    } else if (!connected && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }
}
