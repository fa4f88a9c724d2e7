import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { DestroyRef, Injector, runInInjectionContext } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeBackandSocket, provideBackandTesting } from 'ngx-backand/testing';
import type { BackandConfig } from './backand-config';
import { BackandSocketService } from './backand-socket.service';
import { BackandService } from './backand.service';

function setup(config: Partial<BackandConfig> = {}, autoAuthorize = false) {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideBackandTesting(
        { apiUrl: 'http://api.test', socketUrl: 'http://socket.test', ...config },
        { autoAuthorize },
      ),
    ],
  });
  return {
    socket: TestBed.inject(BackandSocketService),
    backand: TestBed.inject(BackandService),
    fake: TestBed.inject(FakeBackandSocket),
    http: TestBed.inject(HttpTestingController),
  };
}

/** What the SDK wrote to the console during a test, one entry per call. */
function captureConsole() {
  const lines: { level: string; text: string }[] = [];
  for (const level of ['warn', 'info', 'error', 'log'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push({ level, text: args.map(String).join(' ') });
    });
  }
  return lines;
}

/** Runs `body` as a production build does: `ngDevMode` is `false`. */
async function inProductionMode(body: () => Promise<void> | void): Promise<void> {
  const global = globalThis as { ngDevMode?: unknown };
  const saved = global.ngDevMode;
  global.ngDevMode = false;
  try {
    await body();
  } finally {
    global.ngDevMode = saved;
  }
}

afterEach(() => jest.restoreAllMocks());

describe('diagnostics in dev mode', () => {
  it('says once why the server refused the login, with its reason', async () => {
    const lines = captureConsole();
    const { socket, backand, fake } = setup({ appName: 'wrong-app' });
    socket.on('items.updated').subscribe();
    await fake.whenCreated();
    fake.rejectLogin({ code: 'appName', message: 'unknown app "wrong-app"' });
    expect(socket.state()).toBe('notAuthorized');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('warn');
    expect(lines[0]!.text).toContain('http://socket.test');
    expect(lines[0]!.text).toContain("appName 'wrong-app'");
    expect(lines[0]!.text).toContain('unknown app "wrong-app" (appName)');

    // The next identity tries again and is refused for the same reason: not logged again.
    backand.useAnonymousAuth().subscribe();
    expect(fake.logins).toHaveLength(2);
    fake.rejectLogin({ code: 'appName', message: 'unknown app "wrong-app"' });
    expect(lines).toHaveLength(1);
  });

  it('names the usual suspects when the server gives no reason (older servers)', async () => {
    const lines = captureConsole();
    const { socket, fake } = setup();
    socket.on('items.updated').subscribe();
    await fake.whenCreated();
    fake.rejectLogin();
    expect(lines.map((l) => l.text)).toEqual([
      expect.stringMatching(
        /refused the socket's login.*gave no reason; check `appName` and the token/,
      ),
    ]);
  });

  it('reports an unreachable server once, not per retry, and a line when it is back', async () => {
    const lines = captureConsole();
    const { socket, fake } = setup({}, true);
    fake.reachable = false;
    socket.on('items.updated').subscribe();
    await fake.whenCreated();
    expect(socket.state()).toBe('connecting');
    for (let attempt = 0; attempt < 5; attempt++) fake.failConnection(new Error('xhr poll error'));
    expect(lines).toEqual([
      {
        level: 'warn',
        text: expect.stringMatching(
          /cannot reach the realtime server at http:\/\/socket\.test \(xhr poll error\)/,
        ),
      },
    ]);
    fake.reachable = true;
    fake.reconnect();
    expect(socket.state()).toBe('authorized');
    expect(lines[1]).toEqual({
      level: 'info',
      text: 'ngx-backand: the realtime server at http://socket.test is reachable again.',
    });
    // A second outage is reported again.
    fake.dropConnection();
    fake.failConnection();
    expect(lines).toHaveLength(3);
  });

  it('says nothing while all is well', async () => {
    const lines = captureConsole();
    const { socket, fake } = setup({}, true);
    socket.on('items.updated').subscribe();
    await fake.whenCreated();
    expect(socket.state()).toBe('authorized');
    fake.dropConnection();
    fake.reconnect();
    expect(lines).toEqual([]);
  });

  it('logs nothing in production builds', async () => {
    const lines = captureConsole();
    const { socket, fake } = setup();
    await inProductionMode(async () => {
      socket.on('items.updated').subscribe();
      await fake.whenCreated();
      fake.rejectLogin({ code: 'token', message: 'invalid or expired token' });
      fake.reachable = false;
      socket.connect();
      fake.failConnection();
      fake.reachable = true;
      fake.reconnect();
      socket.on('prod.event', () => undefined);
    });
    expect(lines).toEqual([]);
  });
});

describe('on(event, callback) without a lifecycle', () => {
  it('warns once per call site, naming the event and the fix', () => {
    const lines = captureConsole();
    const { backand } = setup();
    const subscriptions = [];
    // The same call site three times (a component re-created three times).
    for (let i = 0; i < 3; i++) subscriptions.push(backand.on('items_updated', (d) => void d));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('warn');
    expect(lines[0]!.text).toContain("on('items_updated', callback)");
    expect(lines[0]!.text).toContain('{ destroyRef }');
    expect(lines[0]!.text).toContain('ngOnInit');
    // Another call site warns on its own.
    subscriptions.push(backand.on('items_updated', (d) => console.debug(d)));
    expect(lines).toHaveLength(2);
    // The Subscription is still returned, and ends the listener.
    for (const s of subscriptions) s.unsubscribe();
    expect(subscriptions.every((s) => s.closed)).toBe(true);
  });

  it('does not warn with a DestroyRef, an injector, or in an injection context', () => {
    const lines = captureConsole();
    const { backand } = setup();
    const injector = TestBed.inject(Injector);
    backand.on('with.destroyRef', () => undefined, { destroyRef: injector.get(DestroyRef) });
    backand.on('with.injector', () => undefined, { injector });
    runInInjectionContext(injector, () => backand.on('in.context', () => undefined));
    expect(lines).toEqual([]);
  });

  it('does not warn in production builds', async () => {
    const lines = captureConsole();
    const { backand } = setup();
    await inProductionMode(() => void backand.on('prod.only', () => undefined));
    expect(lines).toEqual([]);
  });
});
