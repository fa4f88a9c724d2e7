import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { BackandDataEvent, BackandService, BackandSocketService } from 'ngx-backand';
import { Observable, firstValueFrom } from 'rxjs';
import { Metric } from '../models';

/** The series the demo draws; start.mjs and the "Record" button write readings of it. */
export const METRIC_NAME = 'load';

/** Readings kept for the chart. */
const WINDOW = 40;

/**
 * The newest readings of the `load` metric: loaded once through REST, then extended by every
 * `metrics.created` event, so the chart and the counter move as readings are written anywhere.
 */
@Injectable({ providedIn: 'root' })
export class MetricSeries {
  private readonly backand = inject(BackandService);
  private readonly socket = inject(BackandSocketService);
  private readonly readingsState = signal<readonly Metric[]>([]);

  /** Readings, oldest first, at most the last 40. */
  readonly readings = this.readingsState.asReadonly();
  /** The values to plot. */
  readonly values = computed(() => this.readings().map((m) => Number(m.value)));
  /** The newest reading, if any. */
  readonly latest = computed(() => {
    const list = this.readings();
    return list.length ? list[list.length - 1] : null;
  });

  constructor() {
    const subscription = this.socket
      .on('metrics.created')
      .subscribe((event) => void this.onCreated(event));
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
    void this.load();
  }

  /** Writes a new reading near the latest one (a gentle random walk between 0 and 100). */
  record(): Observable<unknown> {
    const previous = this.latest()?.value ?? 50;
    const value = Math.round(Math.min(100, Math.max(0, previous + (Math.random() - 0.5) * 30)));
    return this.backand.object.create<Metric>('metrics', {
      name: METRIC_NAME,
      value,
      at: new Date().toISOString(),
    });
  }

  private async load(): Promise<void> {
    try {
      const page = await firstValueFrom(
        this.backand.object.getList<Metric>('metrics', {
          pageSize: WINDOW,
          sort: [{ fieldName: 'id', order: 'desc' }],
          filter: [{ fieldName: 'name', operator: 'equals', value: METRIC_NAME }],
        }),
      );
      const loaded = [...page.data].reverse();
      // Events may have arrived while the page loaded: keep them, drop duplicates.
      this.readingsState.update((live) => this.merge(loaded, live));
    } catch {
      // The chart simply starts empty; realtime readings still arrive.
    }
  }

  private async onCreated(event: BackandDataEvent<Metric>): Promise<void> {
    let row = event.row;
    if (!row) {
      try {
        row = await firstValueFrom(this.backand.object.getOne<Metric>('metrics', event.id));
      } catch {
        return;
      }
    }
    if (row.name === METRIC_NAME) {
      const reading = row;
      this.readingsState.update((list) => this.merge(list, [reading]));
    }
  }

  private merge(a: readonly Metric[], b: readonly Metric[]): Metric[] {
    const byId = new Map<string, Metric>();
    for (const m of [...a, ...b]) {
      byId.set(String(m.id), m);
    }
    return [...byId.values()].sort((x, y) => Number(x.id) - Number(y.id)).slice(-WINDOW);
  }
}
