import { ApplicationConfig, provideZonelessChangeDetection } from '@angular/core';
import { provideHttpClient, withFetch } from '@angular/common/http';
import { provideBackand } from 'ngx-backand';
import { resolveApiUrl } from './api-url';

/**
 * The demo's providers: zoneless change detection and ngx-backand pointed at the backand-server
 * that served this page (or `?api=`), with the demo app's public tokens.
 */
export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideHttpClient(withFetch()),
    provideBackand(() => ({
      appName: 'demo',
      anonymousToken: 'demo-anonymous-token',
      signUpToken: 'demo-signup-token',
      apiUrl: resolveApiUrl(window.location),
      runSocket: true,
      // One identity per tab, so two tabs of one browser can be two different users.
      storage: 'session',
    })),
  ],
};
