import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable, catchError, defer, switchMap, throwError } from 'rxjs';
import { BACKAND_CONFIG } from './backand-config';
import { toBackandError } from './backand-error';
import { _BackandSession } from './backand-session';

/** Options of one REST call. */
export interface _BackandRequestOptions {
  params?: HttpParams;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The exact body Backand answers an expired or unknown token with (docs/PROTOCOL.md §3). */
const EXPIRED_MESSAGE = 'invalid or expired token';

/**
 * Every REST call of the SDK: the app's `HttpClient` (its interceptors apply), auth headers
 * added per request (so they only ever go to `apiUrl`), one refresh-and-replay on an expired
 * token, and `BackandError` for every failure. Internal.
 */
@Injectable({ providedIn: 'root' })
export class _BackandHttp {
  readonly #config = inject(BACKAND_CONFIG);
  readonly #http = inject(HttpClient);
  readonly #session = inject(_BackandSession);

  /** A cold request to `apiUrl + path`. */
  request<T>(method: string, path: string, options: _BackandRequestOptions = {}): Observable<T> {
    const url = `${this.#config.apiUrl}${path.startsWith('/') ? path : `/${path}`}`;
    const attempt = (replayed: boolean): Observable<T> =>
      this.#session.authHeaders().pipe(
        switchMap((auth) => {
          const sentWith = auth['Authorization'] ?? null;
          return this.#http
            .request<T>(method, url, {
              body: options.body,
              params: options.params,
              headers: { ...auth, ...options.headers },
            })
            .pipe(
              catchError((error: unknown) => {
                if (replayed || !this.#config.manageRefreshToken || !isExpiredToken(error)) {
                  return throwError(() => toBackandError(error));
                }
                // Sent with a token that a parallel refresh already replaced: just replay.
                const current = this.#session.currentAuthorization();
                if (sentWith && current && current !== sentWith) return attempt(true);
                if (!this.#session.canRefresh()) {
                  // A rejected user token ends the session; a rejected guest has none to end.
                  if (sentWith) this.#session.clear();
                  return throwError(() => toBackandError(error));
                }
                return this.#session.refresh().pipe(
                  catchError(() => throwError(() => toBackandError(error))),
                  switchMap(() => attempt(true)),
                );
              }),
            );
        }),
      );
    return defer(() => attempt(false));
  }
}

function isExpiredToken(error: unknown): boolean {
  if (!(error instanceof HttpErrorResponse) || error.status !== 401) return false;
  let body: unknown = error.error;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return false;
    }
  }
  const message = (body as { Message?: unknown } | null)?.Message;
  return typeof message === 'string' && message.toLowerCase() === EXPIRED_MESSAGE;
}
