import fc from 'fast-check';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { SocketProbe } from '../testing/fixtures/socket-probe';
import { api, qs, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';
import { canonicalUsername } from './username';

// One person, one account: every place that compares user names (sign-up uniqueness, sign-in,
// "own" rows, owner filters, named queries, emitUsers rooms, file uploaders) must agree on
// whether two spellings are the same account, and that is exactly when their canonical forms
// are equal. Generated names mix case folding, normalisation forms, compatibility letters,
// invisible characters and look-alikes from other scripts.

const APP = 'idapp';
const SIGNUP = 'id-signup-token';
const ADMIN = ['ada@id.test', 'ada-password'] as const;
const PASSWORD = 'secret-password';

const app: AppDefinitionInput = {
  appName: APP,
  anonymousToken: 'id-anon',
  signUpToken: SIGNUP,
  signInLimits: { maxFailuresPerUser: 3 },
  users: [{ username: ADMIN[0], password: ADMIN[1], role: 'Admin' }],
  objects: {
    notes: {
      fields: { title: 'string', owner: 'string' },
      ownerField: 'owner',
      realtime: true,
      permissions: { User: { create: 'all', read: 'own', update: 'own', delete: 'own' } },
      actions: [
        { name: 'files', trigger: 'onDemand', type: 'files' },
        {
          name: 'dm',
          trigger: 'onDemand',
          code: "function backandCallback(userInput, dbRow, parameters) { socket.emitUsers('dm', parameters.tag, [parameters.to]); return {}; }",
        },
      ],
    },
  },
  queries: {
    myNotes: { sql: 'SELECT COUNT(*) AS n FROM notes WHERE owner = :username', roles: ['User'] },
  },
};

let server: RunningServer;
let admin: Auth;
let runs = 0;

beforeAll(async () => {
  server = await startTestServer(app);
  admin = { bearer: (await signIn(server.url, ADMIN[0], ADMIN[1], APP)).access_token };
});
afterAll(() => server.close());

const signUp = (email: string) =>
  api(
    server.url,
    'POST',
    '/1/user/signup',
    { headers: { SignUpToken: SIGNUP } },
    {
      email,
      password: PASSWORD,
      confirmPassword: PASSWORD,
    },
  );

async function tokenOf(username: string): Promise<{ auth: Auth; userId: string; token: string }> {
  const t = await signIn(server.url, username, PASSWORD, APP);
  return { auth: { bearer: t.access_token }, userId: t.userId, token: t.access_token };
}

/** Letters that fold, decompose or have look-alikes. */
const word = fc
  .array(fc.constantFrom(...'abcdeiknopsxyöüßσкі'), { minLength: 3, maxLength: 8 })
  .map((c) => c.join(''));

const LOOKALIKE: Record<string, string> = {
  a: '\u0430',
  c: '\u0441',
  e: '\u0435',
  i: '\u0456',
  k: '\u043A',
  o: '\u043E',
  p: '\u0440',
  s: '\u0455',
  x: '\u0445',
  y: '\u0443',
};

/** Ways to write a name again: most keep the account, look-alikes make another one. */
const respellings: Record<string, (s: string) => string> = {
  upper: (s) => s.toUpperCase(),
  nfd: (s) => s.normalize('NFD'),
  nfkd: (s) => s.normalize('NFKD'),
  kelvin: (s) => s.replace(/k/g, '\u212A'),
  fullWidth: (s) => s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
  invisible: (s) => `${s.slice(0, 2)}\u200B${s.slice(2, 4)}\u00AD${s.slice(4)}\uFEFF`,
  spaces: (s) => `  ${s} `,
  lookalike: (s) => {
    const at = [...s].findIndex((c) => c in LOOKALIKE);
    return at < 0 ? s : s.slice(0, at) + LOOKALIKE[s[at]!]! + s.slice(at + 1);
  },
  lookalikeUpper: (s) => respellings['lookalike']!(s).toUpperCase(),
};

describe('one identity per person (property-based)', () => {
  it('every identity comparison agrees with the canonical form', async () => {
    await fc.assert(
      fc.asyncProperty(word, fc.constantFrom(...Object.keys(respellings)), async (w, how) => {
        const base = `${w}.${++runs}@id.test`;
        const variant = respellings[how]!(base);
        const same = canonicalUsername(variant) === canonicalUsername(base);

        expect((await signUp(base)).status).toBe(200);
        const a = await tokenOf(base);
        const note = await api(server.url, 'POST', '/1/objects/notes?returnObject=true', a.auth, {
          title: `by ${base}`,
        });
        expect(note.status).toBe(200);

        // Sign-up uniqueness: a second account only for another name.
        const second = await signUp(variant);
        expect(second.status).toBe(same ? 409 : 200);

        // Sign-in: the variant with a's password is a, or (another account) its own user.
        const v = await tokenOf(variant);
        expect(v.userId === a.userId).toBe(same);

        // Own rows: read, update, the list, and a filter on the owner field by a's name.
        const read = await api(server.url, 'GET', `/1/objects/notes/${note.body.id}`, v.auth);
        expect(read.status).toBe(same ? 200 : 403);
        const update = await api(server.url, 'PUT', `/1/objects/notes/${note.body.id}`, v.auth, {
          title: 'changed',
        });
        expect(update.status).toBe(same ? 200 : 403);
        const filtered = await api(
          server.url,
          'GET',
          `/1/objects/notes${qs({ filter: [{ fieldName: 'owner', operator: 'equals', value: base }] })}`,
          v.auth,
        );
        expect(filtered.body.data.length).toBe(same ? 1 : 0);

        // An admin gives a row to the variant's spelling: it is a's exactly when it is the same name.
        const given = await api(server.url, 'POST', '/1/objects/notes?returnObject=true', admin, {
          title: 'given',
          owner: variant,
        });
        expect(given.status).toBe(200);
        const aList = await api(server.url, 'GET', '/1/objects/notes', a.auth);
        expect(aList.body.data.some((r: { id: unknown }) => r.id === given.body.id)).toBe(same);
        const count = await api(server.url, 'GET', '/1/query/data/myNotes', a.auth);
        expect(count.body[0].n).toBe(same ? 2 : 1);

        // File uploader: the variant may replace a's file only when it is a.
        const file = `f${runs}.txt`;
        const upload = (auth: Auth) =>
          api(server.url, 'POST', '/1/objects/action/notes?name=files', auth, {
            filename: file,
            filedata: Buffer.from('x').toString('base64'),
          });
        expect((await upload(a.auth)).status).toBe(200);
        expect((await upload(v.auth)).status).toBe(same ? 200 : 403);
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  it('emitUsers to any spelling reaches the account of that name and no other', async () => {
    const base = `emit.${++runs}@id.test`;
    const other = base.replace('e', '\u0435'); // Cyrillic e: another person
    expect((await signUp(base)).status).toBe(200);
    expect((await signUp(other)).status).toBe(200);
    const a = await tokenOf(base);
    const o = await tokenOf(other);
    const aSocket = await SocketProbe.open(server.url);
    const oSocket = await SocketProbe.open(server.url);
    try {
      expect(await aSocket.login(`Bearer ${a.token}`, null, APP)).toBe('authorized');
      expect(await oSocket.login(`Bearer ${o.token}`, null, APP)).toBe('authorized');
      const spellings = fc.sample(
        fc.constantFrom(...Object.keys(respellings)).map((how) => respellings[how]!(base)),
        { numRuns: 12, seed: 42 },
      );
      for (const [i, to] of spellings.entries()) {
        const same = canonicalUsername(to) === canonicalUsername(base);
        const tag = `dm-${i}`;
        const sent = await api(server.url, 'POST', '/1/objects/action/notes?name=dm', admin, {
          to,
          tag,
        });
        expect(sent.status).toBe(200);
        // Barrier: a message to each of the two that both will get after `tag` if it was sent.
        for (const [who, name] of [
          [aSocket, base],
          [oSocket, other],
        ] as const) {
          await api(server.url, 'POST', '/1/objects/action/notes?name=dm', admin, {
            to: name,
            tag: `${tag}-barrier`,
          });
          const end = await who.waitIndex(
            (e) => e.event === 'dm' && e.data === `${tag}-barrier`,
            0,
            `${tag}-barrier`,
          );
          const got = who.log.slice(0, end).some((e) => e.event === 'dm' && e.data === tag);
          const meant = who === aSocket ? same : canonicalUsername(to) === canonicalUsername(other);
          expect({ to, who: name, got }).toEqual({ to, who: name, got: meant });
        }
      }
    } finally {
      aSocket.close();
      oSocket.close();
    }
  }, 60_000);

  it('the look-alike sign-ups of the report cannot take over an account', async () => {
    expect((await signUp('sdk@backand.com')).status).toBe(200);
    expect((await signUp('sd\u212A@backand.com')).status).toBe(409);
    expect((await signUp('jörg@x.test')).status).toBe(200);
    expect((await signUp('JÖRG@x.test')).status).toBe(409);
    expect((await signUp('JO\u0308RG@x.test')).status).toBe(409);
    expect((await signUp('jö\u200Brg@x.test')).status).toBe(409);
  });

  it('names that canonicalise alike and sign up at once make one account', async () => {
    const base = `race.${++runs}@id.test`;
    const spellings = [base, base.toUpperCase(), base.normalize('NFKD'), base.replace(/c/g, 'ｃ')];
    const answers = await Promise.all(spellings.map(signUp));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
  });

  it('refuses names with control or unassigned characters, and names that are only invisible', async () => {
    for (const email of [
      'a\u0000b@id.test',
      'ab@id\u0007.test',
      'a\uE000@id.test',
      '\u200B@\u200B',
    ]) {
      const res = await signUp(email);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('email');
    }
    const users = await api(server.url, 'POST', '/1/objects/users', admin, {
      email: '\u200B\u00AD',
      role: 'User',
    });
    expect(users.status).toBe(400);
  });

  it('an admin who creates a user through the users object in another spelling meets the same 409', async () => {
    const base = `byadmin.${++runs}@id.test`;
    expect((await signUp(base)).status).toBe(200);
    const res = await api(server.url, 'POST', '/1/objects/users', admin, {
      email: base.toUpperCase().replace('B', 'Ｂ'),
      role: 'User',
    });
    expect(res.status).toBe(409);
  });

  it('counts failed sign-ins of every spelling of a name against that one user', async () => {
    const base = `limited.${++runs}@id.test`;
    expect((await signUp(base)).status).toBe(200);
    const attempt = (username: string, password: string) =>
      api(server.url, 'POST', '/token', null, { username, password, appName: APP });
    const spellings = [base.toUpperCase(), base.normalize('NFKD'), ` ${base.replace('d', 'ｄ')}`];
    for (const spelling of spellings) {
      expect((await attempt(spelling, 'wrong-password')).status).toBe(400);
    }
    // Three failures in three spellings reach the limit of one user: even the right one waits.
    const blocked = await attempt(base.replace('i', 'I'), PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
