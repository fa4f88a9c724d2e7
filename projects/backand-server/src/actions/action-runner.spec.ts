import fc from 'fast-check';
import { HttpError } from '../http/http-error';
import { ActionRunner, type ActionArgs } from './action-runner';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const argsOf = (userInput: unknown): ActionArgs => ({
  userInput,
  dbRow: null,
  parameters: {},
  userProfile: {
    username: null,
    role: 'Public',
    app: 'props',
    userId: null,
    token: null,
    request: { method: 'POST', headers: {} },
  },
});
const echo = 'function backandCallback(userInput) { return userInput; }';
const emitEcho =
  "function backandCallback(userInput) { socket.emitAll('e', userInput); userInput.seen = true; }";
/** What JSON makes of a value: the most any value can keep through the sandbox. */
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('ActionRunner', () => {
  const runner = new ActionRunner(quiet, { timeoutMs: 2000, memoryLimitMb: 32 });
  beforeAll(() => runner.run('warm', echo, argsOf({}), { result: true }), 30_000);
  afterAll(() => runner.close());

  it('hands any JSON value to the action and back unchanged (as JSON)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ stringUnit: 'binary' }), async (value) => {
        const out = await runner.run('echo', echo, argsOf(value), { result: true });
        expect(out.result).toEqual(viaJson(value));
      }),
      { numRuns: 100 },
    );
  }, 30_000);

  it('returns emitted data and the changed input as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary' })),
        async (input) => {
          const out = await runner.run('emitEcho', emitEcho, argsOf(input), { userInput: true });
          expect(out.emits).toEqual([{ kind: 'all', event: 'e', data: viaJson(input) }]);
          expect(out.userInput).toEqual({ ...(viaJson(input) as object), seen: true });
        },
      ),
      { numRuns: 50 },
    );
  }, 30_000);

  it('fails with a 417 naming the action, and answers 503 once closed', async () => {
    const failing = new ActionRunner(quiet, { timeoutMs: 2000, memoryLimitMb: 16 });
    const code = "function backandCallback() { throw new TypeError('nope'); }";
    await expect(failing.run('thrower', code, argsOf({}))).rejects.toEqual(
      new HttpError(417, 'nope', { action: 'thrower' }),
    );
    await failing.close();
    await expect(failing.run('thrower', code, argsOf({}))).rejects.toMatchObject({
      status: 503,
    });
  }, 30_000);
});
