import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { api } from '../testing/http-client';
import { startTestServer } from '../testing/test-server';
import { testDb } from '../testing/test-store';
import { closeDatabase, openDatabase } from './database';
import { tableColumns } from './sql';

describe('schema on restart', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'backand-schema-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a field added to the definition and keeps every row; tokens survive the restart', async () => {
    const appFile = path.join(dir, 'shop.json');
    const db = path.join(dir, 'shop.db');
    const app = {
      appName: 'shop',
      anonymousToken: 'shop-anon',
      users: [{ username: 'ola@shop.test', password: 'ola-password', role: 'Admin' }],
      objects: { products: { fields: { name: 'string' } } },
    };
    writeFileSync(appFile, JSON.stringify(app));
    const first = await startTestServer(undefined, { app: appFile, db });
    const token = await fetch(`${first.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=ola%40shop.test&password=ola-password&appName=shop&grant_type=password',
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const auth = { bearer: token.access_token };
    for (const name of ['one', 'two', 'three']) {
      expect((await api(first.url, 'POST', '/1/objects/products', auth, { name })).status).toBe(
        200,
      );
    }
    await first.close();

    app.objects.products.fields = {
      name: 'string',
      price: 'float',
    } as typeof app.objects.products.fields;
    writeFileSync(appFile, JSON.stringify(app));
    const second = await startTestServer(undefined, { app: appFile, db });
    try {
      const list = await api(second.url, 'GET', '/1/objects/products?exclude=metadata', auth);
      expect(list.status).toBe(200);
      expect(list.body).toEqual({
        totalRows: 3,
        data: [
          { id: 1, name: 'one', price: null },
          { id: 2, name: 'two', price: null },
          { id: 3, name: 'three', price: null },
        ],
      });
      const put = await api(second.url, 'PUT', '/1/objects/products/2?returnObject=true', auth, {
        price: 9.5,
      });
      expect(put.body).toMatchObject({ id: 2, name: 'two', price: 9.5 });
    } finally {
      await second.close();
    }
  });

  it('adds a relation to existing objects: an indexed id column, no column for the collection, rows kept', async () => {
    const appFile = path.join(dir, 'club.json');
    const db = path.join(dir, 'club.db');
    const app: Record<string, unknown> = {
      appName: 'club',
      users: [{ username: 'ola@club.test', password: 'ola-password', role: 'Admin' }],
      objects: { teams: { fields: { name: 'string' } }, players: { fields: { name: 'string' } } },
    };
    writeFileSync(appFile, JSON.stringify(app));
    const first = await startTestServer(undefined, { app: appFile, db });
    const auth = { headers: { Authorization: `Bearer ${await token(first.url)}` } };
    await api(first.url, 'POST', '/1/objects/teams', auth, { name: 'reds' });
    await api(first.url, 'POST', '/1/objects/players', auth, { name: 'pia' });
    await first.close();

    app['objects'] = {
      teams: {
        fields: { name: 'string', players: { collection: 'players', via: 'team' } },
      },
      players: { fields: { name: 'string', team: { object: 'teams' } } },
    };
    writeFileSync(appFile, JSON.stringify(app));
    const second = await startTestServer(undefined, { app: appFile, db });
    try {
      const auth2 = { headers: { Authorization: `Bearer ${await token(second.url)}` } };
      const put = await api(second.url, 'PUT', '/1/objects/players/1', auth2, { team: 1 });
      expect(put.status).toBe(200);
      const team = await api(
        second.url,
        'GET',
        '/1/objects/teams/1?deep=true&exclude=metadata',
        auth2,
      );
      expect(team.body).toEqual({
        id: 1,
        name: 'reds',
        players: [{ id: 1, name: 'pia', team: expect.objectContaining({ id: 1 }) }],
      });
    } finally {
      await second.close();
    }
    const store = openDatabase(testDb(db));
    try {
      const indexes = store
        .prepare(
          store.dialect === 'postgres'
            ? `SELECT indexname AS name FROM pg_indexes
               WHERE schemaname = current_schema() AND tablename = 'players'`
            : `SELECT name FROM pragma_index_list('players')`,
        )
        .all() as Array<{ name: string }>;
      expect(indexes.map((i) => i.name)).toContain('_backand_players_team');
      expect(tableColumns(store, 'teams').sort()).toEqual(['id', 'name']);
    } finally {
      closeDatabase(store);
    }
  });
});

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'username=ola%40club.test&password=ola-password&appName=club&grant_type=password',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
