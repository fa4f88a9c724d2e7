import { Injectable, computed, inject, signal } from '@angular/core';
import { BackandError, BackandService } from 'ngx-backand';
import { firstValueFrom } from 'rxjs';
import { Item } from '../models';

/** Angular's message when no answer could be read (status 0), with the URL called. */
const NO_ANSWER = /^Http failure response for (\S+): 0\b/;

/** Turns any failure into a sentence for the page. */
export function describeError(error: unknown): string {
  if (error instanceof BackandError) {
    // Down, unreachable, or its answer withheld by the browser because the server does not
    // allow this page's origin (CORS): the page cannot tell which, so it names both.
    const noAnswer = error.status === 0 ? NO_ANSWER.exec(error.message) : null;
    if (noAnswer) {
      const server = URL.canParse(noAnswer[1]) ? new URL(noAnswer[1]).origin : noAnswer[1];
      return `Cannot reach the server at ${server}: it is down, or it does not allow this page's origin (CORS).`;
    }
    return error.message || `Request failed (${error.status})`;
  }
  return error instanceof Error ? error.message : 'Something went wrong';
}

/**
 * Who is using the page: a signed-in demo user or a guest, with what they may do.
 * A thin layer over {@link BackandService}'s auth, so components stay declarative.
 */
@Injectable({ providedIn: 'root' })
export class Session {
  private readonly backand = inject(BackandService);

  /** The signed-in user, or null for a guest (the SDK's anonymous identity counts as a guest). */
  readonly user = computed(() => {
    const user = this.backand.user();
    return user && !user.anonymous ? user : null;
  });
  /** The current role; guests have the app's anonymous role. */
  readonly role = computed(() => this.user()?.role ?? 'Public');
  /** A name to greet the visitor with. */
  readonly displayName = computed(() => {
    const user = this.user();
    if (!user) {
      return 'Guest';
    }
    return (
      user.fullName || [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username
    );
  });
  readonly isGuest = computed(() => this.user() === null);
  /** Admins and Users may create items; ReadOnly users and guests may not. */
  readonly canCreate = computed(() => this.role() === 'Admin' || this.role() === 'User');

  private readonly busyState = signal(false);
  private readonly errorState = signal<string | null>(null);
  /** True while a sign-in or sign-out is on its way. */
  readonly busy = this.busyState.asReadonly();
  /** The last auth failure, cleared by the next attempt. */
  readonly error = this.errorState.asReadonly();

  /** Admins may change any item; Users only their own. */
  canChange(item: Item): boolean {
    const user = this.user();
    if (!user) {
      return false;
    }
    return user.role === 'Admin' || (user.role === 'User' && item.owner === user.username);
  }

  /** Signs in; resolves true on success, false with {@link error} set otherwise. */
  async signIn(username: string, password: string): Promise<boolean> {
    return this.run(() => firstValueFrom(this.backand.signin(username, password)));
  }

  /** Signs out and continues as a guest. */
  async signOut(): Promise<boolean> {
    // With `useAnonymousTokenByDefault` the SDK goes on as a guest by itself.
    return this.run(() => firstValueFrom(this.backand.signout(), { defaultValue: undefined }));
  }

  private async run(work: () => Promise<unknown>): Promise<boolean> {
    this.busyState.set(true);
    this.errorState.set(null);
    try {
      await work();
      return true;
    } catch (error: unknown) {
      this.errorState.set(describeError(error));
      return false;
    } finally {
      this.busyState.set(false);
    }
  }
}
