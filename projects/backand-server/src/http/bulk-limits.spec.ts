import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { api, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';
import { BULK_ANSWER_FLOOR, BULK_ANSWER_MULTIPLE, MAX_GUEST_BULK } from './bulk-routes';

// A bulk call must not turn a small request into a huge answer (an amplification a guest could
// aim at the server's bandwidth and memory): its answer has a size budget, and guests have fewer
// entries.

const app: AppDefinitionInput = {
  appName: 'bulkapp',
  anonymousToken: 'bulk-anon',
  users: [{ username: 'ada@bulk.test', password: 'ada-password', role: 'Admin' }],
  objects: {
    posts: { fields: { body: 'text' }, permissions: { Public: 'r', User: 'r' } },
  },
};
const GUEST: Auth = { anonymous: 'bulk-anon' };

let server: RunningServer;
let admin: Auth;

beforeAll(async () => {
  server = await startTestServer(app);
  admin = {
    bearer: (await signIn(server.url, 'ada@bulk.test', 'ada-password', 'bulkapp')).access_token,
  };
  const rows = Array.from({ length: 200 }, (_, i) => ({
    method: 'POST',
    url: '/1/objects/posts',
    data: { body: `${i} `.padEnd(2000, 'x') },
  }));
  const seeded = await api(server.url, 'POST', '/1/bulk', admin, rows);
  expect(seeded.body.every((r: { status: number }) => r.status === 200)).toBe(true);
});
afterAll(() => server.close());

const page = { method: 'GET', url: '/1/objects/posts?pageSize=200' };

it('answers at most its budget, runs nothing past it, and says why (413 per entry)', async () => {
  const entries = Array.from({ length: MAX_GUEST_BULK }, () => page);
  const requestBytes = Buffer.byteLength(JSON.stringify(entries));
  const res = await fetch(`${server.url}/1/bulk`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', AnonymousToken: 'bulk-anon' },
    body: JSON.stringify(entries),
  });
  const text = await res.text();
  expect(res.status).toBe(200);
  const results = JSON.parse(text) as Array<{ status: number; body: { Message?: string } }>;
  expect(results).toHaveLength(entries.length);
  const ok = results.filter((r) => r.status === 200).length;
  const pageBytes = Buffer.byteLength(JSON.stringify(results[0]));
  const budget = Math.max(BULK_ANSWER_FLOOR, BULK_ANSWER_MULTIPLE * requestBytes);
  // Entries run until the answer passed its budget, by at most one page.
  expect(ok).toBeGreaterThan(0);
  expect(ok).toBeLessThan(entries.length);
  expect(Buffer.byteLength(text)).toBeLessThanOrEqual(budget + pageBytes + 400 * entries.length);
  expect(results.slice(0, ok).every((r) => r.status === 200)).toBe(true);
  for (const r of results.slice(ok)) {
    expect(r.status).toBe(413);
    expect(r.body.Message).toContain('send the rest in another call');
  }
  // Without the budget the same request would have made this many bytes.
  expect(pageBytes * entries.length).toBeGreaterThan(budget * 3);
});

it('gives guests fewer entries per call than signed-in callers', async () => {
  const over = Array.from({ length: MAX_GUEST_BULK + 1 }, () => ({
    method: 'GET',
    url: '/1/objects/posts?pageSize=1',
  }));
  const guest = await api(server.url, 'POST', '/1/bulk', GUEST, over);
  expect(guest.status).toBe(400);
  expect(guest.body.Message).toContain(`at most ${MAX_GUEST_BULK}`);
  const signedIn = await api(server.url, 'POST', '/1/bulk', admin, over);
  expect(signedIn.status).toBe(200);
  expect(signedIn.body).toHaveLength(MAX_GUEST_BULK + 1);
});

it('keeps small bulk calls whole, and writes past the budget are not run', async () => {
  const before = await api(server.url, 'GET', '/1/objects/posts?pageSize=1', admin);
  const entries = [
    ...Array.from({ length: 60 }, () => page),
    { method: 'POST', url: '/1/objects/posts', data: { body: 'late' } },
  ];
  const res = await api(server.url, 'POST', '/1/bulk', admin, entries);
  expect(res.body.at(-1).status).toBe(413);
  const after = await api(server.url, 'GET', '/1/objects/posts?pageSize=1', admin);
  expect(after.body.totalRows).toBe(before.body.totalRows);
});
