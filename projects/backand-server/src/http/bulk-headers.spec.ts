import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

/** Backand's bulk entries may each carry their own `headers` (common use cases, "Bulk"). */
describe('bulk: per-entry headers', () => {
  let server: RunningServer;
  let ann: string;
  let bob: string;
  let ada: string;

  beforeAll(async () => {
    server = await startTestServer();
    [ann, bob, ada] = await Promise.all(
      ['ann', 'bob', 'ada'].map(
        async (name) =>
          (await signIn(server.url, `${name}@demo.test`, `${name}-password`)).access_token,
      ),
    );
  });
  afterAll(() => server.close());

  it('runs each entry as the user its own headers name (the docs example)', async () => {
    const res = await api(server.url, 'POST', '/1/bulk', null, [
      {
        method: 'POST',
        url: 'https://api.backand.com/1/objects/items',
        data: { name: 'from ann' },
        headers: { Authorization: `Bearer ${ann}`, AppName: 'demo' },
      },
      {
        method: 'POST',
        url: '/1/objects/items?returnObject=true',
        data: { name: 'from bob' },
        headers: { Authorization: `Bearer ${bob}`, AppName: 'demo' },
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.map((r: { status: number }) => r.status)).toEqual([200, 200]);
    const list = await api(
      server.url,
      'GET',
      `/1/objects/items?filter=${encodeURIComponent(JSON.stringify([{ fieldName: 'name', operator: 'startsWith', value: 'from ' }]))}`,
      { bearer: ada },
    );
    const owners = Object.fromEntries(
      list.body.data.map((r: { name: string; owner: string }) => [r.name, r.owner]),
    );
    expect(owners).toEqual({ 'from ann': 'ann@demo.test', 'from bob': 'bob@demo.test' });
  });

  it("uses the bulk call's credentials for an entry without its own", async () => {
    const res = await api(server.url, 'POST', '/1/bulk', { bearer: bob }, [
      { method: 'POST', url: '/1/objects/items?returnObject=true', data: { name: 'outer' } },
    ]);
    expect(res.body[0].status).toBe(200);
    expect(res.body[0].body.owner).toBe('bob@demo.test');
  });

  it("never lends the bulk call's identity to an entry that names another one", async () => {
    // Ada (Admin) sends the call; the entry carries only the guest token: it runs as a guest.
    const res = await api(server.url, 'POST', '/1/bulk', { bearer: ada }, [
      {
        method: 'POST',
        url: '/1/objects/items',
        data: { name: 'guest write' },
        headers: { AnonymousToken: 'demo-anonymous-token' },
      },
    ]);
    expect(res.body[0].status).toBe(403);
  });

  it('answers 401 for an entry with bad credentials and still runs the others', async () => {
    const res = await api(server.url, 'POST', '/1/bulk', { anonymous: 'demo-anonymous-token' }, [
      {
        method: 'GET',
        url: '/1/objects/items',
        headers: { Authorization: 'Bearer not-a-token' },
      },
      { method: 'GET', url: '/1/objects/items?pageSize=1' },
      { method: 'GET', url: '/1/objects/items?AnonymousToken=wrong' },
    ]);
    expect(res.body.map((r: { status: number }) => r.status)).toEqual([401, 200, 401]);
  });

  it("cannot take the master key's identity without the master token", async () => {
    const res = await api(server.url, 'POST', '/1/bulk', { bearer: ann }, [
      {
        method: 'DELETE',
        url: '/1/objects/items/1',
        headers: { Authorization: `Basic ${Buffer.from('guess:guess').toString('base64')}` },
      },
    ]);
    expect(res.body[0].status).toBe(401);
  });
});
