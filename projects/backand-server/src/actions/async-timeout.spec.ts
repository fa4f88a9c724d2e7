import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CliProcess, ensureServerBuilt } from '../testing/fixtures/cli-process';

// The real CLI as a child process, as deployed: its action workers run the compiled
// dist/actions/action-worker.js (the in-process tests run the TypeScript sources).

const app = {
  appName: 'spinapp',
  actionTimeoutMs: 500,
  anonymousToken: 'spin-anon',
  objects: {
    jobs: {
      fields: { title: { type: 'string', required: true } },
      permissions: { Public: 'cr' },
      actions: [
        {
          name: 'asyncSpin',
          trigger: 'onDemand',
          code: 'async function backandCallback() { await null; while (true) {} }',
        },
        {
          name: 'asyncValue',
          trigger: 'onDemand',
          code: 'async function backandCallback(userInput, dbRow, parameters) { var n = await Promise.resolve(parameters.n); return { twice: n * 2 }; }',
        },
      ],
    },
  },
};

describe('an async action that never ends', () => {
  let dir: string;
  let run: CliProcess;

  beforeAll(async () => {
    ensureServerBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'backand-spin-'));
    const file = path.join(dir, 'app.json');
    writeFileSync(file, JSON.stringify(app));
    run = await CliProcess.start(['--app', file, '--db', path.join(dir, 'spin.db')]);
  }, 120_000);
  afterAll(async () => {
    await run?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(run.url + route, {
      method,
      headers: {
        AnonymousToken: 'spin-anon',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('is stopped by the time limit (417), and the server keeps serving', async () => {
    const created = await call('POST', '/1/objects/jobs', { title: 'kept' });
    expect(created.status).toBe(200);
    const spin = await call('POST', '/1/objects/action/jobs?name=asyncSpin', {});
    expect(spin.status).toBe(417);
    expect(spin.body['Message']).toMatch(/timed out/);
    expect(await call('POST', '/1/objects/action/jobs?name=asyncValue', { n: 21 })).toEqual({
      status: 200,
      body: { twice: 42 },
    });
    const list = await call('GET', '/1/objects/jobs');
    expect(list.body['data']).toEqual([expect.objectContaining({ title: 'kept' })]);
  }, 30_000); // the first run also starts the CLI's action workers
});
