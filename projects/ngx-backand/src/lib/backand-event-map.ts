/**
 * The app's realtime events and their data. Empty here: apps add their events by declaration
 * merging, and `on()` / `injectBackandEvent()` are then typed by event name.
 *
 * @example
 * declare module 'ngx-backand' {
 *   interface BackandEventMap {
 *     items_updated: { id: number; name: string; by: string };
 *     'items.created': BackandDataEvent<Item>;
 *   }
 * }
 * backand.on('items_updated').subscribe((e) => e.name); // e is typed
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BackandEventMap {}

/**
 * The data type of an event: from `BackandEventMap` when the app declared it, else `Fallback`.
 *
 * @example
 * type Updated = BackandEventData<'items_updated'>;
 */
export type BackandEventData<K extends string, Fallback = unknown> = K extends keyof BackandEventMap
  ? BackandEventMap[K]
  : Fallback;
