import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FakeBackandSocket, provideBackandTesting } from 'ngx-backand/testing';
import { BackandService } from './backand.service';

interface Item {
  id: number;
  name: string;
}

const API = 'http://api.test';
const listReq = (r: { url: string }) => r.url === `${API}/1/objects/items`;

function setup() {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideBackandTesting({ apiUrl: API }),
    ],
  });
  return {
    backand: TestBed.inject(BackandService),
    fake: TestBed.inject(FakeBackandSocket),
    http: TestBed.inject(HttpTestingController),
  };
}

const created = (id: number, row?: Item) => ({
  id: String(id),
  objectName: 'items',
  event: 'created',
  row,
});
const updated = (id: number, row?: Item) => ({
  id: String(id),
  objectName: 'items',
  event: 'updated',
  row,
});
const deleted = (id: number) => ({ id: String(id), objectName: 'items', event: 'deleted' });

/** Starts a live list, answers its loads with `rows` and returns what it emitted. */
async function live(rows: Item[], params = {}) {
  const ctx = setup();
  const emitted: Item[][] = [];
  const subscription = ctx.backand.object
    .live<Item>('items', params)
    .subscribe((l) => emitted.push(l));
  await ctx.fake.whenCreated();
  await Promise.resolve();
  // First load and the reload of the socket's authorization.
  const loads = ctx.http.match(listReq);
  expect(loads.length).toBeGreaterThanOrEqual(1);
  loads.filter((r) => !r.cancelled).forEach((r) => r.flush({ totalRows: rows.length, data: rows }));
  return { ...ctx, emitted, subscription, latest: () => emitted.at(-1) };
}

describe('object.live', () => {
  it('loads with a large page by default and keeps the given query', async () => {
    const ctx = setup();
    ctx.backand.object.live('items', { sort: { fieldName: 'name', order: 'asc' } }).subscribe();
    const req = ctx.http.expectOne(listReq);
    expect(req.request.params.get('pageSize')).toBe('1000');
    expect(JSON.parse(req.request.params.get('sort')!)).toEqual({
      fieldName: 'name',
      order: 'asc',
    });
  });

  it('patches from created, updated and deleted events carrying the row', async () => {
    const { fake, latest } = await live([{ id: 1, name: 'one' }]);
    expect(latest()).toEqual([{ id: 1, name: 'one' }]);
    fake.emit('items.created', created(2, { id: 2, name: 'two' }));
    expect(latest()).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ]);
    fake.emit('items.updated', updated(1, { id: 1, name: 'uno' }));
    expect(latest()).toEqual([
      { id: 1, name: 'uno' },
      { id: 2, name: 'two' },
    ]);
    fake.emit('items.deleted', deleted(2));
    expect(latest()).toEqual([{ id: 1, name: 'uno' }]);
    // A duplicate create does not duplicate the row.
    fake.emit('items.created', created(1, { id: 1, name: 'uno' }));
    expect(latest()).toEqual([{ id: 1, name: 'uno' }]);
  });

  it('fetches the row when the event has none, and drops rows it cannot read', async () => {
    const { fake, http, latest } = await live([{ id: 1, name: 'one' }]);
    fake.emit('items.created', created(5));
    fake.emit('items.updated', updated(1));
    // In event order: the second fetch waits for the first.
    http.expectOne(`${API}/1/objects/items/5`).flush({ id: 5, name: 'five' });
    expect(latest()).toEqual([
      { id: 1, name: 'one' },
      { id: 5, name: 'five' },
    ]);
    http
      .expectOne(`${API}/1/objects/items/1`)
      .flush({ Message: 'no' }, { status: 403, statusText: 'Forbidden' });
    expect(latest()).toEqual([{ id: 5, name: 'five' }]);
  });

  it('applies events that arrive during the load on top of it', async () => {
    const ctx = setup();
    const emitted: Item[][] = [];
    ctx.backand.object.live<Item>('items').subscribe((l) => emitted.push(l));
    await ctx.fake.whenCreated();
    await Promise.resolve();
    ctx.fake.emit('items.created', created(3, { id: 3, name: 'three' }));
    ctx.fake.emit('items.deleted', deleted(1));
    expect(emitted).toEqual([]);
    ctx.http
      .match(listReq)
      .filter((r) => !r.cancelled)
      .forEach((r) =>
        r.flush({
          totalRows: 2,
          data: [
            { id: 1, name: 'one' },
            { id: 2, name: 'two' },
          ],
        }),
      );
    expect(emitted.at(-1)).toEqual([
      { id: 2, name: 'two' },
      { id: 3, name: 'three' },
    ]);
  });

  it('keeps the sort order of the query', async () => {
    const { fake, latest } = await live(
      [
        { id: 1, name: 'b' },
        { id: 2, name: 'd' },
      ],
      { sort: [{ fieldName: 'name', order: 'asc' }] },
    );
    fake.emit('items.created', created(3, { id: 3, name: 'a' }));
    fake.emit('items.created', created(4, { id: 4, name: 'c' }));
    expect(latest()?.map((r) => r.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('asks the server whether a changed row still matches a filtered list', async () => {
    const filter = { fieldName: 'name', operator: 'startsWith' as const, value: 'a' };
    const { fake, http, latest } = await live([{ id: 1, name: 'ab' }], { filter });
    fake.emit('items.updated', updated(1, { id: 1, name: 'zz' }));
    const check = http.expectOne(listReq);
    expect(JSON.parse(check.request.params.get('filter')!)).toEqual([
      filter,
      { fieldName: 'id', operator: 'equals', value: '1' },
    ]);
    check.flush({ totalRows: 0, data: [] });
    expect(latest()).toEqual([]);
  });

  it('reloads when the socket is authorized again after a reconnect', async () => {
    const { fake, http, latest } = await live([{ id: 1, name: 'one' }]);
    fake.dropConnection();
    fake.reconnect();
    http.expectOne(listReq).flush({ totalRows: 1, data: [{ id: 9, name: 'missed' }] });
    expect(latest()).toEqual([{ id: 9, name: 'missed' }]);
  });

  it('waits for the next authorization when the server is unreachable on the first load', async () => {
    const ctx = setup();
    const emitted: Item[][] = [];
    const errors: unknown[] = [];
    ctx.backand.object.live<Item>('items').subscribe({
      next: (l) => emitted.push(l),
      error: (e) => errors.push(e),
    });
    await ctx.fake.whenCreated();
    await Promise.resolve();
    ctx.http
      .match(listReq)
      .filter((r) => !r.cancelled)
      .forEach((r) => r.error(new ProgressEvent('error'), { status: 0 }));
    expect(errors).toEqual([]);
    expect(emitted).toEqual([]);
    ctx.fake.dropConnection();
    ctx.fake.reconnect();
    ctx.http.expectOne(listReq).flush({ totalRows: 1, data: [{ id: 1, name: 'one' }] });
    expect(emitted.at(-1)).toEqual([{ id: 1, name: 'one' }]);
  });

  it('fails when the first load is refused', async () => {
    const ctx = setup();
    const errors: { status: number }[] = [];
    ctx.backand.object.live<Item>('items').subscribe({ error: (e) => errors.push(e) });
    await ctx.fake.whenCreated();
    await Promise.resolve();
    ctx.http
      .match(listReq)
      .filter((r) => !r.cancelled)
      .forEach((r) => r.flush({ Message: 'no' }, { status: 403, statusText: 'Forbidden' }));
    expect(errors.map((e) => e.status)).toEqual([403]);
  });

  it('stops listening when unsubscribed', async () => {
    const { fake, subscription } = await live([]);
    expect(fake.listenerCount('items.updated')).toBe(1);
    subscription.unsubscribe();
    expect(fake.listenerCount('items.created')).toBe(0);
    expect(fake.listenerCount('items.updated')).toBe(0);
    expect(fake.listenerCount('items.deleted')).toBe(0);
  });
});
