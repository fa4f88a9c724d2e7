import { WorkerPool, type RunSpec } from './worker-pool';

const trivial = (n: number): RunSpec => ({
  name: 'double',
  code: 'function backandCallback(userInput) { return userInput.n * 2; }',
  args: JSON.stringify({ userInput: { n }, dbRow: null, parameters: {}, userProfile: {} }),
  timeoutMs: 2000,
  wantResult: true,
  wantInput: false,
});
const noLog = () => undefined;
// Each test starts workers, compiled from the TypeScript sources on load.
jest.setTimeout(20_000);

describe('WorkerPool', () => {
  let pool: WorkerPool;
  const errors: unknown[] = [];

  beforeEach(() => {
    errors.length = 0;
    pool = new WorkerPool({
      size: 1,
      graceMs: 50,
      memoryLimitBytes: 16 * 1024 * 1024,
      testHooks: true,
      logger: { error: (obj) => errors.push(obj) },
    });
  });
  afterEach(() => pool.close());

  it('starts no worker before the first run, then one per run in flight up to its size', async () => {
    expect(pool.workers).toBe(0);
    expect(await pool.run(trivial(21), noLog)).toMatchObject({ ok: true, result: '42' });
    expect(pool.workers).toBe(1);
  });

  it('terminates and replaces a worker that does not answer within the limit plus the grace', async () => {
    const hung = await pool.test('hang', 100);
    expect(hung).toEqual({
      type: 'done',
      id: expect.any(Number),
      ok: false,
      message:
        'action "test-hang" timed out after 100 ms and did not stop: its worker was terminated and replaced',
    });
    // The only worker hung: this run is answered by its replacement.
    expect(await pool.run(trivial(4), noLog)).toMatchObject({ ok: true, result: '8' });
    expect(pool.workers).toBe(1);
  });

  it('replaces a worker that crashes, failing only the run it had', async () => {
    const crashed = pool.test('crash', 5000);
    const queued = pool.run(trivial(5), noLog);
    expect(await crashed).toMatchObject({
      ok: false,
      message: expect.stringMatching(/crashed its worker \(action worker crashed on purpose/),
    });
    expect(await queued).toMatchObject({ ok: true, result: '10' });
    expect(errors).toHaveLength(1);
  });

  it('closes without hanging, failing the runs in flight and waiting', async () => {
    await pool.run(trivial(1), noLog);
    const hung = expect(pool.test('hang', 60_000)).rejects.toThrow('the server is closing');
    const waiting = expect(pool.run(trivial(2), noLog)).rejects.toThrow('the server is closing');
    await pool.close();
    await hung;
    await waiting;
    expect(pool.workers).toBe(0);
    await expect(pool.run(trivial(3), noLog)).rejects.toThrow('the server is closing');
  });
});
