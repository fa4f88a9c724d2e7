import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { io } from 'socket.io-client';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

/**
 * Background jobs (Backand's getting_started/crons): scheduled actions, `/1/jobs/run/{id}` and
 * `/1/jobs/run/{id}/test`.
 */

const fn = (body: string) =>
  `function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;

const MASTER: Auth = {
  headers: { Authorization: `Basic ${Buffer.from('jobs-master:jobs-user').toString('base64')}` },
};

const app: AppDefinitionInput = {
  appName: 'jobs',
  anonymousToken: 'jobs-anon',
  masterToken: 'jobs-master',
  userToken: 'jobs-user',
  actionTimeoutMs: 3000,
  users: [
    { username: 'ada@jobs.test', password: 'ada-password', role: 'Admin' },
    { username: 'uma@jobs.test', password: 'uma-password', role: 'User' },
  ],
  objects: {
    reports: {
      fields: { title: 'string' },
      actions: [
        {
          name: 'report',
          trigger: 'onDemand',
          code: fn(
            "socket.emitAll('report_ran', { type: parameters.type, by: userProfile.role, user: userProfile.username, method: request.method }); return { type: parameters.type, apiUrl: CONSTS.apiUrl };",
          ),
        },
        { name: 'broken', trigger: 'onDemand', code: fn("throw new Error('report failed');") },
        {
          name: 'slow',
          trigger: 'onDemand',
          code: fn(
            'var end = Date.now() + 1500; while (Date.now() < end) {} return { slow: true };',
          ),
        },
      ],
    },
  },
  functions: [
    { name: 'tick', code: fn("socket.emitAll('tick', { n: parameters.n }); return 'ticked';") },
  ],
  jobs: [
    // "'parameters={type:1}' for job 1, and 'parameters={type:2}' for job 2"
    {
      name: 'job1',
      id: 1,
      schedule: '0 0 1 1 *',
      object: 'reports',
      action: 'report',
      parameters: { type: 1 },
    },
    {
      name: 'job2',
      id: 2,
      schedule: '0 0 1 1 *',
      object: 'reports',
      action: 'report',
      parameters: { type: 2 },
      method: 'POST',
      body: { type: 99, extra: true },
    },
    { name: 'every_second', schedule: '* * * * * *', function: 'tick', parameters: { n: 7 } },
    { name: 'failing', schedule: '* * * * * *', object: 'reports', action: 'broken' },
    { name: 'failingNow', schedule: '0 0 1 1 *', object: 'reports', action: 'broken' },
    { name: 'slowJob', schedule: '0 0 1 1 *', object: 'reports', action: 'slow', enabled: false },
  ],
};

describe('jobs (Backand docs: background jobs)', () => {
  let server: RunningServer;
  let ada: Auth;
  let uma: Auth;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    server = await startTestServer(app, {
      logLevel: 'info',
      logStream: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    ada = {
      bearer: (await signIn(server.url, 'ada@jobs.test', 'ada-password', 'jobs')).access_token,
    };
    uma = {
      bearer: (await signIn(server.url, 'uma@jobs.test', 'uma-password', 'jobs')).access_token,
    };
  });
  afterAll(() => server.close());

  it('runs a job synchronously with /test, by id or name, as the master key, with its parameters', async () => {
    const res = await api(server.url, 'GET', '/1/jobs/run/1/test', MASTER);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 1, apiUrl: server.url });
    const byName = await api(server.url, 'POST', '/1/jobs/run/job1/test', ada);
    expect(byName.body).toEqual({ type: 1, apiUrl: server.url });
    // A POST job: its body's fields join parameters, which win on a clash.
    const post = await api(server.url, 'GET', '/1/jobs/run/job2/test', MASTER);
    expect(post.body).toEqual({ type: 2, apiUrl: server.url });
  });

  it('starts a job with /run and answers at once; the job runs as Admin without a user', async () => {
    const socket = io(server.url, { transports: ['websocket'] });
    try {
      socket.on('connect', () =>
        socket.emit('login', `Bearer ${(ada as { bearer: string }).bearer}`, null, 'jobs'),
      );
      await new Promise((resolve) => socket.once('authorized', resolve));
      const ran = new Promise((resolve) => socket.once('report_ran', resolve));
      const res = await api(server.url, 'GET', '/1/jobs/run/2', MASTER);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ name: 'job2', status: 'started' });
      expect(await ran).toEqual({ type: 2, by: 'Admin', user: null, method: 'POST' });
    } finally {
      socket.close();
    }
  });

  it('lets only admins run jobs', async () => {
    expect((await api(server.url, 'GET', '/1/jobs/run/1', uma)).status).toBe(403);
    expect(
      (await api(server.url, 'GET', '/1/jobs/run/1/test', { anonymous: 'jobs-anon' })).status,
    ).toBe(403);
    expect((await api(server.url, 'GET', '/1/jobs/run/1', null)).status).toBe(401);
    expect((await api(server.url, 'GET', '/1/jobs/run/nope', MASTER)).status).toBe(404);
  });

  it('answers the action error of a failing job with /test (417)', async () => {
    const res = await api(server.url, 'GET', '/1/jobs/run/failingNow/test', MASTER);
    expect(res.status).toBe(417);
    expect(res.body.Message).toBe('report failed');
  });

  it('never runs a job twice at once (409), and runs a disabled job on demand', async () => {
    const first = await api(server.url, 'GET', '/1/jobs/run/slowJob', MASTER);
    expect(first.status).toBe(200);
    const second = await api(server.url, 'GET', '/1/jobs/run/slowJob/test', MASTER);
    expect(second.status).toBe(409);
    expect(second.body.Message).toMatch(/is running/);
  });

  it('runs scheduled jobs; a failing one is logged and the server keeps serving', async () => {
    const socket = io(server.url, { transports: ['websocket'] });
    try {
      socket.on('connect', () => socket.emit('login', null, 'jobs-anon', 'jobs'));
      await new Promise((resolve) => socket.once('authorized', resolve));
      expect(await new Promise((resolve) => socket.once('tick', resolve))).toEqual({ n: 7 });
    } finally {
      socket.close();
    }
    await waitFor(() => lines.some((l) => l['job'] === 'failing' && l['level'] === 50));
    const failed = lines.find((l) => l['job'] === 'failing' && l['level'] === 50)!;
    expect(failed['msg']).toBe('job "failing" failed');
    expect((await api(server.url, 'GET', '/1/objects/reports', MASTER)).status).toBe(200);
  });

  it('refuses a bad cron expression, an unknown target and a bad time zone at start', async () => {
    const bad = (job: Record<string, unknown>) =>
      startTestServer({
        appName: 'badjobs',
        objects: { t: { fields: {}, actions: [{ name: 'a', trigger: 'onDemand', code: fn('') }] } },
        jobs: [{ name: 'j', object: 't', action: 'a', schedule: '* * * * *', ...job }],
      } as AppDefinitionInput);
    await expect(bad({ schedule: 'every tuesday' })).rejects.toThrow(
      /jobs\[0\]\.schedule: is not a cron expression/,
    );
    await expect(bad({ schedule: '61 * * * *' })).rejects.toThrow(/jobs\[0\]\.schedule/);
    await expect(bad({ action: 'missing' })).rejects.toThrow(
      /jobs\[0\]\.action: "t" has no on-demand code action "missing"/,
    );
    await expect(bad({ timezone: 'Mars/Olympus' })).rejects.toThrow(
      /jobs\[0\]\.timezone: unknown time zone/,
    );
    await expect(bad({ function: 'x' })).rejects.toThrow(/jobs\[0\]: needs either/);
  });
});

describe('job scheduler lifecycle', () => {
  it('stops its schedules and waits for a run in flight when the server closes', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const server = await startTestServer(
      {
        ...app,
        jobs: [{ name: 'slowJob', schedule: '0 0 1 1 *', object: 'reports', action: 'slow' }],
      } as AppDefinitionInput,
      {
        logLevel: 'info',
        logStream: { write: (line: string) => void lines.push(JSON.parse(line)) },
      },
    );
    const started = await api(server.url, 'GET', '/1/jobs/run/slowJob', MASTER);
    expect(started.status).toBe(200);
    await server.close();
    expect(lines.some((l) => l['job'] === 'slowJob' && l['msg'] === 'job "slowJob" ran')).toBe(
      true,
    );
    // Closed cleanly: the port no longer answers.
    await expect(fetch(`${server.url}/1/objects/reports`)).rejects.toThrow();
  });
});

describe('jobs on several nodes of one database', () => {
  it('runs each scheduled tick on one node only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'backand-jobs-'));
    const db = path.join(dir, 'jobs.db');
    const logs: Array<Array<Record<string, unknown>>> = [[], []];
    const nodes: RunningServer[] = [];
    try {
      for (const log of logs) {
        nodes.push(
          await startTestServer(
            {
              ...app,
              jobs: [{ name: 'every_second', schedule: '* * * * * *', function: 'tick' }],
            } as AppDefinitionInput,
            {
              db,
              logLevel: 'info',
              logStream: { write: (line: string) => void log.push(JSON.parse(line)) },
            },
          ),
        );
      }
      const ticks = (log: Array<Record<string, unknown>>) =>
        log.filter((l) => l['msg'] === 'job "every_second" ran').map((l) => String(l['tick']));
      // Both nodes schedule every second; four ticks in all, whichever node ran them.
      await waitFor(() => ticks(logs[0]!).length + ticks(logs[1]!).length >= 4);
      const [a, b] = [ticks(logs[0]!), ticks(logs[1]!)];
      expect(a.filter((tick) => b.includes(tick))).toEqual([]);
      expect(new Set([...a, ...b]).size).toBe(a.length + b.length);
    } finally {
      for (const node of nodes) await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Waits for a condition, checking on each turn of the event loop's timers. */
async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
