/*
 * Public API of ngx-backand. Only what is listed here is supported; everything prefixed `_`
 * is internal and may change in any release.
 */
export {
  BACKAND_CONFIG,
  BACKAND_DEFAULT_API_URL,
  type BackandConfig,
  type BackandStorageOption,
  type BackandTokenProvider,
  type ResolvedBackandConfig,
} from './lib/backand-config';
export { type BackandStorage, MemoryBackandStorage } from './lib/backand-storage';
export { BackandError } from './lib/backand-error';
export { type BackandEventData, type BackandEventMap } from './lib/backand-event-map';
export type {
  BackandBulkRequest,
  BackandDataEvent,
  BackandFilter,
  BackandGetOneParams,
  BackandList,
  BackandListParams,
  BackandMetadataResult,
  BackandSignupResponse,
  BackandSocketState,
  BackandSort,
  BackandTokenResponse,
  BackandUser,
  BackandWriteParams,
} from './lib/backand-types';
export type {
  BackandActionApi,
  BackandFileApi,
  BackandFunctionApi,
  BackandId,
  BackandObjectApi,
  BackandQueryApi,
} from './lib/backand-rest';
export { provideBackand } from './lib/provide-backand';
export { BackandModule } from './lib/backand.module';
export { BackandService } from './lib/backand.service';
export { BackandSocketService } from './lib/backand-socket.service';
export { type BackandListenOptions } from './lib/listen-with-lifecycle';
export { BACKAND_LIVE_DEFAULT_PAGE_SIZE, injectBackandList, liveList } from './lib/live-list';
export { type BackandInjectOptions, injectBackandEvent } from './lib/inject-backand';
// Internal, for ngx-backand/testing only.
export {
  _BACKAND_SOCKET_FACTORY,
  type _BackandSocketFactory,
  type _BackandSocketLike,
} from './lib/backand-socket-factory';
