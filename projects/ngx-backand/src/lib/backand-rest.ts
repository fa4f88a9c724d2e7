import { map, type Observable, throwError } from 'rxjs';
import { BackandError } from './backand-error';
import type { _BackandHttp } from './backand-http';
import { backandParams, getOneParams, listParams, writeParams } from './backand-params';
import type {
  BackandBulkRequest,
  BackandGetOneParams,
  BackandList,
  BackandListParams,
  BackandMetadataResult,
  BackandWriteParams,
} from './backand-types';

/**
 * A row id as the REST API takes it.
 *
 * @example
 * const id: BackandId = 7; // or '7'
 */
export type BackandId = string | number;

/**
 * On-demand actions of an object (docs/PROTOCOL.md §6.1).
 *
 * @example
 * backand.object.action.post('items', 'broadcast', { message: 'hi' }).subscribe();
 * backand.object.action.get<Stats>('items', 'stats', { since: '2024-01-01' }, { id: 7 });
 */
export interface BackandActionApi {
  get<R = unknown>(
    object: string,
    action: string,
    parameters?: Record<string, unknown>,
    options?: { id?: BackandId },
  ): Observable<R>;
  post<R = unknown>(
    object: string,
    action: string,
    data?: unknown,
    parameters?: Record<string, unknown>,
    options?: { id?: BackandId },
  ): Observable<R>;
}

/**
 * The objects (tables) of the app: CRUD (docs/PROTOCOL.md §5) and actions (§6.1). Live lists: `liveList()`.
 *
 * @example
 * backand.object.getList<Item>('items', { filter: { fieldName: 'done', operator: 'equals', value: false } });
 * backand.object.create<Item>('items', { name: 'milk' }, { returnObject: true });
 */
export interface BackandObjectApi {
  getList<T = Record<string, unknown>>(
    name: string,
    params?: BackandListParams,
  ): Observable<BackandList<T>>;
  getOne<T = Record<string, unknown>>(
    name: string,
    id: BackandId,
    params?: BackandGetOneParams,
  ): Observable<T>;
  create<T = Record<string, unknown>>(
    name: string,
    data: Partial<T>,
    params: BackandWriteParams & { returnObject: true },
  ): Observable<T>;
  create<T = Record<string, unknown>>(
    name: string,
    data: Partial<T>,
    params?: BackandWriteParams,
  ): Observable<BackandMetadataResult>;
  update<T = Record<string, unknown>>(
    name: string,
    id: BackandId,
    data: Partial<T>,
    params: BackandWriteParams & { returnObject: true },
  ): Observable<T>;
  update<T = Record<string, unknown>>(
    name: string,
    id: BackandId,
    data: Partial<T>,
    params?: BackandWriteParams,
  ): Observable<object>;
  remove(
    name: string,
    id: BackandId,
    params?: Pick<BackandWriteParams, 'parameters'>,
  ): Observable<BackandMetadataResult>;
  readonly action: BackandActionApi;
}

/**
 * Named, parameterised queries (`GET|POST /1/query/data/{name}`).
 *
 * @example
 * backand.query.get<{ count: number }>('itemsCount').subscribe(([row]) => row.count);
 */
export interface BackandQueryApi {
  get<R = Record<string, unknown>>(
    name: string,
    parameters?: Record<string, unknown>,
  ): Observable<R[]>;
  post<R = Record<string, unknown>>(
    name: string,
    parameters?: Record<string, unknown>,
  ): Observable<R[]>;
}

/**
 * Server functions (`GET|POST /1/function/general/{name}`).
 *
 * @example
 * backand.fn.post<Receipt>('checkout', { cart: 12 }).subscribe();
 */
export interface BackandFunctionApi {
  get<R = unknown>(name: string, parameters?: Record<string, unknown>): Observable<R>;
  post<R = unknown>(
    name: string,
    data?: unknown,
    parameters?: Record<string, unknown>,
  ): Observable<R>;
}

/**
 * Files through an object's file action (base64 data). The server lets only callers who may read
 * a file download it; the URLs it answers are signed and short-lived (backand-server:
 * `fileUrlTtlSeconds`, default one hour), so keep the file name and ask for a fresh URL.
 *
 * @example
 * backand.file.upload('items', 'files', 'a.txt', btoa('hello')).subscribe(({ url }) => url);
 * backand.file.url('items', 'files', 'a.txt').subscribe((url) => (img.src = url));
 */
export interface BackandFileApi {
  /** Stores a file (replacing one of that name); answers a URL to it. */
  upload(
    object: string,
    fileAction: string,
    filename: string,
    filedata: string,
  ): Observable<{ url: string }>;
  /** Removes a stored file. */
  remove(object: string, fileAction: string, filename: string): Observable<unknown>;
  /**
   * A fresh signed URL to a stored file, usable where no credentials can be sent (`<img src>`,
   * download links) until it expires. Errors with 404 for a missing file (or one the user may
   * not read).
   *
   * @example
   * readonly avatar = toSignal(inject(BackandService).file.url('profiles', 'files', 'me.png'));
   */
  url(object: string, fileAction: string, filename: string): Observable<string>;
}

const seg = (value: BackandId) => encodeURIComponent(String(value));

/** `BackandService.object`. */
export function createObjectApi(http: _BackandHttp): BackandObjectApi {
  const actionPath = (object: string, id?: BackandId) =>
    `/1/objects/action/${seg(object)}${id === undefined ? '' : `/${seg(id)}`}`;
  return {
    getList: <T>(name: string, params?: BackandListParams) =>
      http.request<BackandList<T>>('GET', `/1/objects/${seg(name)}`, {
        params: listParams(params),
      }),
    getOne: <T>(name: string, id: BackandId, params?: BackandGetOneParams) =>
      http.request<T>('GET', `/1/objects/${seg(name)}/${seg(id)}`, {
        params: getOneParams(params),
      }),
    create: (name: string, data: unknown, params?: BackandWriteParams) =>
      http.request<never>('POST', `/1/objects/${seg(name)}`, {
        body: data,
        params: writeParams(params),
      }),
    update: (name: string, id: BackandId, data: unknown, params?: BackandWriteParams) =>
      http.request<never>('PUT', `/1/objects/${seg(name)}/${seg(id)}`, {
        body: data,
        params: writeParams(params),
      }),
    remove: (name: string, id: BackandId, params?: Pick<BackandWriteParams, 'parameters'>) =>
      http.request<BackandMetadataResult>('DELETE', `/1/objects/${seg(name)}/${seg(id)}`, {
        params: writeParams(params),
      }),
    action: {
      get: <R>(object: string, action: string, parameters?: object, options?: { id?: BackandId }) =>
        http.request<R>('GET', actionPath(object, options?.id), {
          params: backandParams({ name: action, parameters }),
        }),
      post: <R>(
        object: string,
        action: string,
        data?: unknown,
        parameters?: object,
        options?: { id?: BackandId },
      ) =>
        http.request<R>('POST', actionPath(object, options?.id), {
          body: data ?? {},
          params: backandParams({ name: action, parameters }),
        }),
    },
  } as BackandObjectApi;
}

/** `BackandService.query`. */
export function createQueryApi(http: _BackandHttp): BackandQueryApi {
  return {
    get: <R>(name: string, parameters?: object) =>
      http.request<R[]>('GET', `/1/query/data/${seg(name)}`, {
        params: backandParams({ parameters }),
      }),
    post: <R>(name: string, parameters?: object) =>
      http.request<R[]>('POST', `/1/query/data/${seg(name)}`, {
        body: { parameters: parameters ?? {} },
      }),
  };
}

/** `BackandService.fn`. */
export function createFunctionApi(http: _BackandHttp): BackandFunctionApi {
  return {
    get: <R>(name: string, parameters?: object) =>
      http.request<R>('GET', `/1/function/general/${seg(name)}`, {
        params: backandParams({ parameters }),
      }),
    post: <R>(name: string, data?: unknown, parameters?: object) =>
      http.request<R>('POST', `/1/function/general/${seg(name)}`, {
        body: data ?? {},
        params: backandParams({ parameters }),
      }),
  };
}

/** `BackandService.file`. */
export function createFileApi(http: _BackandHttp): BackandFileApi {
  const path = (object: string) => `/1/objects/action/${seg(object)}`;
  return {
    upload: (object, fileAction, filename, filedata) =>
      http.request<{ url: string }>('POST', path(object), {
        body: { filename, filedata },
        params: backandParams({ name: fileAction }),
      }),
    remove: (object, fileAction, filename) =>
      http.request<unknown>('DELETE', path(object), {
        body: { filename },
        params: backandParams({ name: fileAction }),
      }),
    url: (object, fileAction, filename) =>
      http
        .request<{ url: string }>('GET', path(object), {
          params: backandParams({ name: fileAction, filename }),
        })
        .pipe(map(({ url }) => url)),
  };
}

/** `BackandService.bulk`: at most 1000 requests per call (docs/PROTOCOL.md §8). */
export function createBulk(http: _BackandHttp) {
  return <R = unknown>(requests: BackandBulkRequest[]): Observable<R[]> =>
    requests.length > 1000
      ? throwError(() => new BackandError(0, 'bulk() takes at most 1000 requests per call.'))
      : http.request<R[]>('POST', '/1/bulk', { body: requests });
}
