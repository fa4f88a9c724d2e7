import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AppDefinitionInput } from '../app-definition/schema';
import type { RunningServer } from '../server-options';
import { startServer } from '../server';
import { api, type Auth } from '../testing/http-client';
import { signIn } from '../testing/test-server';
import { describeMigration, migrateUsernames } from './migrate-usernames';

// A database written by a server that compared names with ASCII-only folding: names in other
// spellings, an account that a look-alike sign-up made next to another, and two sign-ups of one
// name that raced. Starting the new server brings it to one identity per person.

const APP = 'migrate';
const SIGNUP = 'migrate-signup';
const PW = { ann: 'ann-password', jorg: 'jorg-password', dup: 'dup-password', race: 'race-pw-1' };

const app: AppDefinitionInput = {
  appName: APP,
  signUpToken: SIGNUP,
  users: [{ username: 'ada@m.test', password: 'ada-password', role: 'Admin' }],
  objects: {
    notes: {
      fields: { title: 'string', owner: 'string' },
      ownerField: 'owner',
      permissions: { User: { create: 'all', read: 'own', update: 'own', delete: 'own' } },
    },
  },
};

let dir: string;
let dbFile: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'backand-migrate-'));
  dbFile = path.join(dir, 'old.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = () => startServer({ app, db: dbFile, port: 0, logLevel: 'silent' });

async function signUp(server: RunningServer, email: string, password: string): Promise<void> {
  const res = await api(
    server.url,
    'POST',
    '/1/user/signup',
    { headers: { SignUpToken: SIGNUP } },
    {
      email,
      password,
    },
  );
  expect(res.status).toBe(200);
}

const bearer = async (server: RunningServer, user: string, pw: string): Promise<Auth> => ({
  bearer: (await signIn(server.url, user, pw, APP)).access_token,
});

it('brings old names to one form, disables (never merges) the duplicates, and reports them', async () => {
  // 1. What an older server could have stored.
  let server = await start();
  await signUp(server, 'ann@m.test', PW.ann);
  await signUp(server, 'jörg@m.test', PW.jorg);
  await signUp(server, 'dup@m.test', PW.dup);
  await signUp(server, 'race@m.test', PW.race);
  const ann = await bearer(server, 'ann@m.test', PW.ann);
  await api(server.url, 'POST', '/1/objects/notes', ann, { title: "ann's" });
  const dup = await signIn(server.url, 'dup@m.test', PW.dup, APP);
  await api(
    server.url,
    'POST',
    '/1/objects/notes',
    { bearer: dup.access_token },
    { title: "dup's" },
  );
  const definition = server.app;
  await server.close();

  const raw = new Database(dbFile);
  // Older servers had no unique index on names.
  raw.prepare(`DROP INDEX _backand_users_unique_email`).run();
  const idOf = (email: string) =>
    (raw.prepare(`SELECT id FROM users WHERE email = ?`).get(email) as { id: number }).id;
  const ids = { ann: idOf('ann@m.test'), jorg: idOf('jörg@m.test'), dup: idOf('dup@m.test') };
  // ann was stored in another spelling (full-width A, upper case), with her row.
  raw.prepare(`UPDATE users SET email = 'ＡNN@M.test' WHERE email = 'ann@m.test'`).run();
  raw.prepare(`UPDATE notes SET owner = 'ＡNN@M.test' WHERE owner = 'ann@m.test'`).run();
  // dup is the look-alike account made next to jörg (upper-case Ö, which SQLite did not fold).
  raw.prepare(`UPDATE users SET email = 'JÖRG@m.test' WHERE email = 'dup@m.test'`).run();
  raw.prepare(`UPDATE notes SET owner = 'JÖRG@m.test' WHERE owner = 'dup@m.test'`).run();
  // Two sign-ups of one name that raced: the later row is an exact copy of the name.
  const race = raw.prepare(`SELECT * FROM users WHERE email = 'race@m.test'`).get() as {
    id: number;
  };
  const copy = raw.prepare(`INSERT INTO users (email, role) VALUES ('race@m.test', 'User')`).run();
  raw
    .prepare(
      `INSERT INTO _backand_credentials (user_id, password_hash)
    SELECT ?, password_hash FROM _backand_credentials WHERE user_id = ?`,
    )
    .run(copy.lastInsertRowid, race.id);
  raw.prepare(`DELETE FROM _backand_meta WHERE key = 'username_form'`).run();
  raw.close();

  // 2. The migration on its own: what it did, and that it runs once per database.
  const db = Object.assign(new Database(dbFile), { dialect: 'sqlite' as const });
  const report = migrateUsernames(db, definition);
  expect(report).toEqual({
    renamed: [{ id: ids.ann, from: 'ＡNN@M.test', to: 'ann@m.test' }],
    collisions: [
      { id: ids.dup, name: 'JÖRG@m.test', canonical: 'jörg@m.test', keptBy: ids.jorg },
      {
        id: Number(copy.lastInsertRowid),
        name: `race@m.test (DISABLED, same name as user ${race.id})`,
        canonical: 'race@m.test',
        keptBy: race.id,
      },
    ],
    ownersRewritten: 1,
    rowsOfCollisions: { notes: 1 },
  });
  expect(migrateUsernames(db, definition)).toBeNull();
  db.close();

  // 3. The server on the migrated database.
  server = await start();
  try {
    // ann signs in by her name in any spelling, and her row is hers.
    const annAgain = await bearer(server, 'Ann@m.test', PW.ann);
    const annNotes = await api(server.url, 'GET', '/1/objects/notes', annAgain);
    expect(annNotes.body.data.map((r: { title: string }) => r.title)).toEqual(["ann's"]);

    // jörg keeps his account; the look-alike's password is not jörg's, and it cannot sign in.
    const jorg = await bearer(server, 'JÖRG@m.test', PW.jorg);
    const jorgNotes = await api(server.url, 'GET', '/1/objects/notes', jorg);
    expect(jorgNotes.body.data).toEqual([]); // dup's row was not merged into jörg's
    const asDup = await api(server.url, 'POST', '/token', null, {
      username: 'JÖRG@m.test',
      password: PW.dup,
      appName: APP,
    });
    expect(asDup.status).toBe(400);
    // dup's old tokens stopped working.
    expect(
      (await api(server.url, 'GET', '/1/objects/notes', { bearer: dup.access_token })).status,
    ).toBe(401);
    const refresh = await api(server.url, 'POST', '/token', null, {
      grant_type: 'refresh_token',
      username: 'JÖRG@m.test',
      refreshToken: dup.refresh_token,
      appName: APP,
    });
    expect(refresh.status).toBe(400);

    // The admin still sees dup's row under dup's own name, to reassign or delete.
    const admin = await bearer(server, 'ada@m.test', 'ada-password');
    const all = await api(server.url, 'GET', '/1/objects/notes', admin);
    expect(all.body.data.map((r: { owner: string }) => r.owner).sort()).toEqual([
      'JÖRG@m.test',
      'ann@m.test',
    ]);
    const users = await api(server.url, 'GET', '/1/objects/users?pageSize=50', admin);
    const emails = users.body.data.map((u: { email: string }) => u.email).sort();
    expect(emails).toEqual([
      'JÖRG@m.test',
      'ada@m.test',
      'ann@m.test',
      'jörg@m.test',
      'race@m.test',
      `race@m.test (DISABLED, same name as user ${race.id})`,
    ]);
    // One account per name from now on, at the database too.
    expect(
      (
        await api(server.url, 'POST', '/1/objects/users', admin, {
          email: 'RACE@m.test',
          role: 'User',
        })
      ).status,
    ).toBe(409);
  } finally {
    await server.close();
  }
});

it('describes collisions for the operator, with what to do', () => {
  const lines = describeMigration({
    renamed: [{ id: 1, from: 'ＡNN@M.test', to: 'ann@m.test' }],
    collisions: [{ id: 3, name: 'JÖRG@m.test', canonical: 'jörg@m.test', keptBy: 2 }],
    ownersRewritten: 1,
    rowsOfCollisions: { notes: 1 },
  });
  expect(lines).toEqual([
    'User names brought to their canonical form: 1 users, 1 owner values.',
    expect.stringContaining(
      'User 3 "JÖRG@m.test" is the same name as user 2 ("jörg@m.test") and was disabled, not merged',
    ),
    '1 rows of "notes" are owned by a disabled user name; an admin can reassign or delete them.',
  ]);
});
