import { provideHttpClient, withFetch } from '@angular/common/http';
import { ApplicationConfig, inject, provideZonelessChangeDetection } from '@angular/core';
import { provideBackand } from 'ngx-backand';
import { ConsoleCredentials } from './auth/console-credentials';
import { CONSOLE_APP_NAME } from './auth/console-app-name';

/**
 * The console's providers: zoneless, and ngx-backand pointed at the server that served the page.
 * Every call carries the admin's credential (bearer or master key); the socket goes to the
 * console's own Socket.IO server (`/_console/socket.io`), where only admins are let in.
 */
export function consoleConfig(appName: string, origin: string): ApplicationConfig {
  return {
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withFetch()),
      { provide: CONSOLE_APP_NAME, useValue: appName },
      provideBackand(() => {
        const credentials = inject(ConsoleCredentials);
        return {
          appName,
          apiUrl: origin,
          socketUrl: `${origin}/_console`,
          runSocket: true,
          useAnonymousTokenByDefault: false,
          manageRefreshToken: false,
          storage: 'memory',
          tokenProvider: () => credentials.authorization(),
        };
      }),
    ],
  };
}
