import { provideHttpClient, withFetch } from '@angular/common/http';
import {
  type EnvironmentInjector,
  Injector,
  PLATFORM_ID,
  type Provider,
  type EnvironmentProviders,
  createEnvironmentInjector,
  provideZonelessChangeDetection,
  ɵINJECTOR_SCOPE,
} from '@angular/core';
import { type Observable, firstValueFrom, take, toArray } from 'rxjs';
import {
  type BackandConfig,
  BackandService,
  BackandSocketService,
  provideBackand,
} from 'ngx-backand';

/** One "browser tab": its own root injector, HttpClient (real fetch), session and socket. */
export interface TestApp {
  readonly injector: EnvironmentInjector;
  readonly backand: BackandService;
  readonly socket: BackandSocketService;
  destroy(): void;
}

/**
 * An app instance without TestBed or a DOM: a root environment injector with what an
 * application would provide. `changeDetection` defaults to zoneless.
 */
export function createTestApp(
  apiUrl: string,
  config: Partial<BackandConfig> = {},
  changeDetection: (Provider | EnvironmentProviders)[] = [provideZonelessChangeDetection()],
): TestApp {
  const injector = createEnvironmentInjector(
    [
      // Makes this injector the app's root, so `providedIn: 'root'` services live here.
      { provide: ɵINJECTOR_SCOPE, useValue: 'root' },
      { provide: PLATFORM_ID, useValue: 'browser' },
      ...changeDetection,
      provideHttpClient(withFetch()),
      provideBackand({
        appName: 'demo',
        apiUrl,
        anonymousToken: 'demo-anonymous-token',
        signUpToken: 'demo-signup-token',
        runSocket: true,
        storage: 'memory',
        ...config,
      }),
    ],
    Injector.NULL as EnvironmentInjector,
  );
  return {
    injector,
    backand: injector.get(BackandService),
    socket: injector.get(BackandSocketService),
    destroy: () => injector.destroy(),
  };
}

/** Resolves once `condition()` holds; the test's timeout is the failure. */
export function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (condition()) return resolve();
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
}

/** The next `count` values of an observable (subscribed now). */
export function next<T>(source: Observable<T>, count = 1): Promise<T[]> {
  return firstValueFrom(source.pipe(take(count), toArray()));
}

/** Signs an app in and waits until its socket is authorized with the new identity. */
export async function signInAndListen(
  app: TestApp,
  username: string,
  password: string,
): Promise<void> {
  if (app.socket.state() === 'connecting') await until(() => app.socket.state() === 'authorized');
  const authorized = next(app.socket._authorized);
  await firstValueFrom(app.backand.signin(username, password));
  app.socket.connect();
  await authorized;
  await until(() => app.socket.state() === 'authorized');
}
