import { PLATFORM_ID } from '@angular/core';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FakeBackandSocket, provideBackandTesting } from 'ngx-backand/testing';
import { BackandError } from './backand-error';
import { liveList } from './live-list';

interface Item {
  id: number;
  name: string;
}

const API = 'http://api.test';

function setup(platform = 'browser') {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideBackandTesting({ apiUrl: API }),
      { provide: PLATFORM_ID, useValue: platform },
    ],
  });
  return {
    fake: TestBed.inject(FakeBackandSocket),
    http: TestBed.inject(HttpTestingController),
  };
}

type Ack = (answer: unknown) => void;

/** The `liveQuery` subscribes the SDK sent so far: payload and ack callback. */
function subscribes(fake: FakeBackandSocket): { payload: unknown; ack: Ack }[] {
  return fake.sent
    .filter((e) => e.event === 'liveQuery')
    .map((e) => ({ payload: e.args[0], ack: e.args[1] as Ack }));
}

async function start(params = {}) {
  const ctx = setup();
  const emitted: Item[][] = [];
  const errors: unknown[] = [];
  const subscription = TestBed.runInInjectionContext(() =>
    liveList<Item>('items', params),
  ).subscribe({
    next: (rows) => emitted.push(rows),
    error: (e) => errors.push(e),
  });
  await ctx.fake.whenCreated();
  await Promise.resolve();
  return { ...ctx, emitted, errors, subscription, latest: () => emitted.at(-1) };
}

const delta = (query: string, changes: unknown[]) => ({ query, changes });
const row = (id: number, name = `n${id}`): Item => ({ id, name });

describe('liveList', () => {
  it('subscribes with its query once authorized and shows the acknowledged rows, no HTTP', async () => {
    const { fake, http, latest } = await start({
      filter: { fieldName: 'done', operator: 'equals', value: false },
      sort: { fieldName: 'name', order: 'asc' },
      search: 'milk',
    });
    const [sub, ...more] = subscribes(fake);
    expect(more).toEqual([]);
    expect(sub!.payload).toEqual({
      object: 'items',
      filter: [{ fieldName: 'done', operator: 'equals', value: false }],
      sort: [{ fieldName: 'name', order: 'asc' }],
      search: 'milk',
      pageSize: 1000,
    });
    sub!.ack({ ok: true, query: 'lq1', rows: [row(1), row(2)] });
    expect(latest()).toEqual([row(1), row(2)]);
    http.verify();
  });

  it('applies enter, change and leave in order, by index, and ignores other queries', async () => {
    const { fake, http, latest } = await start();
    subscribes(fake)[0]!.ack({ ok: true, query: 'lq1', rows: [row(1), row(2), row(3)] });
    fake.emit(
      'liveQuery:delta',
      delta('lq1', [
        { op: 'leave', id: 3 },
        { op: 'enter', id: 4, index: 0, row: row(4) },
        { op: 'change', id: 2, index: 1, row: row(2, 'two') },
      ]),
    );
    fake.emit('liveQuery:delta', delta('lq9', [{ op: 'leave', id: 1 }]));
    expect(latest()).toEqual([row(4), row(2, 'two'), row(1)]);
    fake.emit('items.created', { id: '5', objectName: 'items', event: 'created' });
    expect(latest()).toEqual([row(4), row(2, 'two'), row(1)]);
    http.verify();
  });

  it('applies deltas that came before the acknowledgement on top of its rows', async () => {
    const { fake, latest } = await start();
    fake.emit('liveQuery:delta', delta('lq1', [{ op: 'enter', id: 2, index: 1, row: row(2) }]));
    subscribes(fake)[0]!.ack({ ok: true, query: 'lq1', rows: [row(1)] });
    expect(latest()).toEqual([row(1), row(2)]);
  });

  it('subscribes again on every authorization and drops the old query', async () => {
    const { fake, latest } = await start();
    subscribes(fake)[0]!.ack({ ok: true, query: 'lq1', rows: [row(1)] });
    fake.dropConnection();
    fake.reconnect(); // login → authorized (the fake answers logins)
    const again = subscribes(fake);
    expect(again).toHaveLength(2);
    again[1]!.ack({ ok: true, query: 'lq2', rows: [row(1), row(7)] });
    expect(latest()).toEqual([row(1), row(7)]);
    fake.emit('liveQuery:delta', delta('lq1', [{ op: 'leave', id: 1 }]));
    fake.emit('liveQuery:delta', delta('lq2', [{ op: 'leave', id: 7 }]));
    expect(latest()).toEqual([row(1)]);
  });

  it('unsubscribes when it ends, also when the acknowledgement comes later', async () => {
    const first = await start();
    subscribes(first.fake)[0]!.ack({ ok: true, query: 'lq1', rows: [] });
    first.subscription.unsubscribe();
    const unsubscribes = () =>
      first.fake.sent.filter((e) => e.event === 'liveQuery:unsubscribe').map((e) => e.args[0]);
    expect(unsubscribes()).toEqual([{ query: 'lq1' }]);
    expect(first.fake.listenerCount('liveQuery:delta')).toBe(0);

    TestBed.resetTestingModule();
    const second = await start();
    second.subscription.unsubscribe();
    subscribes(second.fake)[0]!.ack({ ok: true, query: 'lq5', rows: [row(1)] });
    expect(second.emitted).toEqual([]);
    expect(
      second.fake.sent.filter((e) => e.event === 'liveQuery:unsubscribe').map((e) => e.args[0]),
    ).toEqual([{ query: 'lq5' }]);
  });

  it('fails with a BackandError when the first subscribe is refused', async () => {
    const { fake, errors } = await start();
    subscribes(fake)[0]!.ack({ ok: false, status: 403, error: 'No permission to read "items"' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BackandError);
    expect((errors[0] as BackandError).status).toBe(403);
    expect((errors[0] as BackandError).message).toBe('No permission to read "items"');
  });

  it('waits for the next authorization when the socket had no login yet (401)', async () => {
    const { fake, errors, latest } = await start();
    subscribes(fake)[0]!.ack({ ok: false, status: 401, error: 'Log in first' });
    expect(errors).toEqual([]);
    fake.authorize();
    subscribes(fake)[1]!.ack({ ok: true, query: 'lq3', rows: [row(3)] });
    expect(latest()).toEqual([row(3)]);
  });

  it('needs an injection context or an injector', () => {
    setup();
    expect(() => liveList('items')).toThrow(/liveList|injection context/);
  });

  it('reads the rows once through REST on the server platform (SSR)', () => {
    const { http, fake } = setup('server');
    const seen: Item[][] = [];
    TestBed.runInInjectionContext(() => liveList<Item>('items')).subscribe((r) => seen.push(r));
    http.expectOne((r) => r.url === `${API}/1/objects/items`).flush({ data: [row(1)] });
    expect(seen).toEqual([[row(1)]]);
    expect(fake.url).toBeNull();
  });
});
