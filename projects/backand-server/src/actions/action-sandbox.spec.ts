import { io, type Socket } from 'socket.io-client';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

const fn = (body: string) =>
  `function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;
const asyncFn = (body: string) =>
  `async function backandCallback(userInput, dbRow, parameters, userProfile) { ${body} }`;

/** Evaluates `expr` in the action; answers typeof its value, or 'threw' when it throws. */
const reach = (expr: string) =>
  fn(`var v; try { v = (${expr}); } catch (e) { return 'threw'; } return typeof v;`);
/** `expr` evaluates to a function constructor: what does `return process` reach through it? */
const viaConstructor = (expr: string) => reach(`(${expr})('return process')()`);

/** The ways out of a sandbox that we know of, each answering what it reached. */
const ESCAPES: Record<string, string> = {
  thisConstructor: viaConstructor('this.constructor.constructor'),
  emitAllConstructor: viaConstructor('socket.emitAll.constructor'),
  consoleLogConstructor: viaConstructor('console.log.constructor'),
  userInputConstructor: viaConstructor('userInput.constructor.constructor'),
  userProfileConstructor: viaConstructor('userProfile.constructor.constructor'),
  dbRowConstructor: viaConstructor('dbRow.constructor.constructor'),
  parametersConstructor: viaConstructor('parameters.constructor.constructor'),
  functionThis: reach("Function('return this')().process"),
  require: reach('require'),
  process: reach('process'),
  fetch: reach('fetch'),
  setTimeout: reach('setTimeout'),
  webAssembly: reach('WebAssembly'),
  buffer: reach('Buffer'),
  importFs: asyncFn(
    "try { var fs = await import('fs'); return typeof fs.readFileSync; } catch (e) { return 'threw'; }",
  ),
};

/** Host globals an action must not see, whatever path it takes. */
const HOST_GLOBALS = ['process', 'require', 'module', 'Buffer', 'fetch', 'setTimeout', 'global'];
const MARKER = '__backandHostMarker';

const sandboxApp: AppDefinitionInput = {
  appName: 'sandboxapp',
  anonymousToken: 'sandbox-anon',
  actionTimeoutMs: 400,
  actionMemoryLimitMb: 16,
  users: [{ username: 'sam@sandbox.test', password: 'sam-password', role: 'User' }],
  objects: {
    probes: {
      fields: { title: 'string' },
      permissions: { User: 'crud' },
      actions: [
        ...Object.entries(ESCAPES).map(([name, code]) => ({
          name,
          trigger: 'onDemand' as const,
          code,
        })),
        {
          name: 'globals',
          trigger: 'onDemand',
          code: fn(
            `var seen = []; for (var o = globalThis; o; o = Object.getPrototypeOf(o)) seen = seen.concat(Object.getOwnPropertyNames(o));
             var g = Function('return this')();
             return { names: seen, marker: [typeof globalThis['${MARKER}'], typeof g['${MARKER}'], typeof this.constructor.constructor('return this')()['${MARKER}']] };`,
          ),
        },
        {
          name: 'leak',
          trigger: 'onDemand',
          code: fn(
            'var before = [typeof leaked, typeof Object.prototype.leakedToo]; leaked = 1; Object.prototype.leakedToo = 2; return before;',
          ),
        },
        {
          name: 'loopingResult',
          trigger: 'onDemand',
          code: fn('return { toJSON: function () { while (true) {} } };'),
        },
        {
          name: 'loopingEmit',
          trigger: 'onDemand',
          code: fn(
            "socket.emitAll('before_loop', 1); socket.emitAll('looping', { toJSON: function () { while (true) {} } }); return 1;",
          ),
        },
        {
          name: 'arrayBomb',
          trigger: 'onDemand',
          code: fn('var a = []; while (true) a.push(new Array(1e6));'),
        },
        {
          name: 'stringBomb',
          trigger: 'onDemand',
          code: fn("var a = []; while (true) a.push('x'.repeat(1e6) + a.length);"),
        },
        { name: 'asyncSpin', trigger: 'onDemand', code: asyncFn('await null; while (true) {}') },
        {
          name: 'deepRecursion',
          trigger: 'onDemand',
          code: fn('function f() { return f() + 1; } return f();'),
        },
        {
          name: 'modernSyntax',
          trigger: 'onDemand',
          code: fn(
            'class A { #n = 20; static of() { return new A(); } get n() { return this.#n; } }; var o = { a: { b: null } }; return [A.of().n + 2, o.a?.b ?? "none", [3, 1, 2].toSorted().at(-1), Object.hasOwn(o, "a"), 2n ** 10n === 1024n];',
          ),
        },
        {
          name: 'ping',
          trigger: 'onDemand',
          code: fn("socket.emitAll('ping', 1); return 'pong';"),
        },
      ],
    },
  },
};

describe('action sandbox: what action code can reach and what it cannot do to the server', () => {
  let server: RunningServer;
  let sam: Auth;
  let socket: Socket;
  const events: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(sandboxApp);
    const token = (await signIn(server.url, 'sam@sandbox.test', 'sam-password', 'sandboxapp'))
      .access_token;
    sam = { bearer: token };
    socket = io(server.url, { transports: ['websocket'] });
    socket.onAny((event: string) => events.push(event));
    socket.on('connect', () => socket.emit('login', `Bearer ${token}`, null, 'sandboxapp'));
    await new Promise((resolve) => socket.once('authorized', resolve));
    // Starts the workers (from the TypeScript sources: compiled on load), out of the tests' time.
    await Promise.all([action('ping'), action('ping')]);
  }, 30_000);
  afterAll(async () => {
    socket.close();
    await server.close();
  });

  const action = (name: string, path = '', body: unknown = { probe: true }) =>
    api(
      server.url,
      'POST',
      `/1/objects/action/probes${path}?name=${name}&parameters=%7B%22p%22%3A1%7D`,
      sam,
      body,
    );
  /** Events seen up to a later `ping`: what arrives before it was sent before it. */
  const eventsUntilPing = async () => {
    const from = events.length;
    const pong = new Promise((resolve) => socket.once('ping', resolve));
    expect((await action('ping')).body).toBe('pong');
    await pong;
    return events.slice(from, events.lastIndexOf('ping'));
  };
  const expectAlive = async () => expect((await action('ping')).status).toBe(200);

  describe('escapes', () => {
    let rowPath: string;
    beforeAll(async () => {
      const created = await api(server.url, 'POST', '/1/objects/probes', sam, { title: 'row' });
      rowPath = `/${created.body.__metadata.id}`;
      (globalThis as Record<string, unknown>)[MARKER] = 'host';
    });
    afterAll(() => {
      delete (globalThis as Record<string, unknown>)[MARKER];
    });

    it.each(Object.keys(ESCAPES))('%s reaches nothing of the host', async (name) => {
      const res = await action(name, rowPath);
      expect(res.status).toBe(200);
      expect(['undefined', 'threw']).toContain(res.body);
    });

    it('sees only ECMAScript built-ins and its own globals, not the host marker', async () => {
      const res = await action('globals');
      expect(res.status).toBe(200);
      expect(res.body.marker).toEqual(['undefined', 'undefined', 'undefined']);
      const names: string[] = res.body.names;
      expect(names).toEqual(expect.arrayContaining(['Object', 'JSON', 'socket', 'console']));
      for (const host of [...HOST_GLOBALS, MARKER, 'WebAssembly'])
        expect(names).not.toContain(host);
    });
  });

  it('starts every run with fresh globals: nothing leaks from one run to the next', async () => {
    expect((await action('leak')).body).toEqual(['undefined', 'undefined']);
    expect((await action('leak')).body).toEqual(['undefined', 'undefined']);
  });

  it('runs modern syntax (QuickJS, ES2023)', async () => {
    expect((await action('modernSyntax')).body).toEqual([22, 'none', 3, true, true]);
  });

  it('stops a result whose toJSON loops: 417, and the server keeps serving', async () => {
    const res = await action('loopingResult');
    expect(res.status).toBe(417);
    expect(res.body).toMatchObject({
      Message: expect.stringMatching(/timed out/),
      action: 'loopingResult',
    });
    await expectAlive();
  });

  it('stops an emit whose data loops in toJSON: 417, none of its emits delivered', async () => {
    const res = await action('loopingEmit');
    expect(res.status).toBe(417);
    expect(res.body.Message).toMatch(/timed out/);
    const seen = await eventsUntilPing();
    expect(seen).not.toContain('before_loop');
    expect(seen).not.toContain('looping');
  });

  it.each(['arrayBomb', 'stringBomb'])(
    'stops a memory bomb (%s): 417, server alive',
    async (name) => {
      const res = await action(name);
      expect(res.status).toBe(417);
      expect(res.body.Message).toMatch(/timed out|out of memory/);
      await expectAlive();
    },
  );

  it('names the memory limit when an action runs out of memory', async () => {
    expect((await action('stringBomb')).body.Message).toBe(
      'action "stringBomb" ran out of memory (limit 16 MB)',
    );
  });

  it('stops an async action that never ends, and deep recursion', async () => {
    const spin = await action('asyncSpin');
    expect(spin.status).toBe(417);
    expect(spin.body.Message).toMatch(/timed out/);
    const deep = await action('deepRecursion');
    expect(deep.status).toBe(417);
    expect(deep.body.Message).toMatch(/stack overflow/);
    await expectAlive();
  });
});
