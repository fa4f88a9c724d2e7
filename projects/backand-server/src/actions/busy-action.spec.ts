import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type ApiResponse, type Auth } from '../testing/http-client';
import { startTestServer } from '../testing/test-server';

const fn = (body: string) =>
  `function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;

const busyApp: AppDefinitionInput = {
  appName: 'busyapp',
  anonymousToken: 'busy-anon',
  // Long enough that the requests below are answered well within it on a loaded machine; the
  // test does not depend on it otherwise.
  actionTimeoutMs: 3000,
  objects: {
    jobs: {
      fields: { title: 'string' },
      permissions: { Public: 'crud' },
      actions: [
        { name: 'spin', trigger: 'onDemand', code: fn("console.log('spinning'); while (true) {}") },
        { name: 'quick', trigger: 'onDemand', code: fn('return { n: parameters.n * 2 };') },
        {
          name: 'chatty',
          trigger: 'onDemand',
          code: fn(
            "console.log('hello', { n: 1 }); console.warn('careful'); console.error('bad', 2); return 1;",
          ),
        },
      ],
    },
    notes: { fields: { text: 'string' }, permissions: { Public: 'crud' } },
  },
};

interface LogLine {
  level: number;
  action?: string;
  msg?: string;
}

describe('a busy action does not stall the server', () => {
  let server: RunningServer;
  const lines: LogLine[] = [];
  const waiting: Array<{ match: (l: LogLine) => boolean; resolve: () => void }> = [];
  const ANON: Auth = { anonymous: 'busy-anon' };

  beforeAll(async () => {
    server = await startTestServer(busyApp, {
      logLevel: 'info',
      logStream: {
        write(text: string) {
          const line = JSON.parse(text) as LogLine;
          lines.push(line);
          for (const w of waiting.filter((x) => x.match(line))) w.resolve();
        },
      },
    });
    await api(server.url, 'POST', '/1/objects/notes', ANON, { text: 'kept' });
  });
  afterAll(() => server.close(), 30_000);

  /** Resolves once a log line of `action` with message `msg` has been written. */
  const logged = (action: string, msg: string) =>
    new Promise<void>((resolve) => {
      const match = (l: LogLine) => l.action === action && l.msg === msg;
      if (lines.some(match)) resolve();
      else waiting.push({ match, resolve });
    });
  const action = (name: string, body: unknown = {}) =>
    api(server.url, 'POST', `/1/objects/action/jobs?name=${name}`, ANON, body);

  it('answers a GET and another action while one action spins; the spinner then gets 417', async () => {
    // Two runs at once start both workers of the pool.
    const warm = await Promise.all([action('quick', { n: 1 }), action('quick', { n: 2 })]);
    expect(warm.map((r) => r.body)).toEqual([{ n: 2 }, { n: 4 }]);

    let spinAnswered = false;
    const spinning = action('spin').then((res: ApiResponse) => {
      spinAnswered = true;
      return res;
    });
    // The action logs just before its loop: from here on it is spinning.
    await logged('spin', 'spinning');

    const list = await api(server.url, 'GET', '/1/objects/notes', ANON);
    expect(list.body.data).toEqual([expect.objectContaining({ text: 'kept' })]);
    expect(spinAnswered).toBe(false);
    expect((await action('quick', { n: 21 })).body).toEqual({ n: 42 });
    expect(spinAnswered).toBe(false);

    const spun = await spinning;
    expect(spun.status).toBe(417);
    expect(spun.body).toEqual({ Message: 'action "spin" timed out after 3000 ms', action: 'spin' });
    expect((await action('quick', { n: 5 })).body).toEqual({ n: 10 });
  }, 30_000);

  it('writes console lines to the server log with the action name and level', async () => {
    expect((await action('chatty')).body).toBe(1);
    await logged('chatty', 'bad 2');
    expect(lines.filter((l) => l.action === 'chatty').map((l) => [l.level, l.msg])).toEqual([
      [30, 'hello {"n":1}'],
      [40, 'careful'],
      [50, 'bad 2'],
    ]);
  });
});

describe('closing the server while an action spins', () => {
  it('answers the spinning request at its limit, and close() then completes', async () => {
    let spinning!: () => void;
    const started = new Promise<void>((resolve) => (spinning = resolve));
    const server = await startTestServer(
      { ...busyApp, actionTimeoutMs: 300 },
      {
        logLevel: 'info',
        logStream: {
          write(text: string) {
            if ((JSON.parse(text) as LogLine).msg === 'spinning') spinning();
          },
        },
      },
    );
    const spin = api(server.url, 'POST', '/1/objects/action/jobs?name=spin', {
      anonymous: 'busy-anon',
    });
    await started;
    await server.close();
    expect(await spin).toMatchObject({ status: 417, body: { action: 'spin' } });
  }, 30_000);
});
