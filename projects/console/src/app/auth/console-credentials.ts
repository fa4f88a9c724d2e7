import { Injectable, signal } from '@angular/core';

const KEY = 'BACKAND_CONSOLE_authorization';

/** Who the console signed in as (from `GET /api/console/me`; never a token). */
export interface ConsoleAdmin {
  kind: 'user' | 'master';
  username: string | null;
  role: string;
}

/**
 * The admin's credential, the `Authorization` value every console call carries
 * (`Bearer …` after a password sign-in, `Basic …` for the master key). Kept for this tab only.
 */
@Injectable({ providedIn: 'root' })
export class ConsoleCredentials {
  private readonly value = signal<string | null>(read());
  private readonly adminSignal = signal<ConsoleAdmin | null>(null);

  /** The `Authorization` value, or `null` when signed out. */
  readonly authorization = this.value.asReadonly();
  /** The admin, once the server confirmed the credential. */
  readonly admin = this.adminSignal.asReadonly();

  /** Keeps a credential the server confirmed as an admin's. */
  accept(authorization: string, admin: ConsoleAdmin): void {
    this.value.set(authorization);
    this.adminSignal.set(admin);
    sessionStorage.setItem(KEY, authorization);
  }

  /** Forgets the credential. */
  clear(): void {
    this.value.set(null);
    this.adminSignal.set(null);
    sessionStorage.removeItem(KEY);
  }
}

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}
