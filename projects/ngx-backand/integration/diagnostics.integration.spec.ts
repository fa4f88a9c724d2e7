import type { RunningServer } from '../../backand-server/src/server-options';
import { startTestServer } from '../../backand-server/src/testing/test-server';
import { type TestApp, createTestApp, until } from './harness';

/** The SDK's console lines (warn and info) during a test. */
function captureConsole(): string[] {
  const lines: string[] = [];
  for (const level of ['warn', 'info'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
  return lines;
}

describe('dev-mode diagnostics against a real backand-server', () => {
  let server: RunningServer | null = null;
  const apps: TestApp[] = [];

  afterEach(async () => {
    apps.splice(0).forEach((a) => a.destroy());
    await server?.close();
    server = null;
    jest.restoreAllMocks();
  });

  it('a wrong appName: notAuthorized, and one line with the server reason', async () => {
    server = await startTestServer();
    const lines = captureConsole();
    const app = createTestApp(server.url, { appName: 'wrong-app' });
    apps.push(app);
    app.backand.on('items.created').subscribe();
    await until(() => app.socket.state() === 'notAuthorized');
    await until(() => lines.length > 0);
    expect(lines).toEqual([
      expect.stringContaining(
        `the realtime server at ${server.url} refused the socket's login (appName 'wrong-app'): ` +
          'unknown app "wrong-app" (appName)',
      ),
    ]);
  });

  it('an invalid token: notAuthorized, and one line with the server reason', async () => {
    server = await startTestServer();
    const lines = captureConsole();
    const app = createTestApp(server.url, { tokenProvider: () => 'not-a-token' });
    apps.push(app);
    app.backand.on('items.created').subscribe();
    await until(() => app.socket.state() === 'notAuthorized');
    await until(() => lines.length > 0);
    expect(lines).toEqual([expect.stringContaining('invalid or expired token (token)')]);
  });

  it('an unreachable server: one line, however many retries, and one when it is back', async () => {
    // A port that was just free: nothing listens there until the server starts below.
    const probe = await startTestServer();
    const { port, url } = probe;
    await probe.close();
    const lines = captureConsole();
    const app = createTestApp(url);
    apps.push(app);
    app.backand.on('items.created').subscribe();
    await until(() => lines.length > 0);
    expect(lines).toEqual([expect.stringContaining(`cannot reach the realtime server at ${url}`)]);
    expect(app.socket.state()).toBe('connecting');

    server = await startTestServer(undefined, { port });
    await until(() => app.socket.state() === 'authorized');
    expect(lines).toEqual([
      expect.stringContaining(`cannot reach the realtime server at ${url}`),
      `ngx-backand: the realtime server at ${url} is reachable again.`,
    ]);
  });
});
