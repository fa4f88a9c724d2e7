/**
 * The signed-in user (or the guest after `useAnonymousAuth()`), as the `user` signal shows it.
 *
 * @example
 * const name = computed(() => inject(BackandService).user()?.fullName ?? 'nobody');
 */
export interface BackandUser {
  readonly username: string;
  readonly role: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly fullName: string;
  readonly userId: string | null;
  readonly regId: number;
  readonly appName: string;
  /** `true` for the guest identity of `useAnonymousAuth()`. */
  readonly anonymous: boolean;
}

/**
 * The answer of `POST /token` (docs/PROTOCOL.md §4.1).
 *
 * @example
 * backand.signin('ann@demo.test', 'ann-password').subscribe((user) => user.role);
 * // the session keeps the BackandTokenResponse, with `access_token` and `refresh_token`
 */
export interface BackandTokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  appName: string;
  username: string;
  role: string;
  firstName: string;
  lastName: string;
  fullName: string;
  regId: number;
  userId: string;
  refresh_token?: string;
}

/**
 * The answer of `signup()` (docs/PROTOCOL.md §4.2); `currentStatus` 1 means the user may sign in.
 *
 * @example
 * backand.signup('Ann', 'Lee', 'ann@x.test', 'pw', 'pw').subscribe((r) => r.currentStatus);
 */
export interface BackandSignupResponse {
  username: string;
  currentStatus: number;
  message: string;
  listOfPossibleStatus?: unknown;
}

/**
 * A filter of `getList()`. `value` is compared as the field's type.
 *
 * @example
 * const mine: BackandFilter = { fieldName: 'owner', operator: 'equals', value: 'ann@demo.test' };
 */
export interface BackandFilter {
  fieldName: string;
  operator:
    | 'equals'
    | 'notEquals'
    | 'greaterThan'
    | 'greaterThanOrEqualsTo'
    | 'lessThan'
    | 'lessThanOrEqualsTo'
    | 'empty'
    | 'notEmpty'
    | 'startsWith'
    | 'endsWith'
    | 'contains'
    | 'notContains'
    | 'in';
  value?: unknown;
}

/**
 * A sort clause of `getList()`.
 *
 * @example
 * const newestFirst: BackandSort = { fieldName: 'id', order: 'desc' };
 */
export interface BackandSort {
  fieldName: string;
  order: 'asc' | 'desc';
}

/**
 * Query options of `object.getList()` and `object.live()` (docs/PROTOCOL.md §5.3, §5.4; live lists §11).
 *
 * @example
 * backand.object.getList<Item>('items', { pageSize: 50, sort: [{ fieldName: 'id', order: 'asc' }] });
 */
export interface BackandListParams {
  pageSize?: number;
  pageNumber?: number;
  filter?: BackandFilter | BackandFilter[];
  sort?: BackandSort | BackandSort[];
  search?: string;
  /** `'metadata'`, `'totalRows'` or both, comma separated or as an array. */
  exclude?: string | string[];
  deep?: boolean;
  relatedObjects?: boolean;
}

/**
 * Query options of `object.getOne()`.
 *
 * @example
 * backand.object.getOne<Item>('items', 7, { deep: true });
 */
export interface BackandGetOneParams {
  deep?: boolean;
  exclude?: string | string[];
  level?: number;
}

/**
 * Query options of `create()`, `update()` and `remove()`.
 *
 * @example
 * backand.object.create<Item>('items', { name: 'x' }, { returnObject: true });
 */
export interface BackandWriteParams {
  returnObject?: boolean;
  deep?: boolean;
  /** Handed to the object's actions as their `parameters` argument. */
  parameters?: Record<string, unknown>;
}

/**
 * A page of rows from `object.getList()`.
 *
 * @example
 * backand.object.getList<Item>('items').subscribe(({ totalRows, data }) => …);
 */
export interface BackandList<T> {
  totalRows: number;
  data: T[];
}

/**
 * What a create or delete answers without `returnObject`.
 *
 * @example
 * backand.object.create('items', { name: 'x' }).subscribe((r) => r.__metadata.id);
 */
export interface BackandMetadataResult {
  __metadata: { id: string };
}

/**
 * One request of `bulk()` (at most 1000 per call).
 *
 * @example
 * backand.bulk([{ method: 'POST', url: '/1/objects/items', data: { name: 'a' } }]);
 */
export interface BackandBulkRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  data?: unknown;
  parameters?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * The data of an automatic `<object>.created|updated|deleted` event (docs/PROTOCOL.md §10.4).
 * `row` is present on `backand-server` (except on delete) and absent on older servers.
 *
 * @example
 * backand.on<BackandDataEvent<Item>>('items.created').subscribe((e) => e.row?.name);
 */
export interface BackandDataEvent<T = Record<string, unknown>> {
  id: string;
  objectName: string;
  event: 'created' | 'updated' | 'deleted';
  row?: T;
}

/**
 * The realtime connection state, as `BackandSocketService.state` shows it.
 *
 * @example
 * const online = computed(() => inject(BackandSocketService).state() === 'authorized');
 */
export type BackandSocketState = 'disconnected' | 'connecting' | 'authorized' | 'notAuthorized';
