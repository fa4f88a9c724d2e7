import type { RunningServer } from '../server-options';
import { api } from '../testing/http-client';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { signIn, startTestServer, type TokenResponse } from '../testing/test-server';

// When a row changes owner, sockets that could read it and no longer can get `<object>.deleted`;
// sockets that can read it afterwards get `updated`. Owners are stored in the registered spelling.

const ANON = 'demo-anonymous-token';
let server: RunningServer;
const tokens = {} as Record<'ada' | 'ann' | 'bob' | 'rita', TokenResponse>;
const probes = {} as Record<'ada' | 'ann' | 'bob' | 'rita', SocketProbe>;
let seq = 0;

beforeAll(async () => {
  server = await startTestServer();
  for (const name of ['ada', 'ann', 'bob', 'rita'] as const) {
    tokens[name] = await signIn(server.url, `${name}@demo.test`, `${name}-password`);
    probes[name] = await SocketProbe.open(server.url);
    expect(await probes[name].login(`Bearer ${tokens[name].access_token}`, ANON, 'demo')).toBe(
      'authorized',
    );
  }
});
afterAll(async () => {
  for (const p of Object.values(probes)) p.close();
  await server.close();
});

async function barrier(): Promise<Record<keyof typeof probes, number>> {
  const message = `barrier-${++seq}`;
  await api(
    server.url,
    'POST',
    '/1/objects/action/items?name=broadcast',
    { bearer: tokens.ada.access_token },
    { message },
  );
  const out = {} as Record<keyof typeof probes, number>;
  for (const [name, p] of Object.entries(probes) as [keyof typeof probes, SocketProbe][]) {
    out[name] = await p.waitIndex(
      (e) => e.event === 'broadcast' && (e.data as { message?: string }).message === message,
    );
  }
  return out;
}

describe('a row that changes owner', () => {
  it("tells the old owner's sockets it is gone and the new owner's it is there", async () => {
    const created = await api(
      server.url,
      'POST',
      '/1/objects/notes?returnObject=true',
      { bearer: tokens.ann.access_token },
      { text: 'moving note' },
    );
    expect(created.status).toBe(200);
    const id = String(created.body.id);
    await barrier();
    const start = Object.fromEntries(
      Object.entries(probes).map(([n, p]) => [n, p.log.length]),
    ) as Record<keyof typeof probes, number>;

    const put = await api(
      server.url,
      'PUT',
      `/1/objects/notes/${id}`,
      { bearer: tokens.ada.access_token },
      { owner: 'bob@demo.test' },
    );
    expect(put.status).toBe(200);
    const end = await barrier();
    const seen = (name: keyof typeof probes) =>
      probes[name]
        .between(start[name], end[name])
        .filter((e) => e.event.startsWith('notes.') && (e.data as { id?: string }).id === id);

    const annSaw = seen('ann');
    expect(annSaw.map((e) => e.event)).toEqual(['notes.deleted']);
    expect(annSaw[0]!.data).toEqual({ id, objectName: 'notes', event: 'deleted' });
    const bobSaw = seen('bob');
    expect(bobSaw.map((e) => e.event)).toEqual(['notes.updated']);
    expect(bobSaw[0]!.data).toMatchObject({ id, row: { owner: 'bob@demo.test' } });
    // Readers of every note keep it: updated only.
    expect(seen('ada').map((e) => e.event)).toEqual(['notes.updated']);
    expect(seen('rita').map((e) => e.event)).toEqual(['notes.updated']);

    // ann no longer sees it over REST either.
    const get = await api(server.url, 'GET', `/1/objects/notes/${id}`, {
      bearer: tokens.ann.access_token,
    });
    expect(get.status).toBe(403);
  });
});

describe('owner spelling', () => {
  it("stores a non-admin's own username in its registered spelling", async () => {
    const created = await api(
      server.url,
      'POST',
      '/1/objects/items?returnObject=true',
      { bearer: tokens.ann.access_token },
      { name: 'spelled', owner: 'ANN@demo.test' },
    );
    expect(created.status).toBe(200);
    expect(created.body.owner).toBe('ann@demo.test');
    const put = await api(
      server.url,
      'PUT',
      `/1/objects/items/${created.body.id}?returnObject=true`,
      { bearer: tokens.ann.access_token },
      { owner: 'ANN@DEMO.TEST' },
    );
    expect(put.status).toBe(200);
    expect(put.body.owner).toBe('ann@demo.test');
    // The exact-match named query still counts the row as ann's.
    const count = await api(server.url, 'GET', '/1/query/data/itemsCount', {
      bearer: tokens.ann.access_token,
    });
    expect(count.status).toBe(200);
    expect(count.body).toEqual([{ count: 1 }]);
  });

  it("stores an admin's owner value as the matching user's spelling", async () => {
    const created = await api(
      server.url,
      'POST',
      '/1/objects/items?returnObject=true',
      { bearer: tokens.ada.access_token },
      { name: 'for bob', owner: 'Bob@Demo.Test' },
    );
    expect(created.status).toBe(200);
    expect(created.body.owner).toBe('bob@demo.test');
    const put = await api(
      server.url,
      'PUT',
      `/1/objects/items/${created.body.id}?returnObject=true`,
      { bearer: tokens.ada.access_token },
      { owner: 'nobody-registered@x.test' },
    );
    expect(put.status).toBe(200);
    expect(put.body.owner).toBe('nobody-registered@x.test');
  });
});
