import { DestroyRef, type Injector, type Signal, signal } from '@angular/core';
import type { BackandEventData } from './backand-event-map';
import { BackandSocketService } from './backand-socket.service';
import { assertInjector } from './listen-with-lifecycle';

/**
 * Options of the `inject*` helpers.
 *
 * @example
 * injectBackandEvent('broadcast', { injector: this.injector });
 */
export interface BackandInjectOptions {
  /** Use this injector (and its lifetime) instead of the current injection context. */
  injector?: Injector;
}

/**
 * The latest data of a realtime event as a signal (`undefined` until the first event),
 * listening for as long as the injection context lives. Templates update in zone.js and
 * zoneless apps alike.
 *
 * @example
 * export class Banner {
 *   readonly message = injectBackandEvent<{ message: string }>('broadcast');
 * }
 * // template: {{ message()?.message }}
 */
export function injectBackandEvent<K extends string>(
  event: K,
  options?: BackandInjectOptions,
): Signal<BackandEventData<K> | undefined>;
export function injectBackandEvent<T>(
  event: string,
  options?: BackandInjectOptions,
): Signal<T | undefined>;
export function injectBackandEvent(event: string, options?: BackandInjectOptions): Signal<unknown> {
  const injector = assertInjector(injectBackandEvent, options?.injector);
  const latest = signal<unknown>(undefined);
  const subscription = injector
    .get(BackandSocketService)
    .on<unknown>(event)
    .subscribe((data) => latest.set(data));
  injector.get(DestroyRef).onDestroy(() => subscription.unsubscribe());
  return latest.asReadonly();
}
