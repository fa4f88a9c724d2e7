import { Injectable, inject } from '@angular/core';
import { Observable, Subscription, catchError, defer, map, of, switchMap, throwError } from 'rxjs';
import { BACKAND_CONFIG } from './backand-config';
import { BackandError } from './backand-error';
import type { BackandEventData } from './backand-event-map';
import { _BackandHttp } from './backand-http';
import {
  type BackandFileApi,
  type BackandFunctionApi,
  type BackandObjectApi,
  type BackandQueryApi,
  createBulk,
  createFileApi,
  createFunctionApi,
  createObjectApi,
  createQueryApi,
} from './backand-rest';
import { _BackandSession } from './backand-session';
import { BackandSocketService } from './backand-socket.service';
import type { BackandSignupResponse, BackandTokenResponse, BackandUser } from './backand-types';
import type { BackandListenOptions } from './listen-with-lifecycle';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/**
 * Backand for Angular: auth, REST and realtime. Every call returns a cold Observable
 * (nothing happens until you subscribe) that fails with a `BackandError`.
 *
 * @example
 * export class Items {
 *   private readonly backand = inject(BackandService);
 *   readonly user = this.backand.user;
 *   readonly items = injectBackandList<Item>('items'); // live rows, see `liveList`
 *   signin() { this.backand.signin('ann@demo.test', 'ann-password').subscribe(); }
 *   add(name: string) { this.backand.object.create<Item>('items', { name }).subscribe(); }
 * }
 */
@Injectable({ providedIn: 'root' })
export class BackandService {
  readonly #config = inject(BACKAND_CONFIG);
  readonly #http = inject(_BackandHttp);
  readonly #session = inject(_BackandSession);
  readonly #socket = inject(BackandSocketService);

  /** The signed-in user, the guest after `useAnonymousAuth()`, or `null`. */
  readonly user = this.#session.user;

  /**
   * Objects (tables): `getList`, `getOne`, `create`, `update`, `remove`, `action`. Live lists are
   * the standalone `liveList()` / `injectBackandList()`, so apps without them do not ship them.
   */
  readonly object: BackandObjectApi = createObjectApi(this.#http);
  /** Named queries. */
  readonly query: BackandQueryApi = createQueryApi(this.#http);
  /** Server functions. */
  readonly fn: BackandFunctionApi = createFunctionApi(this.#http);
  /** Files through file actions. */
  readonly file: BackandFileApi = createFileApi(this.#http);
  /**
   * Several requests in one round trip (at most 1000).
   *
   * @example
   * backand.bulk([{ method: 'DELETE', url: '/1/objects/items/7' }]).subscribe();
   */
  readonly bulk = createBulk(this.#http);

  /**
   * Signs in with username (email) and password; the `user` signal and the socket follow.
   *
   * @example
   * backand.signin('ann@demo.test', 'ann-password').subscribe((user) => console.log(user.role));
   */
  signin(username: string, password: string): Observable<BackandUser> {
    const body = new URLSearchParams({
      username,
      password,
      appName: this.#config.appName,
      grant_type: 'password',
    }).toString();
    return this.#http
      .request<BackandTokenResponse>('POST', '/token', { body, headers: FORM })
      .pipe(map((response) => this.#session.setSignedIn(response)));
  }

  /**
   * Registers a user with the app's `signUpToken`, then signs in when `runSigninAfterSignup`
   * is on and the user is ready (`currentStatus` 1).
   *
   * @example
   * backand.signup('Ann', 'Lee', 'ann@x.test', 'secret', 'secret').subscribe(() => …);
   */
  signup(
    firstName: string,
    lastName: string,
    email: string,
    password: string,
    confirmPassword: string,
    parameters: Record<string, unknown> = {},
  ): Observable<BackandSignupResponse> {
    return defer(() => {
      const token = this.#config.signUpToken;
      if (!token) {
        return throwError(() => new BackandError(0, 'signup() needs the `signUpToken` option.'));
      }
      return this.#http
        .request<BackandSignupResponse>('POST', '/1/user/signup', {
          body: { firstName, lastName, email, password, confirmPassword, parameters },
          headers: { SignUpToken: token },
        })
        .pipe(
          switchMap((response) =>
            this.#config.runSigninAfterSignup && response.currentStatus === 1
              ? this.signin(email, password).pipe(map(() => response))
              : of(response),
          ),
        );
    });
  }

  /**
   * Continues as a guest with the app's anonymous token.
   *
   * @example
   * backand.useAnonymousAuth().subscribe((guest) => guest.anonymous); // true
   */
  useAnonymousAuth(): Observable<BackandUser> {
    return defer(() =>
      this.#config.anonymousToken
        ? of(this.#session.setAnonymous())
        : throwError(
            () => new BackandError(0, 'useAnonymousAuth() needs the `anonymousToken` option.'),
          ),
    );
  }

  /**
   * Signs out: revokes the refresh token on the server, then clears the local session
   * whatever the server answered.
   *
   * @example
   * backand.signout().subscribe();
   */
  signout(): Observable<void> {
    return defer(() => {
      if (!this.#session.currentAuthorization()) {
        this.#session.clear();
        return of(undefined);
      }
      return this.#http.request<unknown>('GET', '/1/user/signout').pipe(
        catchError(() => of(null)),
        map(() => this.#session.clear()),
      );
    });
  }

  /**
   * Changes the signed-in user's password.
   *
   * @example
   * backand.changePassword('old-secret', 'new-secret').subscribe();
   */
  changePassword(oldPassword: string, newPassword: string): Observable<unknown> {
    return this.#http.request('POST', '/1/user/changePassword', {
      body: { oldPassword, newPassword },
    });
  }

  /**
   * Asks the server to send a password-reset message to `username`.
   *
   * @example
   * backand.requestResetPassword('ann@demo.test').subscribe();
   */
  requestResetPassword(username: string): Observable<unknown> {
    return this.#http.request('POST', '/1/user/requestResetPassword', {
      body: { appName: this.#config.appName, username },
    });
  }

  /**
   * Sets a new password with the token of a reset message.
   *
   * @example
   * backand.resetPassword('new-secret', tokenFromEmail).subscribe();
   */
  resetPassword(newPassword: string, resetToken: string): Observable<unknown> {
    return this.#http.request('POST', '/1/user/resetPassword', {
      body: { newPassword, resetToken },
    });
  }

  /**
   * A realtime event as an Observable (see `BackandSocketService.on`).
   *
   * @example
   * backand.on('items_updated').subscribe((item) => …);
   */
  on<K extends string>(event: K): Observable<BackandEventData<K>>;
  /**
   * `Backand.on(event, callback)`: ends with the caller's `DestroyRef` in an injection context,
   * or with `options.destroyRef`; returns the `Subscription` too.
   *
   * @example
   * constructor() { inject(BackandService).on('items_updated', (item) => this.last.set(item)); }
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
    return callback ? this.#socket.on(event, callback, options) : this.#socket.on(event);
  }
}
