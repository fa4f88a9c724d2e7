import { InjectionToken } from '@angular/core';

/** The name of the app the console belongs to (from `GET /api/console/meta`). */
export const CONSOLE_APP_NAME = new InjectionToken<string>('backand-console CONSOLE_APP_NAME');
