import * as path from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { loadAppDefinition } from '../app-definition/load-app-definition';
import type { RunningServer } from '../index';
import { signIn, startTestServer } from '../testing/test-server';
import { SocketProbe, type ProbeEntry } from '../testing/fixtures/socket-probe';

// Who receives which realtime event. Every case triggers the event under test, then an emitAll
// 'barrier': a socket that got the barrier without the event before it did not receive the event.

const FIXTURE = path.join(__dirname, '../testing/fixtures/matrix-app.json');
const APP = 'matrix';
const ANON = 'matrix-anonymous-token';
const SECRET = 'matrix-test-secret-0123456789abcdef';
const USERS = {
  admin: ['ada@matrix.test', 'ada-password'],
  ann: ['ann@matrix.test', 'ann-password'],
  bob: ['bob@matrix.test', 'bob-password'],
  rita: ['rita@matrix.test', 'rita-password'],
} as const;
type UserKey = keyof typeof USERS;
/** Sockets that log in successfully. */
const MEMBERS = ['admin', 'ann', 'bob', 'rita', 'guest'] as const;
type Member = (typeof MEMBERS)[number];
/** Sockets that must never receive an app event. */
const OUTSIDERS = ['never', 'wrongApp', 'expired'] as const;
type Outsider = (typeof OUTSIDERS)[number];

let server: RunningServer;
const tokens = {} as Record<UserKey, string>;
const probes = {} as Record<Member | Outsider, SocketProbe>;
const extra: SocketProbe[] = [];
const answers = {} as Record<Exclude<Member | Outsider, 'never'>, string>;
let seq = 0;

function tagged(tag: string) {
  return (data: unknown) => (data as { tag?: string } | null)?.tag === tag;
}

/** The answer bodies read here: a created row (`returnObject=true`) or the bulk results. */
type RestBody = Record<string, unknown> & { id?: unknown; __metadata?: { id?: unknown } };

async function rest(method: string, url: string, token: string, body?: unknown): Promise<RestBody> {
  const res = await fetch(server.url + url, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as RestBody;
}

function action(name: 'emitAll' | 'emitRole' | 'emitUsers', input: object): Promise<unknown> {
  return rest('POST', `/1/objects/action/signals?name=${name}`, tokens.admin, input);
}

/** Emits a barrier to everyone and waits until each of `who` has it; returns its log index. */
async function barrier(who: SocketProbe[]): Promise<number[]> {
  const tag = `barrier-${++seq}`;
  await action('emitAll', { event: 'barrier', data: { tag } });
  return Promise.all(
    who.map((p) => p.waitIndex((e) => e.event === 'barrier' && tagged(tag)(e.data), 0, tag)),
  );
}

/**
 * Runs `trigger`, then a barrier, and answers which members saw an `event` matching `ours`
 * before the barrier, with what they saw.
 */
async function receivers(
  event: string,
  ours: (data: unknown) => boolean,
  trigger: () => Promise<unknown>,
  who: readonly Member[] = MEMBERS,
): Promise<{ names: Member[]; seen: Map<Member, ProbeEntry> }> {
  const start = who.map((m) => probes[m].log.length);
  await trigger();
  const end = await barrier(who.map((m) => probes[m]));
  const seen = new Map<Member, ProbeEntry>();
  who.forEach((m, i) => {
    const hits = probes[m]
      .between(start[i], end[i])
      .filter((e) => e.event === event && ours(e.data));
    expect({ socket: m, copies: hits.length <= 1 }).toEqual({ socket: m, copies: true });
    if (hits.length) seen.set(m, hits[0]);
  });
  assertOutsidersSilent();
  return { names: [...seen.keys()].sort(), seen };
}

function appEvents(p: SocketProbe): string[] {
  return p.names().filter((n) => n !== 'notAuthorized' && n !== '$disconnect');
}

function assertOutsidersSilent(): void {
  for (const o of OUTSIDERS)
    expect({ socket: o, events: appEvents(probes[o]) }).toEqual({ socket: o, events: [] });
}

/** A token with the claims of a real one, signed with the app secret, expiring at `exp`. */
async function forge(real: string, exp: number): Promise<string> {
  const claims = decodeJwt(real);
  const header = decodeProtectedHeader(real);
  return new SignJWT({ ...claims, iat: exp - 3600, exp })
    .setProtectedHeader({ alg: header.alg ?? 'HS256', typ: header.typ })
    .sign(new TextEncoder().encode(SECRET));
}

const sorted = (xs: readonly string[]) => [...xs].sort();

beforeAll(async () => {
  server = await startTestServer(await loadAppDefinition(FIXTURE));
  for (const key of Object.keys(USERS) as UserKey[]) {
    const [username, password] = USERS[key];
    tokens[key] = (await signIn(server.url, username, password, APP)).access_token;
  }
  for (const name of [...MEMBERS, ...OUTSIDERS]) probes[name] = await SocketProbe.open(server.url);
  // Every case below relies on these logins; the first tests check their answers.
  const expired = await forge(tokens.ann, Math.floor(Date.now() / 1000) - 60);
  answers.admin = await probes.admin.login(`Bearer ${tokens.admin}`, null, APP);
  // The old Backand client sends the anonymous token next to a user token.
  answers.ann = await probes.ann.login(`Bearer ${tokens.ann}`, ANON, APP);
  answers.bob = await probes.bob.login(`bearer ${tokens.bob}`, '', APP);
  answers.rita = await probes.rita.login(`Bearer ${tokens.rita}`, null, APP);
  answers.guest = await probes.guest.login(null, ANON, APP);
  answers.wrongApp = await probes.wrongApp.login(`Bearer ${tokens.ann}`, null, 'not-matrix');
  answers.expired = await probes.expired.login(`Bearer ${expired}`, null, APP);
});

afterAll(async () => {
  for (const p of [...Object.values(probes), ...extra]) p.close();
  await server?.close();
});

describe('login', () => {
  it('authorizes users, guests and both spellings of Bearer', () => {
    expect(answers).toMatchObject({
      admin: 'authorized',
      ann: 'authorized',
      bob: 'authorized',
      rita: 'authorized',
      guest: 'authorized',
    });
  });

  it('refuses a wrong app name and an expired token', () => {
    expect(answers).toMatchObject({ wrongApp: 'notAuthorized', expired: 'notAuthorized' });
  });

  it('accepts the same forged claims when they have not expired (the secret is right)', async () => {
    const fresh = await forge(tokens.ann, Math.floor(Date.now() / 1000) + 600);
    const control = await SocketProbe.open(server.url);
    extra.push(control);
    expect(await control.login(`Bearer ${fresh}`, null, APP)).toBe('authorized');
    control.close();
  });

  it('refuses the access token of a signed-out session', async () => {
    const session = await signIn(server.url, ...USERS.bob, APP);
    const out = await fetch(`${server.url}/1/user/signout`, {
      headers: { Authorization: `Bearer ${session.access_token}` },
    });
    expect(out.status).toBe(200);
    const p = await SocketProbe.open(server.url);
    extra.push(p);
    expect(await p.login(`Bearer ${session.access_token}`, ANON, APP)).toBe('notAuthorized');
    // bob's other session is untouched.
    const q = await SocketProbe.open(server.url);
    extra.push(q);
    expect(await q.login(`Bearer ${tokens.bob}`, null, APP)).toBe('authorized');
    q.close();
  });

  it('refuses an unknown anonymous token and a missing identity', async () => {
    const a = await SocketProbe.open(server.url);
    const b = await SocketProbe.open(server.url);
    extra.push(a, b);
    expect(await a.login(null, 'not-the-anonymous-token', APP)).toBe('notAuthorized');
    expect(await b.login(null, null, APP)).toBe('notAuthorized');
  });
});

describe('emits from on-demand actions', () => {
  it('emitAll reaches every authorized socket, data unchanged', async () => {
    const tag = `all-${++seq}`;
    const data = { tag, nested: { n: 1, list: [1, 'two'] } };
    const r = await receivers('all_event', tagged(tag), () =>
      action('emitAll', { event: 'all_event', data }),
    );
    expect(r.names).toEqual(sorted(MEMBERS));
    for (const m of MEMBERS) expect(r.seen.get(m)?.data).toEqual(data);
  });

  it.each([
    ['Admin', ['admin']],
    ['User', ['ann', 'bob']],
    ['ReadOnly', ['rita']],
    ['Public', ['guest']],
    ['NoSuchRole', []],
  ] as const)('emitRole %s reaches exactly %j', async (role, expected) => {
    const tag = `role-${++seq}`;
    const r = await receivers('role_event', tagged(tag), () =>
      action('emitRole', { event: 'role_event', data: { tag }, role }),
    );
    expect(r.names).toEqual(sorted(expected));
  });

  it.each([
    [['ann@matrix.test'], ['ann']],
    [
      ['ann@matrix.test', 'rita@matrix.test'],
      ['ann', 'rita'],
    ],
    [
      ['ada@matrix.test', 'bob@matrix.test'],
      ['admin', 'bob'],
    ],
    [['nobody@matrix.test'], []],
    [[], []],
  ] as const)('emitUsers %j reaches exactly %j', async (users, expected) => {
    const tag = `users-${++seq}`;
    const r = await receivers('user_event', tagged(tag), () =>
      action('emitUsers', { event: 'user_event', data: { tag }, users }),
    );
    expect(r.names).toEqual(sorted(expected));
  });
});

describe('automatic data events', () => {
  const byId = (id: string) => (data: unknown) => String((data as { id?: unknown })?.id) === id;

  async function lifecycle(object: 'notes' | 'posts', owner: UserKey, field: string) {
    let id = '';
    const created = await receivers(
      `${object}.created`,
      (d) => byId(id)(d),
      async () => {
        const res = await rest('POST', `/1/objects/${object}?returnObject=true`, tokens[owner], {
          [field]: `first ${object} of ${owner}`,
        });
        id = String(res.id ?? res.__metadata?.id);
      },
    );
    const updated = await receivers(`${object}.updated`, byId(id), () =>
      rest('PUT', `/1/objects/${object}/${id}`, tokens[owner], { [field]: `edited by ${owner}` }),
    );
    const deleted = await receivers(`${object}.deleted`, byId(id), () =>
      rest('DELETE', `/1/objects/${object}/${id}`, tokens[owner]),
    );
    return { id, created, updated, deleted };
  }

  it('own-rows object: a User note reaches Admin, its owner and ReadOnly only', async () => {
    const { id, created, updated, deleted } = await lifecycle('notes', 'ann', 'text');
    for (const r of [created, updated, deleted]) expect(r.names).toEqual(['admin', 'ann', 'rita']);
    expect(created.seen.get('ann')?.data).toMatchObject({
      id,
      objectName: 'notes',
      event: 'created',
      row: { id: expect.anything(), text: 'first notes of ann', owner: 'ann@matrix.test' },
    });
    expect(updated.seen.get('rita')?.data).toMatchObject({
      id,
      objectName: 'notes',
      event: 'updated',
      row: { text: 'edited by ann' },
    });
    const gone = deleted.seen.get('admin')?.data as Record<string, unknown>;
    expect(gone).toMatchObject({ id, objectName: 'notes', event: 'deleted' });
    expect(gone['row']).toBeUndefined();
  });

  it("own-rows object: another User's note skips ann and reaches bob", async () => {
    const { created, updated, deleted } = await lifecycle('notes', 'bob', 'text');
    for (const r of [created, updated, deleted]) expect(r.names).toEqual(['admin', 'bob', 'rita']);
  });

  it('object readable by all: events reach every authorized socket, guests included', async () => {
    const { id, created, updated, deleted } = await lifecycle('posts', 'ann', 'title');
    for (const r of [created, updated, deleted]) expect(r.names).toEqual(sorted(MEMBERS));
    expect(created.seen.get('guest')?.data).toMatchObject({
      id,
      objectName: 'posts',
      event: 'created',
      row: { title: 'first posts of ann' },
    });
  });

  it('writes through /1/bulk are announced with the same filters', async () => {
    const bulkCreate = (object: string, data: object) => async () => {
      const [result] = (await rest('POST', '/1/bulk', tokens.ann, [
        { method: 'POST', url: `${server.url}/1/objects/${object}`, data },
      ])) as unknown as Array<{ status: number; body: { __metadata: { id: string } } }>;
      expect(result.status).toBe(200);
      return String(result.body.__metadata.id);
    };
    const note = await receivers(
      'notes.created',
      (d) => (d as { row?: { text?: string } })?.row?.text === 'bulk note',
      bulkCreate('notes', { text: 'bulk note' }),
    );
    expect(note.names).toEqual(['admin', 'ann', 'rita']);
    const post = await receivers(
      'posts.created',
      (d) => (d as { row?: { title?: string } })?.row?.title === 'bulk post',
      bulkCreate('posts', { title: 'bulk post' }),
    );
    expect(post.names).toEqual(sorted(MEMBERS));
  });

  it('an object without realtime emits nothing', async () => {
    let id = '';
    const r = await receivers(
      'signals.created',
      () => true,
      async () => {
        const res = await rest('POST', '/1/objects/signals?returnObject=true', tokens.admin, {
          name: 'x',
        });
        id = String(res.id ?? res.__metadata?.id);
      },
    );
    expect(id).not.toBe('');
    expect(r.names).toEqual([]);
  });
});

describe('sockets outside the app', () => {
  it('a wrong app name and an expired token are disconnected without any app event', async () => {
    for (const o of ['wrongApp', 'expired'] as const) {
      // Everything the server sent before closing arrives before the disconnect.
      await probes[o].waitFor('$disconnect');
      expect(probes[o].names()).toEqual(['notAuthorized', '$disconnect']);
    }
  });

  it('a socket that never logged in received nothing before it logs in', async () => {
    const never = probes.never;
    expect(appEvents(never)).toEqual([]);
    if (!never.socket.connected) {
      // The server may drop idle unauthenticated sockets; then nothing but the close arrived.
      expect(never.names()).toEqual(['$disconnect']);
      return;
    }
    expect(await never.login(null, ANON, APP)).toBe('authorized');
    // The server sends in order: anything queued for it before its login came first.
    expect(never.names()).toEqual(['authorized']);
    const [at] = await barrier([never]);
    expect(never.names().slice(0, at)).toEqual(['authorized']);
  });
});

describe('a second login on the same socket', () => {
  it('moves the socket to the new identity and out of the old audiences', async () => {
    const mover = await SocketProbe.open(server.url);
    extra.push(mover);
    const toUsers = async (users: string[]) => {
      const tag = `move-${++seq}`;
      const from = mover.log.length;
      await action('emitUsers', { event: 'user_event', data: { tag }, users });
      const [end] = await barrier([mover]);
      return mover.between(from, end).some((e) => e.event === 'user_event' && tagged(tag)(e.data));
    };
    const toRole = async (role: string) => {
      const tag = `move-${++seq}`;
      const from = mover.log.length;
      await action('emitRole', { event: 'role_event', data: { tag }, role });
      const [end] = await barrier([mover]);
      return mover.between(from, end).some((e) => e.event === 'role_event' && tagged(tag)(e.data));
    };

    expect(await mover.login(`Bearer ${tokens.ann}`, null, APP)).toBe('authorized');
    expect(await toUsers(['ann@matrix.test'])).toBe(true);

    expect(await mover.login(`Bearer ${tokens.bob}`, null, APP)).toBe('authorized');
    expect(await toUsers(['ann@matrix.test'])).toBe(false);
    expect(await toUsers(['bob@matrix.test'])).toBe(true);

    // A note of ann's no longer reaches the socket now that it is bob's.
    const tag = `note-${++seq}`;
    const from = mover.log.length;
    await rest('POST', '/1/objects/notes', tokens.ann, { text: tag });
    const [end] = await barrier([mover]);
    expect(mover.between(from, end).filter((e) => e.event === 'notes.created')).toEqual([]);

    expect(await mover.login(`Bearer ${tokens.rita}`, null, APP)).toBe('authorized');
    expect(await toRole('User')).toBe(false);
    expect(await toRole('ReadOnly')).toBe(true);

    expect(await mover.login(null, ANON, APP)).toBe('authorized');
    expect(await toUsers(['rita@matrix.test'])).toBe(false);
    expect(await toRole('ReadOnly')).toBe(false);
    expect(await toRole('Public')).toBe(true);
  });

  it('a failed second login leaves the socket with no audience', async () => {
    const p = await SocketProbe.open(server.url);
    extra.push(p);
    expect(await p.login(`Bearer ${tokens.ann}`, null, APP)).toBe('authorized');
    const from = p.log.length;
    expect(await p.login(`Bearer ${tokens.ann}`, null, 'not-matrix')).toBe('notAuthorized');
    const tag = `after-fail-${++seq}`;
    await action('emitUsers', { event: 'user_event', data: { tag }, users: ['ann@matrix.test'] });
    // Peers got the barrier that follows; the refused socket got nothing but its close.
    await barrier([probes.ann]);
    await p.waitFor('$disconnect', () => true, from);
    expect(p.names(from)).toEqual(['notAuthorized', '$disconnect']);
  });
});

describe('connection-state recovery', () => {
  it('replays to a recovered socket only the missed events of its own audience', async () => {
    const p = await SocketProbe.open(server.url);
    extra.push(p);
    expect(await p.login(`Bearer ${tokens.ann}`, null, APP)).toBe('authorized');
    await barrier([p]); // its audience is in place before the drop
    const dropped = p.waitFor('$disconnect', () => true, p.log.length);
    // A lost transport, not a client disconnect: the server keeps the session for recovery.
    p.socket.io.engine.close();
    await dropped;

    const tag = `missed-${++seq}`;
    const users = (to: string[], t: string) =>
      action('emitUsers', { event: 'user_event', data: { tag: t }, users: to });
    await users(['ann@matrix.test'], `${tag}-ann`);
    await users(['bob@matrix.test'], `${tag}-bob`);
    await action('emitRole', { event: 'role_event', data: { tag: `${tag}-user` }, role: 'User' });
    await action('emitRole', { event: 'role_event', data: { tag: `${tag}-admin` }, role: 'Admin' });
    await rest('POST', '/1/objects/notes', tokens.bob, { text: `${tag}-bob-note` });
    await rest('POST', '/1/objects/notes', tokens.ann, { text: `${tag}-ann-note` });
    // The others got all of it, so it was emitted while the socket was away.
    await barrier([probes.ann, probes.bob, probes.admin]);

    const from = p.log.length;
    const connected = new Promise<void>((resolve) => p.socket.once('connect', () => resolve()));
    p.socket.connect();
    await connected;
    expect(p.socket.recovered).toBe(true);
    const [end] = await barrier([p]);
    const got = p
      .between(from, end)
      .map((e) =>
        e.event === 'notes.created'
          ? `note:${(e.data as { row?: { text?: string } }).row?.text}`
          : `${e.event}:${(e.data as { tag?: string })?.tag}`,
      )
      .filter((x) => x.includes(tag));
    expect(got).toEqual([
      `user_event:${tag}-ann`,
      `role_event:${tag}-user`,
      `note:${tag}-ann-note`,
    ]);
  });
});
