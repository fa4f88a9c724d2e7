import { HttpClient, HttpHeaders } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { BACKAND_CONFIG } from 'ngx-backand';
import type { Observable } from 'rxjs';
import { ConsoleCredentials, type ConsoleAdmin } from '../auth/console-credentials';
import type { AppSummary, ConsoleEmit, SocketsSnapshot } from './console-types';

/**
 * The admin-only console API (`/api/console/…`). Rows, users and actions go through
 * `BackandService` instead, on the app's own REST paths and permissions.
 */
@Injectable({ providedIn: 'root' })
export class ConsoleApi {
  private readonly http = inject(HttpClient);
  private readonly credentials = inject(ConsoleCredentials);
  private readonly base = `${inject(BACKAND_CONFIG).apiUrl}/api/console`;

  /** Who a credential is; a 403 when it is not an admin's. */
  me(authorization: string): Observable<ConsoleAdmin> {
    return this.http.get<ConsoleAdmin>(`${this.base}/me`, {
      headers: new HttpHeaders({ Authorization: authorization }),
    });
  }

  app(): Observable<AppSummary> {
    return this.http.get<AppSummary>(`${this.base}/app`, { headers: this.headers() });
  }

  sockets(): Observable<SocketsSnapshot> {
    return this.http.get<SocketsSnapshot>(`${this.base}/sockets`, { headers: this.headers() });
  }

  /** Ends every session of a user. */
  signOutEverywhere(userId: number | string): Observable<{ username: string; revoked: number }> {
    return this.http.post<{ username: string; revoked: number }>(
      `${this.base}/users/${encodeURIComponent(String(userId))}/signout`,
      {},
      { headers: this.headers() },
    );
  }

  /** Sends a test event; answers how many sockets of this node got it. */
  emit(body: ConsoleEmit): Observable<{ event: string; delivered: number }> {
    return this.http.post<{ event: string; delivered: number }>(`${this.base}/emit`, body, {
      headers: this.headers(),
    });
  }

  private headers(): HttpHeaders {
    return new HttpHeaders({ Authorization: this.credentials.authorization() ?? '' });
  }
}
