// zone.js with its Node patches (timers, EventEmitter, sockets), as an app's zone would track them.
import 'zone.js/node';
import {
  ApplicationRef,
  ErrorHandler,
  NgZone,
  provideZoneChangeDetection,
  ɵprovideZonelessChangeDetectionInternal,
} from '@angular/core';
import { filter, firstValueFrom } from 'rxjs';
import type { RunningServer } from '../../backand-server/src/server-options';
import { startTestServer } from '../../backand-server/src/testing/test-server';
import { type TestApp, createTestApp, until } from './harness';

let server: RunningServer;
let app: TestApp;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  app?.destroy();
  await server.close();
});

describe('with zone.js and a real socket', () => {
  it('the app becomes stable while the socket is open, and events re-enter the zone', async () => {
    app = createTestApp(server.url, {}, [
      // What bootstrapApplication provides in a zone.js app: Angular's scheduler, then the zone
      // (the later providers win), and BrowserModule's ErrorHandler.
      ɵprovideZonelessChangeDetectionInternal(),
      provideZoneChangeDetection(),
      { provide: ErrorHandler, useClass: ErrorHandler },
    ]);
    const zone = app.injector.get(NgZone);
    const appRef = app.injector.get(ApplicationRef);
    const received: { inZone: boolean; data: unknown }[] = [];
    // What a component does: sign in and listen from inside the Angular zone.
    await zone.run(() => firstValueFrom(app.backand.signin('ann@demo.test', 'ann-password')));
    zone.run(() =>
      app.backand
        .on('broadcast')
        .subscribe((data) => received.push({ inZone: NgZone.isInAngularZone(), data })),
    );
    await until(() => app.socket.state() === 'authorized');

    await firstValueFrom(appRef.isStable.pipe(filter(Boolean)));
    expect(app.socket.state()).toBe('authorized');

    await firstValueFrom(app.backand.object.action.post('items', 'broadcast', { message: 'z' }));
    await until(() => received.length === 1);
    expect(received[0]).toEqual({ inZone: true, data: expect.objectContaining({ message: 'z' }) });
    await firstValueFrom(appRef.isStable.pipe(filter(Boolean)));
  });
});
