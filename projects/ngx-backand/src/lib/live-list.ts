import { Observable, Subscription, catchError, concatMap, map, merge, of } from 'rxjs';
import { BackandError } from './backand-error';
import type { BackandId, BackandObjectApi } from './backand-rest';
import type { BackandSocketService } from './backand-socket.service';
import type {
  BackandDataEvent,
  BackandFilter,
  BackandListParams,
  BackandSort,
} from './backand-types';

/**
 * Rows a live list loads when the app gives no `pageSize` (Backand's own default is 20).
 *
 * @example
 * backand.object.live('items', { pageSize: BACKAND_LIVE_DEFAULT_PAGE_SIZE * 2 });
 */
export const BACKAND_LIVE_DEFAULT_PAGE_SIZE = 1000;

type Change<T> = { kind: 'upsert'; id: string; row: T } | { kind: 'remove'; id: string };

/**
 * A live list: the rows of `name` through REST, then patched from the realtime
 * `<name>.created|updated|deleted` events, in event order. Events that arrive while a load is in
 * flight are applied on top of it (every change is idempotent), and the list reloads each time
 * the socket is (re-)authorized, since events may have been missed while it was not. A first
 * load that finds the server unreachable waits for that authorization instead of failing.
 */
export function createLiveList<T extends { id: BackandId }>(
  api: Pick<BackandObjectApi, 'getList' | 'getOne'>,
  socket: BackandSocketService,
  name: string,
  params: BackandListParams = {},
): Observable<T[]> {
  const query: BackandListParams = {
    ...params,
    pageSize: params.pageSize ?? BACKAND_LIVE_DEFAULT_PAGE_SIZE,
  };
  const filters = toArray<BackandFilter>(params.filter);
  const sorts = toArray<BackandSort>(params.sort);
  const filtered = filters.length > 0 || !!params.search;

  const resolve = (event: BackandDataEvent<T>): Observable<Change<T>> => {
    const id = String(event?.id);
    if (event?.event === 'deleted') return of({ kind: 'remove', id });
    if (filtered) {
      // Only the server knows whether the row still matches: ask for it under the same filter.
      const membership = {
        ...query,
        pageNumber: 1,
        filter: [...filters, { fieldName: 'id', operator: 'equals', value: id } as BackandFilter],
      };
      return api.getList<T>(name, membership).pipe(
        map(({ data }): Change<T> =>
          data[0] ? { kind: 'upsert', id, row: data[0] } : { kind: 'remove', id },
        ),
        catchError(() => of<Change<T>>({ kind: 'remove', id })),
      );
    }
    if (event.row) return of({ kind: 'upsert', id, row: event.row });
    return api.getOne<T>(name, id).pipe(
      map((row): Change<T> => ({ kind: 'upsert', id, row })),
      // Gone or no longer readable: it leaves the list.
      catchError(() => of<Change<T>>({ kind: 'remove', id })),
    );
  };

  return new Observable<T[]>((subscriber) => {
    let rows: T[] = [];
    let loaded = false;
    let pending: Change<T>[] | null = [];
    let load: Subscription | null = null;
    const teardown = new Subscription();

    const emit = () => subscriber.next(rows);
    const apply = (change: Change<T>) => {
      if (pending) pending.push(change);
      else {
        rows = applyChange(rows, change, sorts, params.pageSize);
        emit();
      }
    };
    const reload = () => {
      pending ??= [];
      load?.unsubscribe();
      load = api.getList<T>(name, query).subscribe({
        next: (list) => {
          let next = list.data ?? [];
          for (const change of pending ?? [])
            next = applyChange(next, change, sorts, params.pageSize);
          pending = null;
          rows = next;
          loaded = true;
          emit();
        },
        error: (error: unknown) => {
          // The server is unreachable (status 0): the socket's next authorization reloads.
          // Any other first-load failure (403, 404, …) will not heal by itself: report it.
          if (!loaded && !isUnreachable(error)) subscriber.error(error);
          else if (loaded) {
            // Keep what we have; the next authorization reloads again.
            for (const change of pending ?? [])
              rows = applyChange(rows, change, sorts, params.pageSize);
            pending = null;
            emit();
          }
        },
      });
    };

    const events = (kind: string) => socket.on<BackandDataEvent<T>>(`${name}.${kind}`);
    teardown.add(
      merge(events('created'), events('updated'), events('deleted'))
        .pipe(concatMap(resolve))
        .subscribe(apply),
    );
    teardown.add(socket._authorized.subscribe(reload));
    reload();
    return () => {
      teardown.unsubscribe();
      load?.unsubscribe();
    };
  });
}

function isUnreachable(error: unknown): boolean {
  return error instanceof BackandError && error.status === 0;
}

function applyChange<T extends { id: BackandId }>(
  rows: T[],
  change: Change<T>,
  sorts: BackandSort[],
  limit: number | undefined,
): T[] {
  const index = rows.findIndex((row) => String(row.id) === change.id);
  if (change.kind === 'remove') {
    return index === -1 ? rows : [...rows.slice(0, index), ...rows.slice(index + 1)];
  }
  let next =
    index === -1 ? [...rows, change.row] : rows.map((row, i) => (i === index ? change.row : row));
  if (sorts.length) next = next.slice().sort(compareBy(sorts));
  return limit !== undefined && next.length > limit ? next.slice(0, limit) : next;
}

function compareBy<T>(sorts: BackandSort[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const { fieldName, order } of sorts) {
      const x = (a as Record<string, unknown>)[fieldName];
      const y = (b as Record<string, unknown>)[fieldName];
      const result = compareValues(x, y);
      if (result !== 0) return order === 'desc' ? -result : result;
    }
    return 0;
  };
}

function compareValues(x: unknown, y: unknown): number {
  if (x === y) return 0;
  if (x === null || x === undefined) return -1;
  if (y === null || y === undefined) return 1;
  const nx = Number(x);
  const ny = Number(y);
  if (!Number.isNaN(nx) && !Number.isNaN(ny) && typeof x !== 'boolean') return nx - ny;
  return String(x).localeCompare(String(y));
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
