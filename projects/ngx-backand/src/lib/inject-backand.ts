import { DestroyRef, type Injector, type Signal, signal } from '@angular/core';
import type { BackandEventData } from './backand-event-map';
import type { BackandId } from './backand-rest';
import { BackandService } from './backand.service';
import { BackandSocketService } from './backand-socket.service';
import type { BackandListParams } from './backand-types';
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

/**
 * The rows of an object as a live signal: loaded through REST, then patched from the realtime
 * `<object>.created|updated|deleted` events, for as long as the injection context lives.
 * Empty until the first load; a failed load leaves it empty and reports to the console.
 *
 * @example
 * export class ItemList {
 *   readonly items = injectBackandList<Item>('items', { sort: { fieldName: 'id', order: 'asc' } });
 * }
 * // template: @for (item of items(); track item.id) { <li>{{ item.name }}</li> }
 */
export function injectBackandList<T extends { id: BackandId }>(
  object: string,
  params?: BackandListParams,
  options?: BackandInjectOptions,
): Signal<T[]> {
  const injector = assertInjector(injectBackandList, options?.injector);
  const rows = signal<T[]>([]);
  const subscription = injector
    .get(BackandService)
    .object.live<T>(object, params)
    .subscribe({
      next: (list) => rows.set(list),
      error: (error: unknown) =>
        console.error(`ngx-backand: the live list of "${object}" could not be loaded.`, error),
    });
  injector.get(DestroyRef).onDestroy(() => subscription.unsubscribe());
  return rows.asReadonly();
}
