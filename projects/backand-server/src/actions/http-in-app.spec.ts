import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { startTestServer } from '../testing/test-server';

describe('$http in an app (http.allowedHosts of the app definition)', () => {
  let target: Server;
  let server: RunningServer;
  let port: number;

  beforeAll(async () => {
    target = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, auth: req.headers['authorization'] ?? null }));
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    port = (target.address() as AddressInfo).port;
    server = await startTestServer({
      appName: 'httpapp',
      anonymousToken: 'anon-h',
      http: { allowedHosts: [`127.0.0.1:${port}`] },
      objects: {
        items: {
          fields: { name: 'string' },
          permissions: { Public: 'r' },
          actions: [
            {
              name: 'fetch',
              trigger: 'onDemand',
              code: `function backandCallback(userInput, dbRow, parameters) {
                return $http({ method: 'GET', url: parameters.url, headers: { Authorization: 'Bearer x' } });
              }`,
            },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await new Promise((r) => target.close(r));
  });

  const call = (url: string) =>
    api(
      server.url,
      'GET',
      `/1/objects/action/items?name=fetch&parameters=${encodeURIComponent(JSON.stringify({ url }))}`,
      { anonymous: 'anon-h' },
    );

  it('reaches a listed host and returns its data', async () => {
    const res = await call(`http://127.0.0.1:${port}/hello?x=1`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ path: '/hello?x=1', auth: 'Bearer x' });
  });

  it('answers 417 with a clear message for anything else', async () => {
    for (const url of [
      `http://127.0.0.2:${port}/`,
      `${server.url}/1/objects/items`,
      'file:///etc/hosts',
    ]) {
      const res = await call(url);
      expect(res.status).toBe(417);
      expect(res.body.Message).toMatch(/not in the app's http.allowedHosts|only http and https/);
    }
  });
});
