import { InjectionToken } from '@angular/core';
import type { Observable } from 'rxjs';
import type { BackandStorage } from './backand-storage';

/**
 * Where the SDK keeps the signed-in user and tokens.
 * `'local'` and `'session'` use the browser's Web Storage, `'memory'` keeps them for the page's
 * lifetime only; any object with `getItem`/`setItem`/`removeItem` works as well.
 *
 * @example
 * provideBackand({ appName: 'demo', storage: 'session' });
 */
export type BackandStorageOption = 'local' | 'session' | 'memory' | BackandStorage;

/**
 * A bearer token source for apps whose identity comes from elsewhere (an OIDC library, a
 * parent frame…). It may answer synchronously, with a Promise or with an Observable; `null`
 * means "no user", the SDK then falls back to the anonymous token when allowed.
 *
 * @example
 * provideBackand({ appName: 'demo', tokenProvider: () => inject(OidcService).accessToken() });
 */
export type BackandTokenProvider = () =>
  string | null | Promise<string | null> | Observable<string | null>;

/**
 * The options of `provideBackand()` / `BackandModule.forRoot()`.
 * Only `appName` is required; every other option has the default of Backand's own SDK,
 * except `apiUrl`, which points at a local `backand-server`.
 *
 * @example
 * const config: BackandConfig = {
 *   appName: 'demo',
 *   anonymousToken: 'demo-anonymous-token',
 *   apiUrl: 'http://localhost:4000',
 *   runSocket: true,
 * };
 */
export interface BackandConfig {
  /** The Backand application name. Required. */
  appName: string;
  /** The app's anonymous token, sent as `AnonymousToken` for guests. */
  anonymousToken?: string;
  /** The app's sign-up token, sent as `SignUpToken` by `signup()`. */
  signUpToken?: string;
  /**
   * Base URL of the REST API. Default `'http://localhost:4000'`. A relative URL (`'/api'`, or
   * `''` for the document's own base URL) is resolved against the document's base URL
   * (`<base href>`) in the browser, and against `serverOrigin` on the server platform.
   */
  apiUrl?: string;
  /** Base URL of the realtime socket. Default: `apiUrl`. Relative like `apiUrl`. */
  socketUrl?: string;
  /**
   * The absolute origin (e.g. `'http://localhost:4000'`) that a relative `apiUrl` is resolved
   * against during server-side rendering, where there is no page to be relative to. Required
   * on the server platform when `apiUrl` is relative; ignored in the browser.
   */
  serverOrigin?: string;
  /** Connect the realtime socket on the first `on()` subscription. Default `false`, as in Backand. */
  runSocket?: boolean;
  /** Supplies the bearer token instead of the SDK's own sign-in. */
  tokenProvider?: BackandTokenProvider;
  /** Send the anonymous token when nobody is signed in. Default `true`. */
  useAnonymousTokenByDefault?: boolean;
  /** Refresh an expired access token with the refresh token, once, and replay. Default `true`. */
  manageRefreshToken?: boolean;
  /** Sign in right after a successful `signup()`. Default `true`. */
  runSigninAfterSignup?: boolean;
  /** Token storage. Default: `'local'` in a browser, `'memory'` elsewhere. */
  storage?: BackandStorageOption;
  /** Prefix of the storage keys. Default `'BACKAND_'`. */
  storagePrefix?: string;
}

/**
 * The configuration in effect: what the app passed, with every default applied and validated.
 *
 * @example
 * const apiUrl = inject(BACKAND_CONFIG).apiUrl;
 */
export interface ResolvedBackandConfig {
  readonly appName: string;
  readonly anonymousToken: string | null;
  readonly signUpToken: string | null;
  readonly apiUrl: string;
  readonly socketUrl: string;
  readonly runSocket: boolean;
  readonly tokenProvider: BackandTokenProvider | null;
  readonly useAnonymousTokenByDefault: boolean;
  readonly manageRefreshToken: boolean;
  readonly runSigninAfterSignup: boolean;
  readonly storage: BackandStorageOption | null;
  readonly storagePrefix: string;
}

/**
 * The default REST and socket URL: a local `backand-server` (`npx backand-server`).
 *
 * @example
 * provideBackand({ appName: 'demo', apiUrl: BACKAND_DEFAULT_API_URL });
 */
export const BACKAND_DEFAULT_API_URL = 'http://localhost:4000';

/**
 * The resolved configuration of the app (defaults applied). Provided by `provideBackand()`.
 *
 * @example
 * export class Footer { readonly appName = inject(BACKAND_CONFIG).appName; }
 */
export const BACKAND_CONFIG = new InjectionToken<ResolvedBackandConfig>(
  'ngx-backand BACKAND_CONFIG',
  // Reached only when no provideBackand() is above the injector: say what to do (not NG0201).
  { providedIn: 'root', factory: missingConfig },
);

function missingConfig(): never {
  throw new Error(
    typeof ngDevMode === 'undefined' || ngDevMode
      ? 'ngx-backand: no configuration (BACKAND_CONFIG). Call provideBackand({ appName, … }) in ' +
          'the application providers (app.config.ts / bootstrapApplication), or import ' +
          'BackandModule.forRoot({ appName, … }) in the root NgModule.'
      : 'ngx-backand: call provideBackand()',
  );
}

/**
 * What the app passed to `provideBackand()`: an object or a factory run in the injection context.
 * Internal: read `BACKAND_CONFIG` instead.
 */
export const _BACKAND_USER_CONFIG = new InjectionToken<BackandConfig | (() => BackandConfig)>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'ngx-backand _BACKAND_USER_CONFIG' : '',
);

/** Where relative URLs are resolved (see `BackandConfig.apiUrl`). */
export interface _BackandUrlContext {
  /** The document's base URL (browser), if any. */
  readonly base?: string | null;
  /** Running on the server platform: relative URLs need `serverOrigin`. */
  readonly server?: boolean;
}

/**
 * Applies the defaults of DESIGN §3 and rejects a configuration that cannot work, naming the option.
 * `storage: null` means "pick by platform" (decided by the storage factory).
 */
export function resolveBackandConfig(
  config: BackandConfig | null | undefined,
  context: _BackandUrlContext = {},
): ResolvedBackandConfig {
  if (!config || typeof config !== 'object') {
    fail('config');
  }
  if (typeof config.appName !== 'string' || config.appName.trim() === '') {
    fail('appName');
  }
  let base = context.base ?? null;
  if (context.server) {
    base = config.serverOrigin == null ? null : absolute('serverOrigin', config.serverOrigin);
  }
  const url = (option: string, value: string, protocols: string[]) =>
    normalizeUrl(option, value, protocols, base, !!context.server);
  const apiUrl = url('apiUrl', config.apiUrl ?? BACKAND_DEFAULT_API_URL, HTTP);
  const socketUrl = url('socketUrl', config.socketUrl ?? apiUrl, [...HTTP, 'ws:', 'wss:']);
  if (config.tokenProvider !== undefined && typeof config.tokenProvider !== 'function') {
    fail('tokenProvider');
  }
  const storage = config.storage ?? null;
  if (
    storage !== null &&
    typeof storage !== 'object' &&
    storage !== 'local' &&
    storage !== 'session' &&
    storage !== 'memory'
  ) {
    fail('storage');
  }
  return {
    appName: config.appName,
    anonymousToken: config.anonymousToken || null,
    signUpToken: config.signUpToken || null,
    apiUrl,
    socketUrl,
    runSocket: config.runSocket ?? false,
    tokenProvider: config.tokenProvider ?? null,
    useAnonymousTokenByDefault: config.useAnonymousTokenByDefault ?? true,
    manageRefreshToken: config.manageRefreshToken ?? true,
    runSigninAfterSignup: config.runSigninAfterSignup ?? true,
    storage,
    storagePrefix: config.storagePrefix ?? 'BACKAND_',
  };
}

const HTTP = ['http:', 'https:'];

/**
 * Throws a configuration error naming the option: a full sentence in development, the option's
 * name only in production builds (`ngDevMode` is `false` there, and the sentences are dropped).
 */
function fail(option: string, value?: unknown, relative = false): never {
  throw new Error(
    `ngx-backand: ${
      typeof ngDevMode === 'undefined' || ngDevMode
        ? configMessage(option, value, relative)
        : `invalid \`${option}\``
    }`,
  );
}

/** The development sentence of a configuration error. */
function configMessage(option: string, value: unknown, relative: boolean): string {
  const given = JSON.stringify(value);
  switch (option) {
    case 'config':
      return 'provideBackand() needs a configuration object with `appName`.';
    case 'appName':
      return 'the option `appName` is required (the Backand application name).';
    case 'tokenProvider':
      return 'the option `tokenProvider` must be a function.';
    case 'storage':
      return "the option `storage` must be 'local', 'session', 'memory' or a BackandStorage.";
  }
  return relative
    ? `the option \`${option}\` is relative (${given}), and a relative URL needs a page to be ` +
        'relative to: on the server platform, set `serverOrigin` to the absolute origin the ' +
        "server reaches the API at (e.g. serverOrigin: 'http://localhost:4000')."
    : `the option \`${option}\` must be an absolute ${
        option === 'socketUrl' ? 'http/https/ws/wss' : 'http/https'
      } URL, or a path relative to the page ('/api', ''), without query or hash, got ${given}.`;
}

function absolute(option: string, value: unknown): string {
  return normalizeUrl(option, value, HTTP, null, false);
}

function normalizeUrl(
  option: string,
  value: unknown,
  protocols: string[],
  base: string | null,
  server: boolean,
): string {
  let url: URL | null = null;
  if (typeof value === 'string') {
    try {
      url = new URL(value);
    } catch {
      url = null;
      // Relative: a path ('/api', './api') or '' (the document's base URL itself).
      if (/^(\/|\.|$)/.test(value)) {
        if (base !== null) {
          // Against the base without its query or hash (a page URL may carry them).
          const against = new URL(base);
          against.search = against.hash = '';
          url = new URL(value, against);
        } else if (server) {
          fail(option, value, true);
        }
      }
    }
  }
  if (!url || !protocols.includes(url.protocol) || url.search || url.hash) {
    fail(option, value);
  }
  // One canonical form (no trailing slash) so that paths can be appended and compared.
  return url.href.replace(/\/+$/, '');
}
