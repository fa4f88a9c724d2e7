import { firstValueFrom } from 'rxjs';
import { BackandError } from 'ngx-backand';
import type { RunningServer } from '../../backand-server/src/server-options';
import { startTestServer } from '../../backand-server/src/testing/test-server';
import { type TestApp, createTestApp } from './harness';

let server: RunningServer;
const apps: TestApp[] = [];
const app = () => {
  const created = createTestApp(server.url, { runSocket: false });
  apps.push(created);
  return created;
};

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => apps.splice(0).forEach((a) => a.destroy()));
afterAll(() => server.close());

describe('files against backand-server', () => {
  it('uploads, then gets fresh signed URLs that work without credentials', async () => {
    const ann = app().backand;
    await firstValueFrom(ann.signin('ann@demo.test', 'ann-password'));
    const data = btoa('hello from the SDK');
    const { url: uploaded } = await firstValueFrom(
      ann.file.upload('items', 'files', 'sdk note.txt', data),
    );
    // As <img src> or a link would fetch it: no headers.
    expect(await (await fetch(uploaded)).text()).toBe('hello from the SDK');
    expect((await fetch(uploaded.split('?')[0]!)).status).toBe(401);

    const fresh = await firstValueFrom(ann.file.url('items', 'files', 'sdk note.txt'));
    expect(await (await fetch(fresh)).text()).toBe('hello from the SDK');
    // Guests may read items in the demo app: they get URLs too.
    const guest = await firstValueFrom(app().backand.file.url('items', 'files', 'sdk note.txt'));
    expect((await fetch(guest)).status).toBe(200);

    const missing = await firstValueFrom(ann.file.url('items', 'files', 'nothing.txt')).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(BackandError);
    expect((missing as BackandError).status).toBe(404);
  });
});
