import { Injectable, computed, inject, signal } from '@angular/core';
import { BackandService } from 'ngx-backand';
import type { Subscription } from 'rxjs';
import type { SocketsSnapshot, TapEvent } from '../api/console-types';

/** The most events kept in the stream (and held while paused). */
const MAX_EVENTS = 500;

/**
 * What the console socket reports, kept while the admin is signed in (whichever panel shows):
 * the app's sockets (`_console.sockets`) and the events sent (`_console.event`), newest first.
 */
@Injectable({ providedIn: 'root' })
export class LiveStream {
  private readonly backand = inject(BackandService);
  private subscriptions: Subscription[] = [];

  readonly snapshot = signal<SocketsSnapshot | null>(null);
  readonly sockets = computed(() => this.snapshot()?.sockets ?? []);
  readonly events = signal<TapEvent[]>([]);
  /** Events that came while paused, shown on resume. */
  readonly held = signal<TapEvent[]>([]);
  readonly paused = signal(false);

  /** Starts listening (once; the socket logs in with the admin's credential). */
  start(): void {
    if (this.subscriptions.length) return;
    this.subscriptions = [
      this.backand
        .on<SocketsSnapshot>('_console.sockets')
        .subscribe((snapshot) => this.snapshot.set(snapshot)),
      this.backand.on<TapEvent>('_console.event').subscribe((event) => this.add(event)),
    ];
  }

  /** Stops listening and forgets everything (sign-out). */
  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    this.snapshot.set(null);
    this.events.set([]);
    this.held.set([]);
    this.paused.set(false);
  }

  togglePause(): void {
    if (this.paused()) {
      const held = this.held();
      this.held.set([]);
      this.events.update((events) => [...held, ...events].slice(0, MAX_EVENTS));
    }
    this.paused.update((paused) => !paused);
  }

  clear(): void {
    this.events.set([]);
  }

  private add(event: TapEvent): void {
    if (this.paused()) this.held.update((held) => [event, ...held].slice(0, MAX_EVENTS));
    else this.events.update((events) => [event, ...events].slice(0, MAX_EVENTS));
  }
}
