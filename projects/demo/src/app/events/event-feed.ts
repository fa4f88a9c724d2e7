import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { BackandSocketService } from 'ngx-backand';

/** Every realtime event the demo app's server can send. */
export const DEMO_EVENTS = [
  'items.created',
  'items.updated',
  'items.deleted',
  'notes.created',
  'notes.updated',
  'notes.deleted',
  'metrics.created',
  'metrics.updated',
  'metrics.deleted',
  'items_updated',
  'broadcast',
  'role_message',
  'user_message',
] as const;

/** The name of one of {@link DEMO_EVENTS}. */
export type DemoEventName = (typeof DEMO_EVENTS)[number];

/** How an event reached this page, which tells the visitor who else received it. */
export type EventAudience = 'data' | 'everyone' | 'role' | 'user';

/** One realtime event as the log shows it. */
export interface LoggedEvent {
  readonly seq: number;
  readonly name: DemoEventName;
  readonly audience: EventAudience;
  readonly at: Date;
  readonly payload: unknown;
}

/** Newest entries kept; older ones fall off so a long-open tab stays light. */
const LOG_LIMIT = 200;

/** Tells who an event was sent to, from its name. */
export function audienceOf(name: DemoEventName): EventAudience {
  switch (name) {
    case 'broadcast':
    case 'items_updated':
      return 'everyone';
    case 'role_message':
      return 'role';
    case 'user_message':
      return 'user';
    default:
      return 'data';
  }
}

/**
 * Listens to every demo event on the one shared socket and keeps a log and counters of them.
 * Created by the app shell, so the log starts with the page.
 */
@Injectable({ providedIn: 'root' })
export class EventFeed {
  private readonly socket = inject(BackandSocketService);
  private readonly destroyRef = inject(DestroyRef);
  private seq = 0;

  private readonly entriesState = signal<readonly LoggedEvent[]>([]);
  private readonly countsState = signal<Readonly<Record<EventAudience, number>>>({
    data: 0,
    everyone: 0,
    role: 0,
    user: 0,
  });
  private readonly totalState = signal(0);

  /** Logged events, newest first. */
  readonly entries = this.entriesState.asReadonly();
  /** Events received since the page opened, by audience. */
  readonly counts = this.countsState.asReadonly();
  /** Events received since the page opened (not reset by {@link clear}). */
  readonly total = this.totalState.asReadonly();
  /** Private events: those sent to a role or to named users. */
  readonly privateCount = computed(() => this.counts().role + this.counts().user);

  constructor() {
    for (const name of DEMO_EVENTS) {
      const subscription = this.socket
        .on<unknown>(name)
        .subscribe((payload) => this.add(name, payload));
      this.destroyRef.onDestroy(() => subscription.unsubscribe());
    }
  }

  /** Empties the log; the counters keep counting. */
  clear(): void {
    this.entriesState.set([]);
  }

  private add(name: DemoEventName, payload: unknown): void {
    const audience = audienceOf(name);
    const entry: LoggedEvent = { seq: ++this.seq, name, audience, at: new Date(), payload };
    this.entriesState.update((list) => [entry, ...list].slice(0, LOG_LIMIT));
    this.countsState.update((counts) => ({ ...counts, [audience]: counts[audience] + 1 }));
    this.totalState.update((total) => total + 1);
  }
}
