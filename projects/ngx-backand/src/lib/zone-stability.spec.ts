import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationRef, NgZone } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { filter, firstValueFrom } from 'rxjs';
import { FakeBackandSocket, provideBackandTesting } from 'ngx-backand/testing';
import { BackandSocketService } from './backand-socket.service';

// Run by both suites; with zone.js it shows that the socket's timers live outside the Angular
// zone (the fake keeps a heartbeat interval while connected, as a real socket does).
describe('application stability', () => {
  it('becomes stable while a socket is open and listening', async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideBackandTesting({}, { heartbeatMs: 60_000 }),
      ],
    });
    const socket = TestBed.inject(BackandSocketService);
    const fake = TestBed.inject(FakeBackandSocket);
    const seen: unknown[] = [];
    // Subscribe from inside the Angular zone, as a component would.
    TestBed.inject(NgZone).run(() => socket.on('tick').subscribe((d) => seen.push(d)));
    await fake.whenCreated();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(fake.connected).toBe(true);
    expect(socket.state()).toBe('authorized');

    const appRef = TestBed.inject(ApplicationRef);
    await firstValueFrom(appRef.isStable.pipe(filter(Boolean)));
    expect(fake.connected).toBe(true);

    // Events still arrive, inside the Angular zone when there is one.
    let inZone: boolean | null = null;
    socket.on('tick').subscribe(() => (inZone = NgZone.isInAngularZone()));
    fake.emit('tick', 1);
    expect(seen).toEqual([1]);
    expect(inZone).toBe('Zone' in globalThis);
  });
});
