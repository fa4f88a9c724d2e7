import { HttpError } from '../http/http-error';
import { decodePlusEncoded, decodeTwiceEncoded } from '../http/legacy-encoding';
import { noSqlFilterOf } from './nosql/nosql-list';

/** The 13 filter operators of the Backand protocol. */
export const FILTER_OPERATORS = [
  'equals',
  'notEquals',
  'greaterThan',
  'greaterThanOrEqualsTo',
  'lessThan',
  'lessThanOrEqualsTo',
  'empty',
  'notEmpty',
  'startsWith',
  'endsWith',
  'contains',
  'notContains',
  'in',
] as const;
/** One of {@link FILTER_OPERATORS}. */
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** One filter condition. */
export interface FilterItem {
  fieldName: string;
  operator: FilterOperator;
  value: unknown;
}

/** One sort key. */
export interface SortItem {
  fieldName: string;
  order: 'asc' | 'desc';
}

/** The parsed query parameters of a list request. */
export interface ListParams {
  pageSize: number;
  pageNumber: number;
  filter: FilterItem[];
  sort: SortItem[];
  search: string;
  excludeMetadata: boolean;
  excludeTotalRows: boolean;
  /** A NoSQL `filter` (`{"q": …}` or a whole query), instead of `filter` items. */
  nosql?: Record<string, unknown>;
}

/** Rows per page when the client asks for none. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest page the server returns; larger requests get this many rows. */
export const MAX_PAGE_SIZE = 200;

/** The highest page number accepted: its row offset stays an exact integer. */
export const MAX_PAGE_NUMBER = 1_000_000_000;

type Query = Record<string, unknown>;

/** Parses a URL-encoded JSON query parameter; `undefined` when absent or empty. */
export function parseJsonParam(query: Query, name: string): unknown {
  const raw = first(query[name]);
  if (raw === undefined || raw === '') return undefined;
  try {
    return decodePlusEncoded(JSON.parse(raw) as unknown);
  } catch {
    throw new HttpError(400, `Query parameter "${name}" is not valid JSON`);
  }
}

/** The `parameters` query parameter as an object (`{}` when absent). */
export function parseParameters(query: Query): Record<string, unknown> {
  const value = parseJsonParam(query, 'parameters');
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'Query parameter "parameters" must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** The `exclude` query parameter (`metadata,totalRows`) as lower-case names. */
export function parseExclude(query: Query): Set<string> {
  return new Set(
    decodeTwiceEncoded(first(query['exclude']) ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase()),
  );
}

/** Parses `pageSize`, `pageNumber`, `filter`, `sort`, `search` and `exclude`. */
export function parseListParams(query: Query): ListParams {
  const pageSize = positiveInt(query, 'pageSize', DEFAULT_PAGE_SIZE);
  const exclude = parseExclude(query);
  const filter = parseJsonParam(query, 'filter');
  const nosql = noSqlFilterOf(filter);
  return {
    pageSize: Math.min(pageSize, MAX_PAGE_SIZE),
    pageNumber: positiveInt(query, 'pageNumber', 1, MAX_PAGE_NUMBER),
    ...(nosql ? { nosql } : {}),
    filter: nosql ? [] : parseFilter(filter),
    sort: parseSort(parseJsonParam(query, 'sort')),
    search: decodeTwiceEncoded(first(query['search']) ?? ''),
    excludeMetadata: exclude.has('metadata'),
    excludeTotalRows: exclude.has('totalrows'),
  };
}

/** Parses a `filter` value (one item or an array of `{fieldName, operator, value}`). @throws HttpError 400 */
export function parseFilter(value: unknown): FilterItem[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      throw new HttpError(400, `filter[${i}] must be an object {fieldName, operator, value}`);
    }
    const { fieldName, operator, value: v } = item as Record<string, unknown>;
    if (typeof fieldName !== 'string' || fieldName === '') {
      throw new HttpError(400, `filter[${i}].fieldName must be a non-empty string`);
    }
    const op = FILTER_OPERATORS.find(
      (o) => typeof operator === 'string' && o.toLowerCase() === operator.toLowerCase(),
    );
    if (!op) {
      throw new HttpError(
        400,
        `filter[${i}].operator must be one of ${FILTER_OPERATORS.join(', ')}, got ${JSON.stringify(operator)}`,
      );
    }
    return { fieldName, operator: op, value: v };
  });
}

/** Parses a `sort` value (one item or an array of `{fieldName, order}`). @throws HttpError 400 */
export function parseSort(value: unknown): SortItem[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      throw new HttpError(400, `sort[${i}] must be an object {fieldName, order}`);
    }
    const { fieldName, order } = item as Record<string, unknown>;
    if (typeof fieldName !== 'string' || fieldName === '') {
      throw new HttpError(400, `sort[${i}].fieldName must be a non-empty string`);
    }
    const o = order === undefined || order === null ? 'asc' : String(order).toLowerCase();
    if (o !== 'asc' && o !== 'desc') {
      throw new HttpError(400, `sort[${i}].order must be "asc" or "desc"`);
    }
    return { fieldName, order: o };
  });
}

function positiveInt(query: Query, name: string, fallback: number, max?: number): number {
  const raw = first(query[name]);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new HttpError(400, `Query parameter "${name}" must be a positive integer`);
  }
  const n = Number(raw);
  if (max !== undefined && (!Number.isSafeInteger(n) || n > max)) {
    throw new HttpError(400, `Query parameter "${name}" must be at most ${max}`);
  }
  return n;
}

function first(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
  return value === undefined || value === null ? undefined : String(value);
}
