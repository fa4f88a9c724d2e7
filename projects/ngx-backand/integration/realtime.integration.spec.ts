import { firstValueFrom } from 'rxjs';
import { liveList } from 'ngx-backand';
import type { BackandDataEvent } from 'ngx-backand';
import type { RunningServer } from '../../backand-server/src/server-options';
import { startTestServer } from '../../backand-server/src/testing/test-server';
import { type TestApp, createTestApp, next, signInAndListen, until } from './harness';

interface Item {
  id: number;
  name: string;
  owner?: string;
}

let server: RunningServer;
const apps: TestApp[] = [];
const app = () => {
  const created = createTestApp(server.url);
  apps.push(created);
  return created;
};

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  apps.splice(0).forEach((a) => a.destroy());
  await server.close();
});

describe('ngx-backand against backand-server', () => {
  it('signs in, writes through the SDK and receives the automatic events', async () => {
    const ann = app();
    await signInAndListen(ann, 'ann@demo.test', 'ann-password');
    expect(ann.backand.user()).toMatchObject({ username: 'ann@demo.test', role: 'User' });

    const createdEvent = next(ann.backand.on<BackandDataEvent<Item>>('items.created'));
    const created = await firstValueFrom(
      ann.backand.object.create<Item>('items', { name: 'milk' }, { returnObject: true }),
    );
    expect(await createdEvent).toEqual([
      expect.objectContaining({
        id: String(created.id),
        objectName: 'items',
        event: 'created',
        row: expect.objectContaining({ id: created.id, name: 'milk', owner: 'ann@demo.test' }),
      }),
    ]);

    const updatedEvent = next(ann.backand.on<BackandDataEvent<Item>>('items.updated'));
    const custom = next(ann.backand.on<{ id: number; name: string; by: string }>('items_updated'));
    await firstValueFrom(
      ann.backand.object.update<Item>('items', created.id, { name: 'oat milk' }),
    );
    expect((await updatedEvent)[0].row?.name).toBe('oat milk');
    expect((await custom)[0]).toMatchObject({ name: 'oat milk', by: 'ann@demo.test' });

    const deletedEvent = next(ann.backand.on<BackandDataEvent<Item>>('items.deleted'));
    await firstValueFrom(ann.backand.object.remove('items', created.id));
    expect((await deletedEvent)[0]).toMatchObject({ id: String(created.id), event: 'deleted' });

    const list = await firstValueFrom(ann.backand.object.getList<Item>('items'));
    expect(list.data).toEqual([]);
  });

  it("delivers an action's emitUsers only to the named user's app, and not after sign-out", async () => {
    const ann = app();
    const bob = app();
    await signInAndListen(ann, 'ann@demo.test', 'ann-password');
    await signInAndListen(bob, 'bob@demo.test', 'bob-password');
    const annPrivate: unknown[] = [];
    const bobPrivate: unknown[] = [];
    const annBroadcasts: unknown[] = [];
    const bobBroadcasts: unknown[] = [];
    ann.backand.on('user_message', (m) => annPrivate.push(m));
    bob.backand.on('user_message', (m) => bobPrivate.push(m));
    ann.backand.on('broadcast', (m) => annBroadcasts.push(m));
    bob.backand.on('broadcast', (m) => bobBroadcasts.push(m));

    await firstValueFrom(
      ann.backand.object.action.post('items', 'notifyUsers', {
        users: ['bob@demo.test'],
        message: 'psst',
      }),
    );
    await until(() => bobPrivate.length === 1);
    expect(bobPrivate[0]).toMatchObject({ message: 'psst', from: 'ann@demo.test' });
    // Barrier: an emitAll sent after the private message reaches Ann after it would have.
    await firstValueFrom(ann.backand.object.action.post('items', 'broadcast', { message: 'b1' }));
    await until(() => annBroadcasts.length === 1 && bobBroadcasts.length === 1);
    expect(annPrivate).toEqual([]);

    // Bob signs out: his socket logs in again as a guest.
    const guestAuthorized = next(bob.socket._authorized);
    await firstValueFrom(bob.backand.signout());
    await guestAuthorized;
    expect(bob.backand.user()).toBeNull();
    await firstValueFrom(
      ann.backand.object.action.post('items', 'notifyUsers', {
        users: ['bob@demo.test'],
        message: 'still there?',
      }),
    );
    await firstValueFrom(ann.backand.object.action.post('items', 'broadcast', { message: 'b2' }));
    await until(() => bobBroadcasts.length === 2);
    expect(bobPrivate).toHaveLength(1);
  });

  it('keeps a live list equal to the server rows through 200 writes of another client', async () => {
    const viewer = app();
    const writer = app();
    await signInAndListen(viewer, 'ada@demo.test', 'ada-password');
    await firstValueFrom(writer.backand.signin('bob@demo.test', 'bob-password'));

    let live: Item[] = [];
    let loads = 0;
    liveList<Item>('items', undefined, { injector: viewer.injector }).subscribe((rows) => {
      live = rows;
      loads++;
    });
    await until(() => loads > 0 && viewer.socket.state() === 'authorized');

    // 200 writes in waves of 20 parallel requests: creates, then updates and deletes.
    const ids: number[] = [];
    const writes: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < 120; i++) {
      writes.push(async () => {
        const row = await firstValueFrom(
          writer.backand.object.create<Item>('items', { name: `row ${i}` }, { returnObject: true }),
        );
        ids.push(row.id);
      });
    }
    for (let wave = 0; wave < writes.length; wave += 20) {
      await Promise.all(writes.slice(wave, wave + 20).map((w) => w()));
    }
    const more: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      more.push(
        firstValueFrom(writer.backand.object.update('items', ids[i], { name: `renamed ${i}` })),
      );
    }
    for (let i = 50; i < 80; i++)
      more.push(firstValueFrom(writer.backand.object.remove('items', ids[i])));
    await Promise.all(more);

    const server = await firstValueFrom(
      viewer.backand.object.getList<Item>('items', { pageSize: 1000 }),
    );
    expect(server.data).toHaveLength(90);
    const byId = (rows: Item[]) => [...rows].sort((a, b) => a.id - b.id);
    await until(() => JSON.stringify(byId(live)) === JSON.stringify(byId(server.data)));
    expect(byId(live)).toEqual(byId(server.data));
  });
});
