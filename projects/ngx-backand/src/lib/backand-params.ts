import { HttpParameterCodec, HttpParams } from '@angular/common/http';
import type { BackandGetOneParams, BackandListParams, BackandWriteParams } from './backand-types';

// Angular's default codec leaves `:`, `,`, `$`… unescaped; JSON values travel fully encoded.
const STRICT_CODEC: HttpParameterCodec = {
  encodeKey: encodeURIComponent,
  encodeValue: encodeURIComponent,
  decodeKey: decodeURIComponent,
  decodeValue: decodeURIComponent,
};

type ParamValue = string | number | boolean | object | null | undefined;

/**
 * Builds query parameters the way docs/PROTOCOL.md §1 and §5.3 want them: scalars as text, `filter`, `sort`
 * and `parameters` as JSON (HttpParams URL-encodes them), `exclude` comma separated,
 * undefined values left out.
 */
export function backandParams(values: Record<string, ParamValue>): HttpParams {
  let params = new HttpParams({ encoder: STRICT_CODEC });
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue;
    params = params.set(key, encodeValue(key, value));
  }
  return params;
}

/** Query parameters of `getList()`. */
export function listParams(params: BackandListParams = {}): HttpParams {
  return backandParams({
    pageSize: params.pageSize,
    pageNumber: params.pageNumber,
    filter: params.filter,
    sort: params.sort,
    search: params.search === '' ? undefined : params.search,
    exclude: params.exclude,
    deep: params.deep,
    relatedObjects: params.relatedObjects,
  });
}

/** Query parameters of `getOne()`. */
export function getOneParams(params: BackandGetOneParams = {}): HttpParams {
  return backandParams({ deep: params.deep, exclude: params.exclude, level: params.level });
}

/** Query parameters of `create()`, `update()`, `remove()`. */
export function writeParams(params: BackandWriteParams = {}): HttpParams {
  return backandParams({
    returnObject: params.returnObject,
    deep: params.deep,
    parameters: params.parameters,
  });
}

function encodeValue(key: string, value: Exclude<ParamValue, null | undefined>): string {
  if (key === 'exclude' && Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
