import { HttpClient } from '@angular/common/http';
import { Injectable, PLATFORM_ID, inject, signal } from '@angular/core';
import { Observable, type Observer, Subject, from, isObservable, map, of, throwError } from 'rxjs';
import { BACKAND_CONFIG } from './backand-config';
import { toBackandError } from './backand-error';
import { createBackandStorage } from './backand-storage';
import type { BackandTokenResponse, BackandUser } from './backand-types';

/** What is persisted under `<prefix>user`; the shape of Backand's own SDKs, so sessions carry over. */
interface StoredSession {
  token: { Authorization?: string; AnonymousToken?: string };
  details: Partial<BackandTokenResponse> & { username: string };
}

/**
 * The session: stored tokens, the `user` signal, the headers of each request and the
 * single-flight refresh. Internal; apps use `BackandService`.
 */
@Injectable({ providedIn: 'root' })
export class _BackandSession {
  readonly #config = inject(BACKAND_CONFIG);
  readonly #http = inject(HttpClient);
  readonly #storage = createBackandStorage(this.#config.storage, inject(PLATFORM_ID));
  readonly #key = `${this.#config.storagePrefix}user`;
  #stored: StoredSession | null = this.#read();
  readonly #userSignal = signal<BackandUser | null>(toUser(this.#stored, this.#config.appName));
  readonly #identitySubject = new Subject<void>();
  #refreshing: Observable<void> | null = null;

  /** The signed-in user, the guest, or `null`. */
  readonly user = this.#userSignal.asReadonly();
  /** Emits after every change of identity (sign-in, refresh, sign-out, anonymous). */
  readonly identityChanges: Observable<void> = this.#identitySubject.asObservable();

  /** The `Authorization` value in use now (stored session only), to detect stale 401s. */
  currentAuthorization(): string | null {
    return this.#stored?.token.Authorization ?? null;
  }

  /** Whether an expired token can be renewed (refresh token stored, or a token provider). */
  canRefresh(): boolean {
    return !!this.#config.tokenProvider || !!this.#stored?.details.refresh_token;
  }

  setSignedIn(response: BackandTokenResponse): BackandUser {
    const token = `Bearer ${response.access_token}`;
    this.#write({ token: { Authorization: token }, details: response });
    return this.#userSignal()!;
  }

  setAnonymous(): BackandUser {
    const details = {
      token_type: 'AnonymousToken',
      expires_in: 0,
      appName: this.#config.appName,
      username: 'Guest',
      role: '',
      firstName: 'anonymous',
      lastName: 'anonymous',
      fullName: '',
      regId: 0,
    };
    this.#write({ token: { AnonymousToken: this.#config.anonymousToken ?? '' }, details });
    return this.#userSignal()!;
  }

  clear(): void {
    if (this.#stored === null) return;
    this.#write(null);
  }

  /** Headers for a request to `apiUrl`, resolved at send time (the token provider may be async). */
  authHeaders(): Observable<Record<string, string>> {
    const provider = this.#config.tokenProvider;
    if (provider) {
      return resolveToken(provider).pipe(
        map((token) => (token ? this.#bearerHeaders(token) : this.#anonymousHeaders())),
      );
    }
    const stored = this.#stored;
    if (stored?.token.Authorization) return of(this.#bearerHeaders(stored.token.Authorization));
    if (stored?.token.AnonymousToken) return of({ AnonymousToken: stored.token.AnonymousToken });
    return of(this.#anonymousHeaders());
  }

  /**
   * One refresh for all callers that need it at the same time (docs/PROTOCOL.md §4.1, the refresh grant).
   * A failed refresh ends the session: the tokens cannot be trusted any more.
   */
  refresh(): Observable<void> {
    if (this.#config.tokenProvider) return of(undefined);
    if (this.#refreshing) return this.#refreshing;
    const details = this.#stored?.details;
    if (!details?.refresh_token) {
      this.clear();
      return throwError(() => toBackandError(new Error('no refresh token')));
    }
    const form = new URLSearchParams({
      username: details.username,
      refreshToken: details.refresh_token,
      appName: this.#config.appName,
      grant_type: 'password',
    }).toString();
    // Single flight without a replaying operator: one request, its outcome given to every
    // caller, late subscribers included (the settled outcome is replayed to them).
    let settled: ((observer: Observer<void>) => void) | null = null;
    const waiting = new Subject<void>();
    const outcome = new Observable<void>((subscriber) =>
      settled ? settled(subscriber) : waiting.subscribe(subscriber),
    );
    const settle = (how: (observer: Observer<void>) => void) => {
      settled = how;
      how(waiting);
    };
    this.#refreshing = outcome;
    this.#http
      .post<BackandTokenResponse>(`${this.#config.apiUrl}/token`, form, {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      })
      .subscribe({
        next: (response) => {
          this.#refreshing = null;
          // A refresh answer may omit the refresh token; keep the one we have.
          this.setSignedIn({ refresh_token: details.refresh_token, ...response });
          settle((observer) => {
            observer.next();
            observer.complete();
          });
        },
        error: (error: unknown) => {
          this.#refreshing = null;
          this.clear();
          const failure = toBackandError(error);
          settle((observer) => observer.error(failure));
        },
      });
    return outcome;
  }

  #bearerHeaders(token: string): Record<string, string> {
    const authorization = /^(bearer|basic) /i.test(token) ? token : `Bearer ${token}`;
    return { Authorization: authorization, AppName: this.#config.appName };
  }

  #anonymousHeaders(): Record<string, string> {
    const anonymous = this.#config.anonymousToken;
    return this.#config.useAnonymousTokenByDefault && anonymous
      ? { AnonymousToken: anonymous }
      : {};
  }

  #write(session: StoredSession | null): void {
    this.#stored = session;
    try {
      if (session) this.#storage.setItem(this.#key, JSON.stringify(session));
      else this.#storage.removeItem(this.#key);
    } catch {
      // A full or denied store must not break the session in memory.
    }
    this.#userSignal.set(toUser(session, this.#config.appName));
    this.#identitySubject.next();
  }

  #read(): StoredSession | null {
    try {
      const raw = this.#storage.getItem(this.#key);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as StoredSession;
      return parsed && typeof parsed === 'object' && parsed.token && parsed.details ? parsed : null;
    } catch {
      return null;
    }
  }
}

/** The provider's token (its first value, for an Observable), `null` for none. */
function resolveToken(provider: () => unknown): Observable<string | null> {
  return new Observable<string | null>((subscriber) => {
    const value = provider();
    const source = isObservable(value) || value instanceof Promise ? from(value) : of(value);
    return source.subscribe({
      next: (token) => {
        subscriber.next(typeof token === 'string' && token ? token : null);
        subscriber.complete();
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
}

function toUser(session: StoredSession | null, appName: string): BackandUser | null {
  if (!session) return null;
  const d = session.details;
  const anonymous = !session.token.Authorization;
  return {
    username: d.username,
    role: d.role ?? '',
    firstName: d.firstName ?? '',
    lastName: d.lastName ?? '',
    fullName: d.fullName ?? [d.firstName, d.lastName].filter(Boolean).join(' '),
    userId: d.userId != null ? String(d.userId) : null,
    regId: d.regId ?? 0,
    appName: d.appName ?? appName,
    anonymous,
  };
}
