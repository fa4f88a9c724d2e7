import { isPlatformServer } from '@angular/common';
import {
  DOCUMENT,
  type EnvironmentProviders,
  InjectionToken,
  PLATFORM_ID,
  type Provider,
  inject,
  makeEnvironmentProviders,
  provideEnvironmentInitializer,
} from '@angular/core';
import {
  BACKAND_CONFIG,
  type BackandConfig,
  _BACKAND_USER_CONFIG,
  resolveBackandConfig,
} from './backand-config';

/** Marks an injector that received `provideBackand()`; multi, so two calls in one list show. */
export const _BACKAND_PROVIDED = new InjectionToken<true[]>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'ngx-backand _BACKAND_PROVIDED' : '',
);

/**
 * Fails when Backand is configured twice: twice in one provider list, or again in a child
 * injector (a lazy route) while the root has it, which would create a second session.
 */
export function _backandGuard(): void {
  const here = inject(_BACKAND_PROVIDED);
  const above = inject(_BACKAND_PROVIDED, { optional: true, skipSelf: true });
  if (here.length > 1 || above) {
    throw new Error(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'ngx-backand: provideBackand() / BackandModule.forRoot() was provided more than once. ' +
            'Provide it once, in the application config (or the root module).'
        : 'ngx-backand: provided more than once',
    );
  }
}

/** The providers shared by `provideBackand()` and `BackandModule.forRoot()`. */
export function _backandProviders(
  config: BackandConfig | (() => BackandConfig),
): (Provider | EnvironmentProviders)[] {
  return [
    { provide: _BACKAND_PROVIDED, useValue: true, multi: true },
    { provide: _BACKAND_USER_CONFIG, useValue: config },
    {
      provide: BACKAND_CONFIG,
      useFactory: () => {
        const given = inject(_BACKAND_USER_CONFIG);
        const server = isPlatformServer(inject(PLATFORM_ID));
        return resolveBackandConfig(typeof given === 'function' ? given() : given, {
          server,
          // Relative URLs resolve against the page's base URL (`<base href>`), in the browser.
          base: server ? null : (inject(DOCUMENT, { optional: true })?.baseURI ?? null),
        });
      },
    },
    // Resolving the configuration here makes a bad one fail at start-up, not at first use.
    provideEnvironmentInitializer(() => {
      _backandGuard();
      inject(BACKAND_CONFIG);
    }),
  ];
}

/**
 * Configures Backand for a standalone app. The factory form runs in the injection context,
 * so it may `inject()` (an environment service, a runtime config…). A missing `appName` or a
 * malformed URL fails at start-up, naming the option.
 *
 * @example
 * bootstrapApplication(App, {
 *   providers: [
 *     provideHttpClient(withFetch()),
 *     provideBackand({ appName: 'demo', anonymousToken: 'demo-anonymous-token', runSocket: true }),
 *   ],
 * });
 */
export function provideBackand(
  config: BackandConfig | (() => BackandConfig),
): EnvironmentProviders {
  return makeEnvironmentProviders(_backandProviders(config));
}
