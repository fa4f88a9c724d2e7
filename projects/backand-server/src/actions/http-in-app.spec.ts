import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { startTestServer } from '../testing/test-server';

describe('$http in an app (http.allowedHosts of the app definition)', () => {
  let target: Server;
  let server: RunningServer;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    target = createServer((req, res) => {
      hits++;
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
        // during* actions run while the server's thread waits inside the write's transaction.
        notes: {
          fields: { text: 'string', url: 'string' },
          permissions: { Public: 'crud' },
          actions: [
            {
              name: 'callOut',
              trigger: 'duringCreate',
              where: "userInput.text === 'http'",
              code: `function backandCallback(userInput, dbRow) { return $http.get(dbRow.url); }`,
            },
            {
              name: 'mailOut',
              trigger: 'duringCreate',
              where: "userInput.text === 'mail'",
              code: `function backandCallback() { email.send({ to: 'a@b.test', subject: 'x', text: 'y' }); }`,
            },
            {
              name: 'fallBack',
              trigger: 'duringCreate',
              where: "userInput.text === 'caught'",
              code: `function backandCallback(userInput, dbRow) {
                var why;
                try { $http.get(dbRow.url); } catch (e) { why = e.message; }
                var url = files.upload('note-' + dbRow.id + '.txt', btoa(why));
                socket.emitAll('noted', { url: url, why: why });
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

  describe('in a during action', () => {
    const create = (text: string) =>
      api(
        server.url,
        'POST',
        '/1/objects/notes?returnObject=true',
        { anonymous: 'anon-h' },
        {
          text,
          url: `http://127.0.0.1:${port}/during`,
        },
      );
    const count = async () =>
      (await api(server.url, 'GET', '/1/objects/notes', { anonymous: 'anon-h' })).body.totalRows;

    it('$http and email.send throw a clear error at once and roll the write back', async () => {
      const before = await count();
      const seen = hits;
      const http = await create('http');
      expect(http.status).toBe(417);
      expect(http.body).toEqual({
        Message: expect.stringMatching(/^\$http is not available in a "during" action/),
        action: 'callOut',
      });
      const mail = await create('mail');
      expect(mail.status).toBe(417);
      expect(mail.body.Message).toMatch(/^email\.send is not available in a "during" action/);
      expect(await count()).toBe(before);
      expect(hits).toBe(seen);
    });

    it('files still work there, and the server goes on serving', async () => {
      const res = await create('caught');
      expect(res.status).toBe(200);
      const file = await api(server.url, 'GET', `/files/notes/note-${res.body.id}.txt`, {
        anonymous: 'anon-h',
      });
      expect(file.status).toBe(200);
      expect(file.body).toMatch(/^\$http is not available in a "during" action/);
      const ok = await call(`http://127.0.0.1:${port}/after`);
      expect(ok.body.path).toBe('/after');
    });
  });
});
