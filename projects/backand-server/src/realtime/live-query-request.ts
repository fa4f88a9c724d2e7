import { HttpError } from '../http/http-error';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  parseFilter,
  parseSort,
  type FilterItem,
  type SortItem,
} from '../objects/list-params';

/** The longest `search` text a live query takes. */
export const MAX_LIVE_SEARCH_LENGTH = 1000;

/** What a `liveQuery` subscribe message asks for: page 1 of a list, kept current. */
export interface LiveQuerySpec {
  object: string;
  filter: FilterItem[];
  sort: SortItem[];
  search: string;
  /** Rows in the window (1 … {@link MAX_PAGE_SIZE}; larger requests get the maximum). */
  pageSize: number;
}

/**
 * Checks the payload of a `liveQuery` subscribe message: `{object, filter?, sort?, search?,
 * pageSize?}`, with `filter` and `sort` as JSON values (not URL-encoded strings).
 *
 * @throws HttpError 400 naming what is wrong.
 * @example
 * parseLiveQuery({ object: 'items', filter: [{ fieldName: 'done', operator: 'equals', value: false }] });
 */
export function parseLiveQuery(payload: unknown): LiveQuerySpec {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new HttpError(
      400,
      'A live query must be an object {object, filter, sort, search, pageSize}',
    );
  }
  const p = payload as Record<string, unknown>;
  if (typeof p['object'] !== 'string' || p['object'] === '') {
    throw new HttpError(400, 'A live query needs "object", the name of an object');
  }
  const search = p['search'] ?? '';
  if (typeof search !== 'string' || search.length > MAX_LIVE_SEARCH_LENGTH) {
    throw new HttpError(
      400,
      `"search" must be a string of at most ${MAX_LIVE_SEARCH_LENGTH} characters`,
    );
  }
  const size = p['pageSize'] ?? DEFAULT_PAGE_SIZE;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new HttpError(400, '"pageSize" must be a positive integer');
  }
  return {
    object: p['object'],
    filter: parseFilter(p['filter']),
    sort: parseSort(p['sort']),
    search,
    pageSize: Math.min(size, MAX_PAGE_SIZE),
  };
}
