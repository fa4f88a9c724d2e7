import * as http from 'node:http';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { signIn, startTestServer } from '../testing/test-server';

// Sign-in limits under concurrency: many real requests at once (Promise.all), never a loop of
// awaits. How many passwords were really checked is counted on scrypt itself (the module object
// the password code calls through), so a limit that only looks right in the answers still fails.

const USERS = ['ann', 'bob', 'cy', 'dee'].map((name) => ({
  username: `${name}@b.test`,
  password: `${name}-password`,
  role: 'User',
}));

const burstApp: AppDefinitionInput = {
  appName: 'burst',
  anonymousToken: 'anon-b',
  signInLimits: {
    windowSeconds: 600,
    maxFailuresPerUser: 3,
    maxFailuresPerAddress: 20,
    maxFailuresPerUserAllAddresses: 50,
    // Room for every request of a burst: here the failure limits are under test, not the queue.
    maxConcurrentHashes: 4,
    maxQueuedHashes: 2000,
  },
  users: USERS,
  objects: { things: { fields: { name: 'string' } } },
};

/** A flood's queue: one hash at a time, four waiting. */
const floodApp: AppDefinitionInput = {
  ...burstApp,
  appName: 'flood',
  signUpToken: 'signup-f',
  signInLimits: {
    windowSeconds: 600,
    maxFailuresPerUser: 3,
    maxFailuresPerAddress: 1000,
    maxFailuresPerUserAllAddresses: 1000,
    maxConcurrentHashes: 1,
    maxQueuedHashes: 4,
  },
};

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | undefined;
}

/** One request from a chosen loopback address (127.x.y.z), which the server sees as the client's. */
function send(
  server: RunningServer,
  localAddress: string,
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, localAddress, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const token = (server: RunningServer, from: string, fields: Record<string, string>) =>
  send(
    server,
    from,
    'POST',
    '/token',
    new URLSearchParams({
      appName: server.app.appName,
      grant_type: 'password',
      ...fields,
    }).toString(),
    { 'Content-Type': 'application/x-www-form-urlencoded' },
  );

const json = (
  server: RunningServer,
  from: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) =>
  send(server, from, method, path, body === undefined ? undefined : JSON.stringify(body), {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...headers,
  });

const count = (answers: Answer[], status: number) =>
  answers.filter((a) => a.status === status).length;

/**
 * Counts scrypt runs, and the most that ran at once, while the spy is on. The module object
 * itself (not an import wrapper), which the password code calls through.
 */
function watchScrypt() {
  const crypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  const real = crypto.scrypt.bind(crypto) as (...args: unknown[]) => void;
  const seen = { runs: 0, running: 0, mostAtOnce: 0 };
  jest.spyOn(crypto, 'scrypt').mockImplementation(((...args: unknown[]) => {
    seen.runs++;
    seen.mostAtOnce = Math.max(seen.mostAtOnce, ++seen.running);
    const callback = args.pop() as (...r: unknown[]) => void;
    real(...args, (...r: unknown[]) => {
      seen.running--;
      callback(...r);
    });
  }) as unknown as typeof crypto.scrypt);
  return seen;
}

describe('failed sign-in limits under concurrent attempts', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer(burstApp);
    // The dummy hash (for unknown users) is made once; made now, it stays out of the counts.
    await token(server, '127.0.0.1', { username: 'nobody@b.test', password: 'warm-up' });
  }, 30_000);
  afterAll(() => server.close());
  afterEach(() => jest.restoreAllMocks());

  it('refuses no right password sent at once, even beyond the pair and address limits', async () => {
    const scrypt = watchScrypt();
    // 24 sign-ins from one address (its limit is 20), 6 for each user (the pair limit is 3).
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        token(server, '127.0.0.16', {
          username: USERS[i % USERS.length]!.username,
          password: USERS[i % USERS.length]!.password,
        }),
      ),
    );
    expect(burst.map((a) => a.status)).toEqual(burst.map(() => 200));
    expect(scrypt.runs).toBe(24);
  }, 30_000);

  it('checks no more than the limit of 60 wrong passwords sent at once; the right one is then refused', async () => {
    const scrypt = watchScrypt();
    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        token(server, '127.0.0.11', { username: 'ann@b.test', password: `wrong-${i}` }),
      ),
    );
    expect(count(burst, 400)).toBe(3);
    expect(count(burst, 429)).toBe(57);
    expect(scrypt.runs).toBe(3);
    for (const refused of burst.filter((a) => a.status === 429)) {
      expect(refused.body).toEqual({
        error: 'invalid_grant',
        error_description: expect.stringMatching(/Too many failed sign-in attempts/),
      });
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    }

    const right = await token(server, '127.0.0.11', {
      username: 'ann@b.test',
      password: 'ann-password',
    });
    expect(right.status).toBe(429);
    expect(scrypt.runs).toBe(3);
    // Only that address is blocked for ann: elsewhere she signs in.
    const elsewhere = await token(server, '127.0.0.12', {
      username: 'ann@b.test',
      password: 'ann-password',
    });
    expect(elsewhere.status).toBe(200);
  }, 30_000);

  it('answers 429 to the excess of 1,000 failures at once from one address, and checks at most its limit', async () => {
    const scrypt = watchScrypt();
    const burst = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        token(server, '127.0.0.13', { username: `ghost-${i}@b.test`, password: 'guess-guess' }),
      ),
    );
    expect(count(burst, 400)).toBe(20);
    expect(count(burst, 429)).toBe(980);
    expect(scrypt.runs).toBe(20);
    expect(burst.every((a) => a.status !== 429 || Number(a.retryAfter) > 0)).toBe(true);
    // The address is blocked, even for a right password.
    const right = await token(server, '127.0.0.13', {
      username: 'bob@b.test',
      password: 'bob-password',
    });
    expect(right.status).toBe(429);
    expect(scrypt.runs).toBe(20);
  }, 120_000);

  it('limits guessing the old password on changePassword, sharing the count with /token', async () => {
    const cy = await signIn(server.url, 'cy@b.test', 'cy-password', 'burst');
    const auth = { Authorization: `Bearer ${cy.access_token}` };
    const from = '127.0.0.14';
    const scrypt = watchScrypt();
    // Two of the pair's three failures spent on /token …
    const tokens = await Promise.all(
      [1, 2].map((i) => token(server, from, { username: 'cy@b.test', password: `wrong-${i}` })),
    );
    expect(tokens.map((a) => a.status)).toEqual([400, 400]);
    // … leave one for ten guesses at once on changePassword.
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        json(
          server,
          from,
          'POST',
          '/1/user/changePassword',
          { oldPassword: `guess-${i}`, newPassword: 'cy-password-2' },
          auth,
        ),
      ),
    );
    expect(count(guesses, 400)).toBe(1);
    expect(count(guesses, 429)).toBe(9);
    expect(scrypt.runs).toBe(3);
    expect(guesses.find((a) => a.status === 400)?.body).toEqual({
      Message: 'The old password is incorrect',
      field: 'oldPassword',
    });
    for (const refused of guesses.filter((a) => a.status === 429)) {
      expect(refused.body['Message']).toMatch(/Too many failed password attempts/);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    }

    // Blocked: the right old password is refused too, and so is a sign-in from that address.
    const right = await json(
      server,
      from,
      'POST',
      '/1/user/changePassword',
      { oldPassword: 'cy-password', newPassword: 'cy-password-2' },
      auth,
    );
    expect(right.status).toBe(429);
    expect(
      (await token(server, from, { username: 'cy@b.test', password: 'cy-password' })).status,
    ).toBe(429);
    expect(scrypt.runs).toBe(3);
    // From another address the password is unchanged and signs in.
    const elsewhere = await token(server, '127.0.0.15', {
      username: 'cy@b.test',
      password: 'cy-password',
    });
    expect(elsewhere.status).toBe(200);
  }, 30_000);
});

describe('password hashing under a flood', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer(floodApp);
    await token(server, '127.0.0.1', { username: 'nobody@b.test', password: 'warm-up' });
  }, 30_000);
  afterAll(() => server.close());
  afterEach(() => jest.restoreAllMocks());

  it('answers beyond the queue at once with 503 and Retry-After, and keeps serving other routes', async () => {
    const scrypt = watchScrypt();
    // Right passwords, each from its own address: nothing here is a failure.
    const signIns = Array.from({ length: 100 }, (_, i) =>
      token(server, `127.0.1.${i + 1}`, {
        username: USERS[i % USERS.length]!.username,
        password: USERS[i % USERS.length]!.password,
      }),
    );
    const signUps = Array.from({ length: 10 }, (_, i) =>
      json(
        server,
        `127.0.2.${i + 1}`,
        'POST',
        '/1/user/signup',
        { email: `new-${i}@b.test`, password: 'new-password', confirmPassword: 'new-password' },
        { SignUpToken: 'signup-f' },
      ),
    );
    const reads = Array.from({ length: 20 }, () =>
      json(server, '127.0.0.1', 'GET', '/1/objects/things', undefined, {
        AnonymousToken: 'anon-b',
      }),
    );
    const [tokens, signups, lists] = await Promise.all([
      Promise.all(signIns),
      Promise.all(signUps),
      Promise.all(reads),
    ]);

    expect(lists.map((a) => a.status)).toEqual(lists.map(() => 200));
    expect(count(tokens, 200) + count(tokens, 503)).toBe(100);
    expect(count(signups, 200) + count(signups, 503)).toBe(10);
    expect(count(tokens, 503) + count(signups, 503)).toBeGreaterThan(0);
    // Never more hashes at once than the bound, and none for a refused request.
    expect(scrypt.mostAtOnce).toBe(1);
    expect(scrypt.runs).toBe(count(tokens, 200) + count(signups, 200));
    for (const busy of tokens.filter((a) => a.status === 503)) {
      expect(busy.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.stringMatching(/busy/),
      });
      expect(Number(busy.retryAfter)).toBeGreaterThan(0);
    }
    for (const busy of signups.filter((a) => a.status === 503)) {
      expect(busy.body).toEqual({ Message: expect.stringMatching(/busy/) });
      expect(Number(busy.retryAfter)).toBeGreaterThan(0);
    }

    // Once the flood is over, sign-ins are checked again.
    const after = await token(server, '127.0.0.1', {
      username: 'dee@b.test',
      password: 'dee-password',
    });
    expect(after.status).toBe(200);
  }, 60_000);
});
