import * as path from 'node:path';
import { loadAppDefinition } from '../../app-definition/load-app-definition';
import type { RunningServer } from '../../index';
import { api, qs, type LooseJson } from '../../testing/http-client';
import { signIn, startTestServer } from '../../testing/test-server';
import { TEST_DATABASE_URL } from '../../testing/test-store';

/** The store the suite runs on: saved SQL compiles in its dialect. */
const STORE = TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite';

// The examples of Backand's documentation (NoSQL query language, geographic data, queries),
// adapted only in URL and app name.

const FIXTURE = path.join(__dirname, '../../testing/fixtures/nosql-app.json');
let server: RunningServer;
let ann: string;
let ada: string;
const log: string[] = [];

const list = async (object: string, filter: unknown, token = ann) =>
  api(server.url, 'GET', `/1/objects/${object}${qs({ filter, pageSize: 200 })}`, { bearer: token });
const names = (res: { body: LooseJson }) =>
  (res.body.data as Array<{ name: string }>).map((r) => r.name).sort();
const query = (name: string, parameters?: unknown) =>
  api(server.url, 'GET', `/1/query/data/${name}${qs({ parameters })}`, { bearer: ann });

beforeAll(async () => {
  server = await startTestServer(await loadAppDefinition(FIXTURE), {
    logLevel: 'warn',
    logStream: { write: (line: string) => void log.push(line) },
  });
  ann = (await signIn(server.url, 'ann@hr.test', 'ann-password', 'hr')).access_token;
  ada = (await signIn(server.url, 'ada@hr.test', 'ada-password', 'hr')).access_token;
  const post = async (object: string, row: object) => {
    const res = await api(
      server.url,
      'POST',
      `/1/objects/${object}?returnObject=true`,
      { bearer: ada },
      row,
    );
    if (res.status !== 200) throw new Error(`${object}: ${JSON.stringify(res.body)}`);
    return res.body as { id: number };
  };
  const ny = await post('department', { name: 'Sales', city: 'New York' });
  const bos = await post('department', { name: 'Support', city: 'Boston' });
  const rows = [
    {
      name: 'Ann',
      age: 24,
      position: 'Sales Manager',
      salary: 100,
      city: 'Boston',
      Location: 'Palo Alto',
      Budget: 10,
      Country: 'US',
      deptId: ny.id,
    },
    {
      name: 'Ben',
      age: 31,
      position: 'Sales Manager',
      salary: 120,
      city: 'Paris',
      Location: 'Paris',
      Budget: 30,
      Country: 'FR',
      deptId: ny.id,
      middleName: 'Jo',
    },
    {
      name: 'Cat',
      age: 40,
      position: 'Engineer',
      salary: 150,
      city: 'Boston',
      Location: 'Boston',
      Budget: 25,
      Country: 'US',
      deptId: bos.id,
    },
    {
      name: 'Dan',
      age: 22,
      position: 'Engineer',
      salary: 90,
      city: 'Boston',
      Location: 'Lyon',
      Budget: 5,
      Country: 'FR',
      deptId: ny.id,
    },
  ];
  for (const r of rows) await post('employees', r);
  await post('Person', { name: 'john', City: 'Haifa', country: 'IL' });
  await post('Person', { name: 'mary', City: 'Rome', country: 'IT' });
  await post('offices', { num_employees: 40, location: 'Austin' });
  await post('offices', { num_employees: 10, location: 'Palo Alto' });
  await post('offices', { num_employees: 5, location: 'Reno' });
  await post('city', { name: 'Tel Aviv', location: [32.0853, 34.7818] });
  await post('city', { name: 'Ramat Gan', location: [32.0684, 34.8248] });
  await post('city', { name: 'Jerusalem', location: [31.7683, 35.2137] });
  await post('restaurants', { name: 'Marina', location: [37.8037, -122.4368] });
  await post('restaurants', { name: 'San Jose', location: [37.3382, -121.8863] });
  await post('restaurants', { name: 'Sacramento', location: [38.5816, -121.4944] });
});

afterAll(() => server?.close());

describe('the NoSQL query language on lists (filter={"q": …})', () => {
  it('compares a field with a constant and with $lt', async () => {
    expect(names(await list('employees', { q: { position: 'Sales Manager' } }))).toEqual([
      'Ann',
      'Ben',
    ]);
    expect(names(await list('employees', { q: { age: { $lt: 25 } } }))).toEqual(['Ann', 'Dan']);
  });

  it('takes $between, AND expressions and $or', async () => {
    expect(names(await list('employees', { q: { age: { $between: [25, 40] } } }))).toEqual([
      'Ben',
      'Cat',
    ]);
    const and = { position: 'Sales Manager', age: { $lt: 25 }, city: 'Boston' };
    expect(names(await list('employees', { q: and }))).toEqual(['Ann']);
    const or = { $or: [{ num_employees: { $gt: 30 } }, { location: 'Palo Alto' }] };
    const offices = await list('offices', { q: or });
    expect(
      (offices.body.data as Array<{ location: string }>).map((o) => o.location).sort(),
    ).toEqual(['Austin', 'Palo Alto']);
  });

  it('takes $not, $neq, $exists, $ne, $in, $nin, $like, $and', async () => {
    expect(names(await list('employees', { q: { city: { $not: 'Boston' } } }))).toEqual(['Ben']);
    expect(names(await list('employees', { q: { city: { $not: { $eq: 'Paris' } } } }))).toEqual([
      'Ann',
      'Cat',
      'Dan',
    ]);
    expect(names(await list('employees', { q: { city: { $neq: 'Paris' } } }))).toEqual([
      'Ann',
      'Cat',
      'Dan',
    ]);
    expect(names(await list('employees', { q: { middleName: { $exists: true } } }))).toEqual([
      'Ben',
    ]);
    expect(names(await list('employees', { q: { Country: { $ne: 'US' } } }))).toEqual([
      'Ben',
      'Dan',
    ]);
    expect(names(await list('employees', { q: { name: { $in: ['Ann', 'Cat', 'Zed'] } } }))).toEqual(
      ['Ann', 'Cat'],
    );
    expect(names(await list('employees', { q: { name: { $nin: ['Ann', 'Cat'] } } }))).toEqual([
      'Ben',
      'Dan',
    ]);
    expect(names(await list('employees', { q: { Location: { $like: 'Pa%' } } }))).toEqual([
      'Ann',
      'Ben',
    ]);
    expect(
      names(
        await list('employees', { q: { $and: [{ age: { $gte: 24 } }, { age: { $lte: 31 } }] } }),
      ),
    ).toEqual(['Ann', 'Ben']);
  });

  it('takes the sub-query examples ($in with a query of another object)', async () => {
    const inNewYork = { object: 'department', q: { city: 'New York' }, fields: ['id'] };
    expect(names(await list('employees', { q: { deptId: { $in: inNewYork } } }))).toEqual([
      'Ann',
      'Ben',
      'Dan',
    ]);
    const both = { deptId: { $in: inNewYork }, city: 'Boston' };
    expect(names(await list('employees', { q: both }))).toEqual(['Ann', 'Dan']);
  });

  it('takes the docs whole query on a list: fields, and the group-by example', async () => {
    const res = await list('employees', {
      object: 'employees',
      q: { position: 'Sales Manager' },
      fields: ['name', 'salary'],
    });
    expect(res.status).toBe(200);
    expect(res.body.totalRows).toBe(2);
    expect(res.body.data.map((r: LooseJson) => Object.keys(r).sort())).toEqual([
      ['name', 'salary'],
      ['name', 'salary'],
    ]);
    const grouped = await list('employees', {
      object: 'Employees',
      q: { $or: [{ Budget: { $gt: 20 } }, { Location: { $like: 'Palo Alto' } }] },
      fields: ['Location', 'Country'],
      order: [['Budget', 'desc']],
      groupBy: ['Country'],
      aggregate: { Location: '$concat' },
    });
    expect(grouped.status).toBe(200);
    const byCountry = Object.fromEntries(
      grouped.body.data.map((r: LooseJson) => [r.Country, String(r.Location).split(',').sort()]),
    );
    expect(byCountry).toEqual({ US: ['Boston', 'Palo Alto'], FR: ['Paris'] });
  });

  it('answers a clean 400 for unknown fields, operators and malformed operands', async () => {
    for (const q of [
      { nope: 1 },
      { age: { $regex: 'x' } },
      { age: { $lt: null } },
      { age: { $between: [1] } },
      { $union: [] },
      { age: [1, 2] },
      { $or: [] },
      { age: { $in: { object: 'department', fields: ['id', 'name'] } } },
      { location: { $within: [[1, 2], 3] } },
    ]) {
      const res = await list('employees', { q });
      expect([res.status, q]).toEqual([400, q]);
      expect(typeof res.body.Message).toBe('string');
    }
  });
});

describe('the point field type and the geo operators', () => {
  it('stores [lat, lng] and answers it as written; refuses invalid points', async () => {
    const res = await api(
      server.url,
      'POST',
      '/1/objects/city?returnObject=true',
      { bearer: ada },
      { name: 'X', location: [10, 20] },
    );
    expect(res.body.location).toEqual([10, 20]);
    for (const bad of [[91, 0], [0, 181], [1], 'here', [1, 'x'], { lat: 1 }]) {
      const r = await api(
        server.url,
        'POST',
        '/1/objects/city',
        { bearer: ada },
        { name: 'Y', location: bad },
      );
      expect([r.status, r.body.field]).toEqual([400, 'location']);
    }
    await api(server.url, 'DELETE', `/1/objects/city/${res.body.id}`, { bearer: ada });
  });

  it('finds the cities within 25 km of [32.0638130, 34.7745390] ($within, metres)', async () => {
    const q = { location: { $within: [[32.063813, 34.774539], 25000] } };
    expect(names(await list('city', { q }))).toEqual(['Ramat Gan', 'Tel Aviv']);
  });

  it('finds the restaurants within 25 miles of the Marina District, as a filter and a saved query', async () => {
    const q = { location: { $withinMiles: [[37.8019859, -122.4414805], 25] } };
    expect(names(await list('restaurants', { q }))).toEqual(['Marina']);
    const km = { location: { $withinKilometers: [[37.8019859, -122.4414805], 80] } };
    expect(names(await list('restaurants', { q: km }))).toEqual(['Marina', 'San Jose']);
    const feet = { location: { $withinFeet: [[37.8019859, -122.4414805], 5000] } };
    expect(names(await list('restaurants', { q: feet }))).toEqual(['Marina']);
    const saved = await query('nearRestaurants', {
      lan: '37.8019859',
      lon: '-122.4414805',
      dist: '25',
    });
    expect(saved.body).toEqual([{ name: 'Marina' }]);
    const wider = await query('nearRestaurants', { lan: 37.8019859, lon: -122.4414805, dist: 100 });
    expect(wider.body.map((r: LooseJson) => r.name).sort()).toEqual([
      'Marina',
      'Sacramento',
      'San Jose',
    ]);
  });
});

describe('saved queries', () => {
  it('runs a saved NoSQL query (the docs first example)', async () => {
    const res = await query('salesManagers');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { name: 'Ann', salary: 100 },
      { name: 'Ben', salary: 120 },
    ]);
  });

  it('runs the docs $union example written as NoSQL text in "sql"', async () => {
    const res = await query('unionQuery');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.arrayContaining([
        { Location: 'Palo Alto', Country: 'US' },
        { Location: 'Paris', Country: 'FR' },
        { Location: 'Boston', Country: 'US' },
        { Location: 'Haifa', Country: 'IL' },
      ]),
    );
    expect(res.body).toHaveLength(4);
  });

  it('binds {{param}} tokens as values: bare, quoted and inside a LIKE pattern', async () => {
    expect((await query('olderThan', { minAge: 30 })).body).toEqual([
      { name: 'Ben' },
      { name: 'Cat' },
    ]);
    expect((await query('byPosition', { pos: 'Engineer' })).body).toEqual([
      { name: 'Cat' },
      { name: 'Dan' },
    ]);
    expect((await query('nameLike', { q: 'a' })).body).toEqual([
      { name: 'Ann' },
      { name: 'Cat' },
      { name: 'Dan' },
    ]);
    // Text that would change a spliced query is only a value here.
    expect((await query('byPosition', { pos: "x' OR '1'='1" })).body).toEqual([]);
    expect((await query('nameLike', { q: "%' OR 1=1 --" })).body).toEqual([]);
  });

  it('answers 400 for a missing or non-scalar parameter', async () => {
    const missing = await query('olderThan');
    expect([missing.status, missing.body.parameter]).toEqual([400, 'minAge']);
    const object = await query('nearRestaurants', { lan: { $gt: 0 }, lon: 1, dist: 1 });
    expect(object.status).toBe(400);
  });

  it('starts with a MySQL-only query (the docs pagination example), logs it and answers 500 naming it', async () => {
    expect(log.join('\n')).toContain(`queries.pagination.sql does not compile on ${STORE}`);
    const res = await query('pagination', { pageNum: 1 });
    expect(res.status).toBe(500);
    expect(res.body.Message).toContain(
      `Query "pagination" (queries.pagination.sql) does not compile on ${STORE}`,
    );
    // The other queries work.
    expect((await query('salesManagers')).status).toBe(200);
  });
});
