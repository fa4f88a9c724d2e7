import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { liveList } from 'ngx-backand';
import type { RunningServer } from '../../backand-server/src/server-options';
import { startTestServer } from '../../backand-server/src/testing/test-server';
import { type TestApp, createTestApp, signInAndListen, until } from './harness';

interface Item {
  id: number;
  name: string;
}

describe('server restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ngx-backand-restart-'));
  let server: RunningServer | null = null;
  const apps: TestApp[] = [];

  afterAll(async () => {
    apps.forEach((a) => a.destroy());
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reconnects, logs in again and its listeners and live lists keep receiving', async () => {
    const db = join(dir, 'backand.db');
    server = await startTestServer(undefined, { db });
    const port = server.port;
    const ann = createTestApp(server.url);
    const writer = createTestApp(server.url);
    apps.push(ann, writer);
    await signInAndListen(ann, 'ann@demo.test', 'ann-password');
    await firstValueFrom(writer.backand.signin('bob@demo.test', 'bob-password'));

    const messages: string[] = [];
    ann.backand.on<{ message: string }>('broadcast', (m) => messages.push(m.message));
    let live: Item[] = [];
    liveList<Item>('items', undefined, { injector: ann.injector }).subscribe(
      (rows) => (live = rows),
    );
    let authorizations = 0;
    ann.socket._authorized.subscribe(() => authorizations++);

    await firstValueFrom(
      writer.backand.object.action.post('items', 'broadcast', { message: 'before' }),
    );
    await firstValueFrom(writer.backand.object.create('items', { name: 'before' }));
    await until(() => messages.length === 1 && live.length === 1);

    await server.close();
    server = null;
    await until(() => ann.socket.state() === 'connecting');

    server = await startTestServer(undefined, { db, port });
    await until(() => authorizations === 1 && ann.socket.state() === 'authorized');
    // The same identity: the token is still valid after the restart.
    expect(ann.backand.user()?.username).toBe('ann@demo.test');

    await firstValueFrom(
      writer.backand.object.action.post('items', 'broadcast', { message: 'after' }),
    );
    await firstValueFrom(writer.backand.object.create('items', { name: 'after' }));
    await until(() => messages.length === 2 && live.length === 2);
    expect(messages).toEqual(['before', 'after']);
    expect(live.map((row) => row.name).sort()).toEqual(['after', 'before']);
  });
});
