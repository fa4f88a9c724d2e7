import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { api } from '../testing/http-client';
import { startTestServer } from '../testing/test-server';

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
});
