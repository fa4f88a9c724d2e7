import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { BackandSocketService } from 'ngx-backand';
import { DEMO_EVENTS, type DemoEventName, type EventAudience, audienceOf } from './event-audience';

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
