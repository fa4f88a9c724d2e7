import { isPlatformServer } from '@angular/common';
import { DestroyRef, PLATFORM_ID, type Signal, signal } from '@angular/core';
import { Observable, Subscription, map, noop } from 'rxjs';
import { BackandError } from './backand-error';
import type { BackandId } from './backand-rest';
import { BackandService } from './backand.service';
import { BackandSocketService } from './backand-socket.service';
import type { BackandFilter, BackandListParams, BackandSort } from './backand-types';
import type { BackandInjectOptions } from './inject-backand';
import { assertInjector } from './listen-with-lifecycle';

/**
 * Rows a live list asks for when the app gives no `pageSize` (the server caps every page at its
 * largest page size, 200 on backand-server).
 *
 * @example
 * liveList('items', { pageSize: BACKAND_LIVE_DEFAULT_PAGE_SIZE });
 */
export const BACKAND_LIVE_DEFAULT_PAGE_SIZE = 1000;

/** One change of a live query's window (see docs/PROTOCOL.md §11). */
type LiveChange<T> =
  { op: 'enter' | 'change'; id: BackandId; index: number; row: T } | { op: 'leave'; id: BackandId };
interface LiveDelta<T> {
  query: string;
  changes: LiveChange<T>[];
}
type LiveAck<T> =
  { ok: true; query: string; rows: T[] } | { ok: false; status: number; error: string };

/**
 * A live list over the socket's live queries: the list subscribes with its query (object, filter,
 * search, sort, page size); the server answers with the rows and then sends the list's changes
 * (rows entering, changing, leaving its window), so no HTTP request is made per event. Each time
 * the socket is (re-)authorized the list subscribes again and starts from the rows it gets.
 * Internal: apps use {@link liveList} or {@link injectBackandList}.
 */
export function createLiveList<T extends { id: BackandId }>(
  socket: BackandSocketService,
  name: string,
  params: BackandListParams = {},
): Observable<T[]> {
  const payload = {
    object: name,
    filter: toArray<BackandFilter>(params.filter),
    sort: toArray<BackandSort>(params.sort),
    search: params.search ?? '',
    pageSize: params.pageSize ?? BACKAND_LIVE_DEFAULT_PAGE_SIZE,
  };
  return new Observable<T[]>((subscriber) => {
    let rows: T[] = [];
    let loaded = false;
    let closed = false;
    let attempt = 0;
    let handle: string | null = null;
    // Deltas that arrive while a subscribe is unanswered (applied once its handle is known).
    let buffer: LiveDelta<T>[] | null = null;
    const teardown = new Subscription();
    const release = (query: string) => socket._emit('liveQuery:unsubscribe', { query }, noop);

    teardown.add(
      socket.on<LiveDelta<T>>('liveQuery:delta').subscribe((delta) => {
        if (buffer) buffer.push(delta);
        else if (handle !== null && delta?.query === handle) {
          rows = applyChanges(rows, delta.changes);
          subscriber.next(rows);
        }
      }),
    );
    const start = () => {
      const mine = ++attempt;
      // A new identity ended the old subscription on the server: start from fresh rows.
      handle = null;
      buffer = [];
      const sent = socket._emit<LiveAck<T>>('liveQuery', payload, (ack) => {
        if (closed || mine !== attempt) {
          if (ack?.ok) release(ack.query);
          return;
        }
        const pending = buffer ?? [];
        buffer = null;
        if (!ack?.ok) {
          // 401: the socket's login is being replaced; the next authorization subscribes.
          const status = ack?.status ?? 0;
          if (!loaded && status !== 401) {
            subscriber.error(new BackandError(status, ack?.error ?? 'Live query failed', ack));
          }
          return;
        }
        handle = ack.query;
        let next = ack.rows ?? [];
        for (const delta of pending) {
          if (delta?.query === handle) next = applyChanges(next, delta.changes);
        }
        rows = next;
        loaded = true;
        subscriber.next(rows);
      });
      // Not connected: the next authorization subscribes.
      if (!sent) buffer = null;
    };
    teardown.add(socket._authorized.subscribe(start));
    if (socket.state() === 'authorized') start();
    else if (socket.state() === 'disconnected') socket.connect();
    return () => {
      closed = true;
      teardown.unsubscribe();
      if (handle !== null) release(handle);
    };
  });
}

/**
 * The rows of an object as a live Observable: page 1 of the list (`filter`, `search`, `sort`,
 * `pageSize`), kept current by the server's live queries over the realtime socket (the list opens
 * it). Call it in an injection context or pass `{ injector }`. On the server platform (SSR) it
 * emits the rows once, through REST.
 *
 * @example
 * export class Todo {
 *   readonly open$ = liveList<Item>('items', { filter: { fieldName: 'done', operator: 'equals', value: false } });
 * }
 */
export function liveList<T extends { id: BackandId }>(
  name: string,
  params?: BackandListParams,
  options?: BackandInjectOptions,
): Observable<T[]> {
  const injector = assertInjector(liveList, options?.injector);
  if (isPlatformServer(injector.get(PLATFORM_ID))) {
    return injector
      .get(BackandService)
      .object.getList<T>(name, params)
      .pipe(map((list) => list.data ?? []));
  }
  return createLiveList<T>(injector.get(BackandSocketService), name, params);
}

/**
 * The rows of an object as a live signal ({@link liveList}), for as long as the injection context
 * lives. Empty until the first rows; a failed subscribe leaves it empty and reports to the console.
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
  const subscription = liveList<T>(object, params, { injector }).subscribe({
    next: (list) => rows.set(list),
    error: (error: unknown) =>
      console.error(`ngx-backand: the live list of "${object}" could not be loaded.`, error),
  });
  injector.get(DestroyRef).onDestroy(() => subscription.unsubscribe());
  return rows.asReadonly();
}

/** Applies a delta's changes in order: leaves remove, enters and changes go to their index. */
function applyChanges<T extends { id: BackandId }>(rows: T[], changes: LiveChange<T>[]): T[] {
  let next = rows;
  for (const change of changes ?? []) {
    const id = String(change.id);
    next = next.filter((row) => String(row.id) !== id);
    if (change.op !== 'leave') {
      next = [...next.slice(0, change.index), change.row, ...next.slice(change.index)];
    }
  }
  return next;
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
