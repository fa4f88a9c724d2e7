import { firstValueFrom } from 'rxjs';
import { MemoryBackandStorage } from 'ngx-backand';
import type { RunningServer } from '../../backand-server/src/server-options';
import { startTestServer } from '../../backand-server/src/testing/test-server';
import { type TestApp, createTestApp, until } from './harness';

let server: RunningServer;
const apps: TestApp[] = [];
const app = (config: Parameters<typeof createTestApp>[1] = {}) => {
  const created = createTestApp(server.url, config);
  apps.push(created);
  return created;
};

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => apps.splice(0).forEach((a) => a.destroy()));
afterAll(() => server.close());

describe('auth against backand-server', () => {
  it('refreshes a rejected access token with the refresh token and replays the call', async () => {
    const storage = new MemoryBackandStorage();
    const first = app({ storage });
    await firstValueFrom(first.backand.signin('ann@demo.test', 'ann-password'));
    // The stored access token goes bad (expired, revoked…); the refresh token is still good.
    const stored = JSON.parse(storage.getItem('BACKAND_user')!);
    stored.token.Authorization = 'Bearer not-a-valid-token';
    storage.setItem('BACKAND_user', JSON.stringify(stored));

    const second = app({ storage });
    expect(second.backand.user()?.username).toBe('ann@demo.test');
    const count = await firstValueFrom(second.backand.query.get<{ count: number }>('itemsCount'));
    expect(count).toEqual([{ count: 0 }]);
    const refreshed = JSON.parse(storage.getItem('BACKAND_user')!);
    expect(refreshed.token.Authorization).not.toBe('Bearer not-a-valid-token');
    expect(second.backand.user()?.username).toBe('ann@demo.test');
  });

  it('signs out when the refresh is refused too', async () => {
    const storage = new MemoryBackandStorage();
    const first = app({ storage });
    await firstValueFrom(first.backand.signin('ann@demo.test', 'ann-password'));
    const stored = JSON.parse(storage.getItem('BACKAND_user')!);
    stored.token.Authorization = 'Bearer not-a-valid-token';
    stored.details.refresh_token = 'not-a-valid-refresh-token';
    storage.setItem('BACKAND_user', JSON.stringify(stored));

    const second = app({ storage });
    const error = await firstValueFrom(second.backand.query.get('itemsCount')).catch((e) => e);
    expect(error).toMatchObject({ name: 'BackandError', status: 401 });
    expect(second.backand.user()).toBeNull();
    expect(storage.getItem('BACKAND_user')).toBeNull();
  });

  it('signs up, then signs in', async () => {
    const ivy = app();
    const response = await firstValueFrom(
      ivy.backand.signup('Ivy', 'Green', 'ivy@demo.test', 'ivy-password', 'ivy-password'),
    );
    expect(response.currentStatus).toBe(1);
    expect(ivy.backand.user()).toMatchObject({ username: 'ivy@demo.test', anonymous: false });
  });

  it('reports a wrong password as a BackandError', async () => {
    const error = await firstValueFrom(app().backand.signin('ann@demo.test', 'nope')).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ name: 'BackandError', status: 400 });
    expect(error.message).not.toBe('');
  });

  it('stops after notAuthorized and connects again when the identity changes', async () => {
    const wrong = app({ anonymousToken: 'not-the-anonymous-token' });
    wrong.socket.on('broadcast').subscribe();
    await until(() => wrong.socket.state() === 'notAuthorized');
    await firstValueFrom(wrong.backand.signin('ann@demo.test', 'ann-password'));
    await until(() => wrong.socket.state() === 'authorized');
  });
});
