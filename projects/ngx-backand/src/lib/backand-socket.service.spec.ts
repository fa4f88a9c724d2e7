import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Subscription } from 'rxjs';
import {
  FakeBackandSocket,
  type FakeBackandSocketOptions,
  provideBackandTesting,
} from 'ngx-backand/testing';
import type { BackandConfig } from './backand-config';
import { BackandSocketService } from './backand-socket.service';
import { BackandService } from './backand.service';

function setup(
  config: Partial<BackandConfig> = {},
  options: FakeBackandSocketOptions = {},
  extra: unknown[] = [],
) {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideBackandTesting({ apiUrl: 'http://api.test', ...config }, options),
      ...(extra as never[]),
    ],
  });
  return {
    socket: TestBed.inject(BackandSocketService),
    backand: TestBed.inject(BackandService),
    fake: TestBed.inject(FakeBackandSocket),
    http: TestBed.inject(HttpTestingController),
  };
}

async function signin(backand: BackandService, http: HttpTestingController, n = 1) {
  const done = new Promise((resolve) => backand.signin('ann@demo.test', 'pw').subscribe(resolve));
  http.expectOne('http://api.test/token').flush({
    access_token: `access-${n}`,
    token_type: 'bearer',
    username: 'ann@demo.test',
    role: 'User',
    refresh_token: 'r',
  });
  await done;
}

describe('BackandSocketService', () => {
  it('creates no socket before the first subscription', async () => {
    const { socket, fake } = setup();
    await Promise.resolve();
    expect(fake.url).toBeNull();
    expect(socket.state()).toBe('disconnected');
  });

  it('connects lazily on the first subscription and logs in as a guest', async () => {
    const { socket, fake } = setup({ socketUrl: 'http://socket.test' });
    socket.on('items_updated').subscribe();
    expect(socket.state()).toBe('connecting');
    await fake.whenCreated();
    await Promise.resolve();
    expect(fake.url).toBe('http://socket.test');
    expect(fake.logins).toEqual([[null, 'test-anonymous-token', 'test']]);
    expect(socket.state()).toBe('authorized');
  });

  it('does not connect on subscription when runSocket is off, only on connect()', async () => {
    const { socket, fake } = setup({ runSocket: false });
    socket.on('items_updated').subscribe();
    await Promise.resolve();
    expect(fake.url).toBeNull();
    socket.connect();
    await fake.whenCreated();
    await Promise.resolve();
    expect(fake.connected).toBe(true);
    expect(socket.state()).toBe('authorized');
  });

  it('delivers events to every subscriber', async () => {
    const { socket, fake } = setup();
    const a: unknown[] = [];
    const b: unknown[] = [];
    socket.on('broadcast').subscribe((d) => a.push(d));
    socket.on('broadcast').subscribe((d) => b.push(d));
    await fake.whenCreated();
    fake.emit('broadcast', { n: 1 });
    fake.emit('other', { n: 2 });
    expect(a).toEqual([{ n: 1 }]);
    expect(b).toEqual([{ n: 1 }]);
  });

  it('refcounts the socket handler: both leave → 0, one returns → 1', async () => {
    const { socket, fake } = setup();
    const first = socket.on('items_updated').subscribe();
    const second = socket.on('items_updated').subscribe();
    await fake.whenCreated();
    await Promise.resolve();
    expect(fake.listenerCount('items_updated')).toBe(1);
    first.unsubscribe();
    expect(fake.listenerCount('items_updated')).toBe(1);
    second.unsubscribe();
    expect(fake.listenerCount('items_updated')).toBe(0);
    const seen: unknown[] = [];
    socket.on('items_updated').subscribe((d) => seen.push(d));
    expect(fake.listenerCount('items_updated')).toBe(1);
    fake.emit('items_updated', 'x');
    expect(seen).toEqual(['x']);
  });

  it('logs in again on the same socket when the identity changes', async () => {
    const { socket, backand, fake, http } = setup();
    socket.on('x').subscribe();
    await fake.whenCreated();
    await Promise.resolve();
    await signin(backand, http);
    expect(fake.logins.at(-1)).toEqual(['Bearer access-1', null, 'test']);
    expect(fake.connectCalls).toBe(1);
    backand.signout().subscribe();
    http.expectOne('http://api.test/1/user/signout').flush({});
    expect(fake.logins.at(-1)).toEqual([null, 'test-anonymous-token', 'test']);
    expect(socket.state()).toBe('authorized');
  });

  it("does not take the server's sign-out notice for the answer to the guest login", async () => {
    const { socket, backand, fake, http } = setup({}, { autoAuthorize: false });
    socket.on('x').subscribe();
    await fake.whenCreated();
    await Promise.resolve();
    fake.authorize();
    await signin(backand, http);
    fake.authorize();
    backand.signout().subscribe();
    http.expectOne('http://api.test/1/user/signout').flush({});
    expect(fake.logins.at(-1)).toEqual([null, 'test-anonymous-token', 'test']);
    // The server's notice about the ended session arrives after the guest login went out.
    fake.revokeAccount();
    expect(socket.state()).toBe('connecting');
    expect(fake.connected).toBe(true);
    fake.authorize();
    expect(socket.state()).toBe('authorized');
  });

  it('stays connected after an account notice and logs in with the next identity', async () => {
    const { socket, backand, fake, http } = setup();
    socket.on('x').subscribe();
    await fake.whenCreated();
    await Promise.resolve();
    await signin(backand, http);
    expect(socket.state()).toBe('authorized');
    // Signed out from another tab, say: no login is pending here.
    fake.revokeAccount();
    expect(socket.state()).toBe('notAuthorized');
    expect(fake.connected).toBe(true);
    const logins = fake.logins.length;
    await signin(backand, http, 2);
    expect(fake.connectCalls).toBe(1);
    expect(fake.logins).toHaveLength(logins + 1);
    expect(socket.state()).toBe('authorized');
  });

  it('logs in on every reconnect and keeps its listeners', async () => {
    const { socket, fake } = setup();
    const seen: unknown[] = [];
    socket.on('broadcast').subscribe((d) => seen.push(d));
    await fake.whenCreated();
    await Promise.resolve();
    fake.dropConnection();
    expect(socket.state()).toBe('connecting');
    fake.reconnect();
    await Promise.resolve();
    expect(fake.logins).toHaveLength(2);
    expect(socket.state()).toBe('authorized');
    fake.emit('broadcast', 'after');
    expect(seen).toEqual(['after']);
  });

  it('stops after notAuthorized, and retries on the next identity change only', async () => {
    const { socket, backand, fake, http } = setup({}, { autoAuthorize: false });
    socket.on('x').subscribe();
    await fake.whenCreated();
    await Promise.resolve();
    expect(socket.state()).toBe('connecting');
    fake.rejectLogin();
    expect(socket.state()).toBe('notAuthorized');
    expect(fake.connected).toBe(false);
    socket.on('y').subscribe();
    expect(fake.connectCalls).toBe(1);
    await signin(backand, http);
    expect(fake.connectCalls).toBe(2);
    expect(fake.logins.at(-1)).toEqual(['Bearer access-1', null, 'test']);
    fake.authorize();
    expect(socket.state()).toBe('authorized');
  });

  it('stays down after the server drops it, until the identity changes', async () => {
    const { socket, backand, fake, http } = setup();
    socket.on('x').subscribe();
    await fake.whenCreated();
    await Promise.resolve();
    fake.dropConnection('io server disconnect');
    expect(socket.state()).toBe('disconnected');
    await signin(backand, http);
    expect(fake.connectCalls).toBe(2);
    expect(fake.logins.at(-1)).toEqual(['Bearer access-1', null, 'test']);
    expect(socket.state()).toBe('authorized');
  });

  it('takes only the answer to the latest login into account', async () => {
    const { socket, backand, fake, http } = setup({}, { autoAuthorize: false });
    socket.on('x').subscribe();
    await fake.whenCreated();
    await Promise.resolve();
    await signin(backand, http);
    expect(fake.logins).toHaveLength(2);
    // The guest login is refused, but the user's login supersedes it.
    fake.rejectLogin();
    expect(socket.state()).toBe('connecting');
    expect(fake.connected).toBe(true);
    fake.authorize();
    expect(socket.state()).toBe('authorized');
  });

  it('disconnect() closes the socket and connect() opens it again', async () => {
    const { socket, fake } = setup();
    socket.connect();
    await fake.whenCreated();
    await Promise.resolve();
    socket.disconnect();
    expect(fake.connected).toBe(false);
    expect(socket.state()).toBe('disconnected');
    socket.connect();
    expect(fake.connected).toBe(true);
    expect(socket.state()).toBe('authorized');
  });

  it('closes the socket and drops its handlers when the app is destroyed', async () => {
    const { socket, fake } = setup();
    socket.on('x').subscribe();
    await fake.whenCreated();
    await Promise.resolve();
    TestBed.resetTestingModule();
    expect(fake.connected).toBe(false);
    expect(fake.listenerCount('x')).toBe(0);
  });

  it('connects nothing on the server platform', async () => {
    const { socket, fake } = setup({}, {}, [{ provide: PLATFORM_ID, useValue: 'server' }]);
    const seen: unknown[] = [];
    const sub: Subscription = socket.on('x').subscribe((d) => seen.push(d));
    socket.connect();
    await Promise.resolve();
    await Promise.resolve();
    expect(fake.url).toBeNull();
    expect(fake.connectCalls).toBe(0);
    expect(socket.state()).toBe('disconnected');
    sub.unsubscribe();
  });
});
