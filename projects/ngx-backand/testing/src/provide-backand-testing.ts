import { type EnvironmentProviders, inject, makeEnvironmentProviders } from '@angular/core';
import { _BACKAND_SOCKET_FACTORY, type BackandConfig, provideBackand } from 'ngx-backand';
import { FakeBackandSocket, type FakeBackandSocketOptions } from './fake-backand-socket';

/**
 * Backand for unit tests: `provideBackand()` with test defaults (app `test`, memory storage,
 * `runSocket` on, anonymous token `test-anonymous-token`) and a `FakeBackandSocket` in place of
 * Socket.IO. Use it instead of `provideBackand()`, with `provideHttpClient()` and
 * `provideHttpClientTesting()` for the REST side.
 *
 * @example
 * TestBed.configureTestingModule({
 *   providers: [provideHttpClient(), provideHttpClientTesting(), provideBackandTesting()],
 * });
 * const fake = TestBed.inject(FakeBackandSocket);
 */
export function provideBackandTesting(
  config: Partial<BackandConfig> = {},
  socket: FakeBackandSocketOptions = {},
): EnvironmentProviders {
  return makeEnvironmentProviders([
    provideBackand({
      appName: 'test',
      anonymousToken: 'test-anonymous-token',
      storage: 'memory',
      runSocket: true,
      ...config,
    }),
    { provide: FakeBackandSocket, useFactory: () => new FakeBackandSocket(socket) },
    {
      provide: _BACKAND_SOCKET_FACTORY,
      useFactory: () => {
        const fake = inject(FakeBackandSocket);
        return (url: string) => fake._create(url);
      },
    },
  ]);
}
