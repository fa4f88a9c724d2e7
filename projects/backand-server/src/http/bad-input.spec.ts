import type { RunningServer } from '../server-options';
import { api, qs, type ApiResponse, type Auth } from '../testing/http-client';
import { signIn, startTestServer } from '../testing/test-server';

/**
 * Bad input of every kind gets a clear 4xx and changes nothing: after all of it the server
 * still serves and every row is as it was.
 */
describe('bad input', () => {
  let server: RunningServer;
  let ada: Auth;
  let snapshot: unknown;

  const listAll = async () =>
    (
      await api(
        server.url,
        'GET',
        '/1/objects/items?pageSize=200&sort=' + encodeURIComponent('[{"fieldName":"id"}]'),
        ada,
      )
    ).body;

  beforeAll(async () => {
    server = await startTestServer();
    ada = { bearer: (await signIn(server.url, 'ada@demo.test', 'ada-password')).access_token };
    for (const item of [
      { name: 'plain', qty: 1, price: 1.5, done: false, description: 'first' },
      { name: '100% done', qty: 2, description: 'percent' },
      { name: '1000 done', qty: 3, description: 'digits' },
      { name: 'under_score', qty: 4, meta: { deep: [1, 2] } },
      { name: "O'Brien", qty: 5, createdAt: '2020-05-05T05:05:05Z' },
    ]) {
      expect((await api(server.url, 'POST', '/1/objects/items', ada, item)).status).toBe(200);
    }
    snapshot = await listAll();
  });
  afterAll(async () => {
    // The server still serves, and the rows are intact.
    expect((await signIn(server.url, 'ann@demo.test', 'ann-password')).role).toBe('User');
    expect(await listAll()).toEqual(snapshot);
    await server.close();
  });

  const expect4xx = (res: ApiResponse, status: number, message: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.body).toEqual(expect.objectContaining({ Message: expect.stringMatching(message) }));
  };

  it('malformed JSON bodies get 400', async () => {
    for (const [method, path] of [
      ['POST', '/1/objects/items'],
      ['PUT', '/1/objects/items/1'],
      ['POST', '/1/bulk'],
      ['POST', '/1/query/data/itemsByName'],
    ]) {
      expect4xx(await api(server.url, method!, path!, ada, '{"name": "x",'), 400, /Malformed JSON/);
    }
  });

  it('bodies that are not objects get 400', async () => {
    for (const body of ['[1,2]', '"text"', '42']) {
      expect4xx(
        await api(server.url, 'POST', '/1/objects/items', ada, body),
        400,
        /must be a JSON object/,
      );
    }
  });

  it.each([
    ['qty', 'abc', /qty.*integer/],
    ['qty', 1.5, /qty.*integer/],
    ['price', 'cheap', /price.*number/],
    ['done', 'maybe', /done.*boolean/],
    ['createdAt', 'not a date', /createdAt.*date-time/],
    ['name', 123, /name.*string/],
    ['name', { nested: true }, /name.*string/],
  ])('a wrong type for %s (%j) gets 400 naming the field', async (field, value, message) => {
    const res = await api(server.url, 'POST', '/1/objects/items', ada, {
      name: 'typed',
      [field]: value,
    });
    expect4xx(res, 400, message);
    expect(res.body.field).toBe(field);
    const put = await api(server.url, 'PUT', '/1/objects/items/1', ada, { [field]: value });
    expect4xx(put, 400, message);
  });

  it('missing or nulled required fields get 400', async () => {
    expect4xx(
      await api(server.url, 'POST', '/1/objects/items', ada, { qty: 1 }),
      400,
      /"name".*required/,
    );
    expect4xx(
      await api(server.url, 'PUT', '/1/objects/items/1', ada, { name: null }),
      400,
      /"name".*required/,
    );
  });

  it('unknown objects get 404 and unknown fields 400 (body, filter, sort)', async () => {
    expect4xx(
      await api(server.url, 'GET', '/1/objects/ghosts', ada),
      404,
      /Unknown object "ghosts"/,
    );
    expect4xx(
      await api(server.url, 'POST', '/1/objects/items', ada, { name: 'x', color: 'red' }),
      400,
      /Unknown field "color"/,
    );
    expect4xx(
      await api(
        server.url,
        'GET',
        `/1/objects/items${qs({ filter: [{ fieldName: 'color', operator: 'equals', value: 'red' }] })}`,
        ada,
      ),
      400,
      /Unknown field "color" in filter/,
    );
    expect4xx(
      await api(
        server.url,
        'GET',
        `/1/objects/items${qs({ sort: [{ fieldName: 'color', order: 'asc' }] })}`,
        ada,
      ),
      400,
      /Unknown field "color" in sort/,
    );
  });

  it('malformed list parameters get 400', async () => {
    const cases: Array<[Record<string, unknown> | string, RegExp]> = [
      ['filter=%7Bnot-json', /"filter" is not valid JSON/],
      [
        { filter: [{ fieldName: 'name', operator: 'like', value: 'x' }] },
        /operator must be one of/,
      ],
      [{ filter: [{ operator: 'equals', value: 'x' }] }, /fieldName/],
      [{ filter: ['name'] }, /filter\[0\] must be an object/],
      [{ filter: [{ fieldName: 'qty', operator: 'greaterThan', value: 'lots' }] }, /qty.*integer/],
      [{ sort: [{ fieldName: 'name', order: 'sideways' }] }, /order must be "asc" or "desc"/],
      [{ pageSize: -1 }, /pageSize/],
      [{ pageSize: 'ten' }, /pageSize/],
      [{ pageNumber: 0 }, /pageNumber/],
      [{ parameters: [1, 2] }, /"parameters" must be a JSON object/],
    ];
    for (const [params, message] of cases) {
      const query = typeof params === 'string' ? `?${params}` : qs(params);
      expect4xx(await api(server.url, 'GET', `/1/objects/items${query}`, ada), 400, message);
    }
    expect4xx(await api(server.url, 'GET', '/1/objects/items/abc', ada), 400, /Invalid id/);
    expect4xx(
      await api(server.url, 'DELETE', '/1/objects/items/1%20OR%201=1', ada),
      400,
      /Invalid id/,
    );
  });

  it('injection strings in filter values are plain values', async () => {
    const names = async (filter: unknown) => {
      const res = await api(server.url, 'GET', `/1/objects/items${qs({ filter })}`, ada);
      expect(res.status).toBe(200);
      return res.body.data.map((r: { name: string }) => r.name);
    };
    expect(await names([{ fieldName: 'name', operator: 'equals', value: "x' OR '1'='1" }])).toEqual(
      [],
    );
    expect(
      await names([{ fieldName: 'name', operator: 'equals', value: "'; DROP TABLE items; --" }]),
    ).toEqual([]);
    expect(
      await names([{ fieldName: 'name', operator: 'contains', value: "' OR 1=1 --" }]),
    ).toEqual([]);
    expect(await names([{ fieldName: 'name', operator: 'equals', value: "O'Brien" }])).toEqual([
      "O'Brien",
    ]);
    // LIKE wildcards in values match literally.
    expect(await names([{ fieldName: 'name', operator: 'contains', value: '%' }])).toEqual([
      '100% done',
    ]);
    expect(await names([{ fieldName: 'name', operator: 'contains', value: '_' }])).toEqual([
      'under_score',
    ]);
    const inList = await api(
      server.url,
      'GET',
      `/1/objects/items${qs({ filter: [{ fieldName: 'qty', operator: 'in', value: ['1', '2) OR (1=1'] }] })}`,
      ada,
    );
    expect4xx(inList, 400, /qty.*integer/);
    expect(
      await names([{ fieldName: 'name', operator: 'in', value: ["plain') OR ('1'='1", 'plain'] }]),
    ).toEqual(['plain']);
    const search = await api(
      server.url,
      'GET',
      `/1/objects/items${qs({ search: "%' OR '1'='1" })}`,
      ada,
    );
    expect(search.body.data).toEqual([]);
  });

  it('injection strings in field names are unknown fields (400), in filter, sort and body', async () => {
    const evil = [
      'name" OR 1=1 --',
      'name; DROP TABLE items',
      'id) OR (1=1',
      '"name"',
      'sqlite_master',
    ];
    for (const fieldName of evil) {
      const filter = await api(
        server.url,
        'GET',
        `/1/objects/items${qs({ filter: [{ fieldName, operator: 'equals', value: 'x' }] })}`,
        ada,
      );
      expect4xx(filter, 400, /Unknown field/);
      const sort = await api(
        server.url,
        'GET',
        `/1/objects/items${qs({ sort: [{ fieldName, order: 'asc' }] })}`,
        ada,
      );
      expect4xx(sort, 400, /Unknown field/);
      expect4xx(
        await api(server.url, 'POST', '/1/objects/items', ada, { name: 'x', [fieldName]: 1 }),
        400,
        /Unknown field/,
      );
    }
    expect4xx(
      await api(server.url, 'GET', '/1/objects/items%22%3B%20DROP%20TABLE%20items', ada),
      404,
      /Unknown object/,
    );
  });

  it('oversize bodies get 413 with a JSON message, on JSON and form routes', async () => {
    const big = JSON.stringify({ name: 'big', description: 'x'.repeat(1024 * 1024 + 10) });
    expect4xx(await api(server.url, 'POST', '/1/objects/items', ada, big), 413, /too large/);
    const form = `username=a&password=${'p'.repeat(1024 * 1024 + 10)}&appName=demo`;
    const res = await api(server.url, 'POST', '/token', null, form, {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect4xx(res, 413, /too large/);
  });

  it('unsupported content types get 415', async () => {
    const res = await api(server.url, 'POST', '/1/objects/items', ada, '<item/>', {
      'Content-Type': 'application/xml',
    });
    expect4xx(res, 415, /Content-Type/);
  });

  it('unknown routes get a JSON 404', async () => {
    expect4xx(await api(server.url, 'GET', '/1/nothing/here', ada), 404, /Not found/);
  });
});
