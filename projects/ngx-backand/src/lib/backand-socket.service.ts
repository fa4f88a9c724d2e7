import { isPlatformServer } from '@angular/common';
import { DestroyRef, Injectable, NgZone, PLATFORM_ID, inject, signal } from '@angular/core';
import { Observable, Subject, Subscription } from 'rxjs';
import { BACKAND_CONFIG } from './backand-config';
import type { BackandEventData } from './backand-event-map';
import { _BackandSession } from './backand-session';
import { _BACKAND_SOCKET_FACTORY, type _BackandSocketLike } from './backand-socket-factory';
import type { BackandSocketState } from './backand-types';
import { type BackandListenOptions, listenWithLifecycle } from './listen-with-lifecycle';
import {
  type _ReportedLine,
  _reportConnected,
  _reportRefusal,
  _reportUnreachable,
} from './socket-diagnostics';

/** One event's single socket handler, shared by all its subscribers. */
interface ListenerRecord {
  readonly handler: (data: unknown) => void;
  readonly deliver: Set<(data: unknown) => void>;
}

/**
 * The realtime channel: one lazily created Socket.IO socket shared by every listener.
 *
 * - No socket until the first `on()` subscription (with `runSocket: true`) or `connect()`;
 *   `socket.io-client` is loaded then, by dynamic `import()`.
 * - `login(token, anonymousToken, appName)` on every connect, again on every identity change.
 * - One socket handler per event, removed when its last subscriber leaves.
 * - The socket runs outside the Angular zone; events are delivered inside it (zone.js apps)
 *   and through signals / `markForCheck` (zoneless apps). On the server platform nothing connects.
 *
 * @example
 * export class Clock {
 *   readonly #socket = inject(BackandSocketService);
 *   readonly online = computed(() => this.#socket.state() === 'authorized');
 *   constructor() {
 *     this.#socket.on('items_updated', (item) => console.log(item)); // ends with the component
 *   }
 * }
 */
@Injectable({ providedIn: 'root' })
export class BackandSocketService {
  readonly #config = inject(BACKAND_CONFIG);
  readonly #session = inject(_BackandSession);
  readonly #zone = inject(NgZone);
  readonly #factory = inject(_BACKAND_SOCKET_FACTORY);
  readonly #server = isPlatformServer(inject(PLATFORM_ID));
  readonly #stateSignal = signal<BackandSocketState>('disconnected');
  readonly #listeners = new Map<string, ListenerRecord>();
  readonly #authorizedSubject = new Subject<void>();
  #socket: _BackandSocketLike | null = null;
  #creating = false;
  #wanted = false;
  #destroyed = false;
  #loginSeq = 0;
  /** Logins sent on this connection and not yet answered; only the latest answer counts. */
  #unanswered = 0;
  /** Dev mode: the last diagnostic line, so a condition is reported once, not per retry. */
  #reported: _ReportedLine = '';
  readonly #identitySubscription: Subscription = this.#session.identityChanges.subscribe(() =>
    this.#onIdentityChange(),
  );

  /** The connection state: `'authorized'` once the server accepted the `login`. */
  readonly state = this.#stateSignal.asReadonly();

  /** Emits each time the server authorizes the socket (first connect and every reconnect). */
  readonly _authorized: Observable<void> = this.#authorizedSubject.asObservable();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.#destroy());
  }

  /**
   * An event as a cold Observable; subscribing registers interest (and connects when
   * `runSocket` is on). Unsubscribe to stop; the socket handler goes with the last subscriber.
   *
   * @example
   * socket.on('broadcast').pipe(takeUntilDestroyed()).subscribe((m) => log(m));
   */
  on<K extends string>(event: K): Observable<BackandEventData<K>>;
  /**
   * `Backand.on` style: calls `callback` for each event until the caller's `DestroyRef` (in an
   * injection context) or `options.destroyRef` ends it; returns the `Subscription` as well.
   *
   * @example
   * constructor() { inject(BackandSocketService).on('items_updated', (d) => this.last.set(d)); }
   */
  on<K extends string>(
    event: K,
    callback: (data: BackandEventData<K>) => void,
    options?: BackandListenOptions,
  ): Subscription;
  on<T>(event: string): Observable<T>;
  on<T>(event: string, callback: (data: T) => void, options?: BackandListenOptions): Subscription;
  on(
    event: string,
    callback?: (data: unknown) => void,
    options?: BackandListenOptions,
  ): Observable<unknown> | Subscription {
    const events = this.#events(event);
    return callback ? listenWithLifecycle(events, callback, options, event) : events;
  }

  /**
   * Opens the socket now (a no-op on the server platform and when already open).
   *
   * @example
   * inject(BackandSocketService).connect();
   */
  connect(): void {
    if (this.#server || this.#destroyed) return;
    this.#wanted = true;
    const socket = this.#socket;
    if (socket) {
      if (!socket.connected) {
        this.#stateSignal.set('connecting');
        this.#zone.runOutsideAngular(() => socket.connect());
      }
      return;
    }
    if (this.#creating) return;
    this.#creating = true;
    this.#stateSignal.set('connecting');
    this.#zone.runOutsideAngular(() => {
      this.#factory(this.#config.socketUrl).then(
        (created) => this.#attach(created),
        (error: unknown) => {
          this.#creating = false;
          this.#stateSignal.set('disconnected');
          console.error('ngx-backand: no socket', error);
        },
      );
    });
  }

  /**
   * Closes the socket; listeners stay registered and resume on the next `connect()`.
   *
   * @example
   * inject(BackandSocketService).disconnect();
   */
  disconnect(): void {
    this.#wanted = false;
    const socket = this.#socket;
    if (socket) this.#zone.runOutsideAngular(() => socket.disconnect());
    this.#stateSignal.set('disconnected');
  }

  /**
   * Internal (live lists): emits `event` with `payload`; `answer` gets the server's
   * acknowledgement, in the Angular zone. `false` (nothing sent) when the socket is not connected.
   */
  _emit<T>(event: string, payload: unknown, answer: (ack: T) => void): boolean {
    const socket = this.#socket;
    if (!socket?.connected) return false;
    socket.emit(event, payload, (ack: T) => this.#zone.run(() => answer(ack)));
    return true;
  }

  #events(event: string): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      const deliver = (data: unknown) => subscriber.next(data);
      const record = this.#retain(event);
      record.deliver.add(deliver);
      // A refused identity is retried on the next identity change, not on every new listener.
      if (this.#config.runSocket && this.#stateSignal() !== 'notAuthorized') this.connect();
      return () => this.#release(event, record, deliver);
    });
  }

  #retain(event: string): ListenerRecord {
    const existing = this.#listeners.get(event);
    if (existing) return existing;
    const deliver = new Set<(data: unknown) => void>();
    const record: ListenerRecord = {
      deliver,
      // Re-enter the Angular zone once per event, so zone.js apps run change detection.
      handler: (data: unknown) =>
        this.#zone.run(() => {
          for (const next of [...deliver]) next(data);
        }),
    };
    this.#listeners.set(event, record);
    this.#socket?.on(event, record.handler);
    return record;
  }

  #release(event: string, record: ListenerRecord, deliver: (data: unknown) => void): void {
    record.deliver.delete(deliver);
    if (record.deliver.size > 0 || this.#listeners.get(event) !== record) return;
    this.#listeners.delete(event);
    this.#socket?.off(event, record.handler);
  }

  #attach(socket: _BackandSocketLike): void {
    this.#creating = false;
    if (this.#destroyed) {
      socket.disconnect();
      return;
    }
    this.#socket = socket;
    socket.on('connect', () => {
      if (typeof ngDevMode === 'undefined' || ngDevMode) {
        this.#reported = _reportConnected(this.#reported, this.#config.socketUrl);
      }
      this.#unanswered = 0;
      this.#setState('connecting');
      this.#login();
    });
    socket.on('authorized', (info?: unknown) => {
      if (isUnsolicited(info) ? this.#unanswered > 0 : this.#answered()) return;
      if (typeof ngDevMode === 'undefined' || ngDevMode) this.#reported = '';
      this.#setState('authorized');
      this.#authorizedSubject.next();
    });
    socket.on('notAuthorized', (info?: unknown) => {
      if (typeof ngDevMode === 'undefined' || ngDevMode) {
        const { socketUrl, appName } = this.#config;
        this.#reported = _reportRefusal(this.#reported, info, socketUrl, appName);
      }
      if (isUnsolicited(info)) {
        // The account behind the socket changed (signed out elsewhere, deleted, expired): the
        // server keeps the socket open for a new login, which the next identity change sends.
        if (this.#unanswered === 0) this.#setState('notAuthorized');
        return;
      }
      if (this.#answered()) return;
      this.#setState('notAuthorized');
      // Stop here rather than reconnect in a loop with credentials the server refused;
      // the next identity change tries again.
      socket.disconnect();
    });
    socket.on('disconnect', (reason: string) => {
      if (this.#stateSignal() === 'notAuthorized') return;
      const retrying = reason !== 'io client disconnect' && reason !== 'io server disconnect';
      this.#setState(retrying && this.#wanted ? 'connecting' : 'disconnected');
    });
    socket.on('connect_error', (error?: unknown) => {
      if (typeof ngDevMode === 'undefined' || ngDevMode) {
        this.#reported = _reportUnreachable(this.#reported, this.#config.socketUrl, error);
      }
      if (socket.active === false) this.#setState('disconnected');
    });
    for (const [event, record] of this.#listeners) socket.on(event, record.handler);
    if (this.#wanted) socket.connect();
    else this.#setState('disconnected');
  }

  #login(): void {
    const socket = this.#socket;
    if (!socket) return;
    const seq = ++this.#loginSeq;
    // The identity of a REST call now (one value): a bearer token, else the anonymous token.
    this.#session.authHeaders().subscribe((headers) => {
      // A newer login (identity changed meanwhile) supersedes this one.
      if (seq !== this.#loginSeq || !socket.connected) return;
      this.#unanswered++;
      const token = headers['Authorization'] ?? null;
      socket.emit(
        'login',
        token,
        token ? null : (headers['AnonymousToken'] ?? null),
        this.#config.appName,
      );
    });
  }

  /** Counts an answer; `true` when it answers a login that a newer one superseded. */
  #answered(): boolean {
    this.#unanswered = Math.max(0, this.#unanswered - 1);
    return this.#unanswered > 0;
  }

  #onIdentityChange(): void {
    const socket = this.#socket;
    if (!socket || !this.#wanted) return;
    this.#zone.runOutsideAngular(() => {
      if (socket.connected) {
        this.#setState('connecting');
        this.#login();
      } else if (this.#stateSignal() !== 'connecting') {
        // Refused or dropped by the server (no automatic reconnect then): try the new identity.
        this.#setState('connecting');
        socket.connect();
      }
      // Otherwise a reconnect is under way and its `connect` logs in with the new identity.
    });
  }

  #setState(state: BackandSocketState): void {
    if (this.#stateSignal() !== state) this.#stateSignal.set(state);
  }

  #destroy(): void {
    this.#destroyed = true;
    this.#wanted = false;
    this.#identitySubscription.unsubscribe();
    this.#authorizedSubject.complete();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      for (const [event, record] of this.#listeners) socket.off(event, record.handler);
      socket.disconnect();
    }
    this.#listeners.clear();
  }
}

/**
 * `authorized` / `notAuthorized` that answers no `login`: the server's account-change notice
 * (`{reason}`), which must not be counted as the answer to a pending login.
 */
function isUnsolicited(info: unknown): boolean {
  return typeof info === 'object' && info !== null && 'reason' in info;
}
