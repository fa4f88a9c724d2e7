import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpSchema } from '../app-definition/outbound-schema';
import { ActionRunner, type ActionArgs } from './action-runner';
import { HttpBridge } from './http-bridge';
import type { HostServices } from './host-services';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const args: ActionArgs = {
  userInput: {},
  dbRow: null,
  parameters: {},
  userProfile: {
    username: null,
    role: 'Admin',
    app: 'http',
    userId: null,
    token: null,
    request: { method: 'POST', headers: {} },
  },
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1 whose routes the tests use. */
async function startTarget(): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  let port = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/json') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, body: body ? JSON.parse(body) : null }));
      } else if (path === '/text') res.end('plain words');
      else if (path === '/missing') {
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json');
        res.end('{"Message":"no such thing"}');
      } else if (path === '/big') res.end('x'.repeat(5000));
      else if (path === '/slow') setTimeout(() => res.end('late'), 5000).unref();
      else if (path === '/to-json') {
        res.writeHead(302, { location: '/json' });
        res.end();
      } else if (path === '/away') {
        res.writeHead(302, { location: 'http://127.0.0.2:1/' });
        res.end();
      } else if (path === '/to-localhost') {
        res.writeHead(307, { location: `http://localhost:${port}/json` });
        res.end();
      } else res.end('?');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return { server, port, seen };
}

describe('$http in actions', () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  let runner: ActionRunner;
  let base: string;

  beforeAll(async () => {
    target = await startTarget();
    base = `http://127.0.0.1:${target.port}`;
    const settings = httpSchema.parse({
      allowedHosts: [`127.0.0.1:${target.port}`, `localhost:${target.port}`, '127.0.0.1:1'],
      maxResponseBytes: 1000,
      maxRequestBytes: 2000,
      timeoutMs: 300,
      maxRequestsPerRun: 3,
    });
    const services: HostServices = {
      http: new HttpBridge(settings),
      maxRequestsPerRun: settings.maxRequestsPerRun,
      maxMailsPerRun: 0,
    };
    runner = new ActionRunner(quiet, { timeoutMs: 4000, memoryLimitMb: 32 }, {}, services);
  });
  afterAll(async () => {
    await runner.close();
    await new Promise((r) => target.server.close(r));
  });

  const run = async (body: string) =>
    (
      await runner.run(
        'h',
        `function backandCallback(userInput, dbRow, parameters) { ${body} }`,
        args,
        {
          result: true,
        },
      )
    ).result;

  it('calls synchronously in Backand style and returns the parsed data', async () => {
    const result = await run(`
      var response = $http({ method: 'POST', url: '${base}/json', data: { a: 1 },
        headers: { 'X-Custom': 'yes' }, params: { q: 'x y', filter: [{ fieldName: 'a' }] } });
      var text = $http({ method: 'GET', url: '${base}/text' });
      return { response: response, text: text };`);
    expect(result).toEqual({ response: { method: 'POST', body: { a: 1 } }, text: 'plain words' });
    const post = target.seen.find((s) => s.method === 'POST')!;
    expect(post.headers['x-custom']).toBe('yes');
    expect(post.headers['content-type']).toMatch(/application\/json/);
    const query = new URL(post.url, 'http://x').searchParams;
    expect(query.get('q')).toBe('x y');
    expect(JSON.parse(query.get('filter')!)).toEqual([{ fieldName: 'a' }]);
  });

  it('has the shortcut methods and follows a redirect to an allowed host', async () => {
    const result = await run(
      `return [$http.put('${base}/json', { b: 2 }), $http.get('${base}/to-json')];`,
    );
    expect(result).toEqual([
      { method: 'PUT', body: { b: 2 } },
      { method: 'GET', body: null },
    ]);
  });

  it('throws a catchable error with status and data for a non-2xx answer', async () => {
    const result = await run(`
      try { $http({ method: 'GET', url: '${base}/missing' }); return 'no error'; }
      catch (e) { return { message: e.message, status: e.status, data: e.data }; }`);
    expect(result).toEqual({
      message: expect.stringContaining('answered 404'),
      status: 404,
      data: { Message: 'no such thing' },
    });
  });

  it.each([
    ['a host that is not listed', `'http://127.0.0.2:${1}/'`, /not in the app's http.allowedHosts/],
    [
      'another port of a listed host',
      `'http://127.0.0.1:2/'`,
      /not in the app's http.allowedHosts/,
    ],
    ['a file: URL', `'file:///etc/passwd'`, /only http and https/],
    ['a data: URL', `'data:text/plain,hi'`, /only http and https/],
    ['credentials in the URL', `'http://u:p@127.0.0.1:' + PORT + '/json'`, /credentials/],
    [
      'a redirect to a host that is not listed',
      `BASE + '/away'`,
      /redirected to .*not in the app's/,
    ],
    [
      'a listed name that resolves to loopback (rebinding)',
      `BASE + '/to-localhost'`,
      /internal address/,
    ],
    ['a response over the size limit', `BASE + '/big'`, /maxResponseBytes/],
    [
      'a request body over the size limit',
      `BASE + '/json', data: 'x'.repeat(3000), method: 'POST'`,
      /maxRequestBytes/,
    ],
    ['a request that takes longer than its limit', `BASE + '/slow'`, /timed out after/],
    ['a network error (connection refused)', `'http://127.0.0.1:1/'`, /ECONNREFUSED/],
  ])('refuses %s with an error the action can catch', async (_what, url, message) => {
    const result = await run(`
      var PORT = ${target.port}; var BASE = '${base}';
      try { $http({ url: ${url} }); return 'no error'; } catch (e) { return e.message; }`);
    expect(result).toMatch(message);
  });

  it('limits the requests of one run', async () => {
    const result = await run(`
      var out = [];
      for (var i = 0; i < 4; i++) {
        try { $http.get('${base}/text'); out.push('ok'); } catch (e) { out.push(e.message); }
      }
      return out;`);
    expect(result).toEqual(['ok', 'ok', 'ok', expect.stringMatching(/more than 3 requests/)]);
  });

  it('fails the action (417) when it does not catch the error', async () => {
    await expect(run(`$http({ url: 'http://example.invalid/' });`)).rejects.toMatchObject({
      status: 417,
      message: expect.stringMatching(/not in the app's http.allowedHosts/),
    });
  });
});
