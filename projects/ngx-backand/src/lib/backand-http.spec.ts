import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import type { BackandConfig } from './backand-config';
import { BackandError } from './backand-error';
import { BackandService } from './backand.service';
import { provideBackand } from './provide-backand';

const API = 'http://api.test';
const EXPIRED = { Message: 'invalid or expired token' };
const UNAUTHORIZED = { status: 401, statusText: 'Unauthorized' };
const tokens = (n: number) => ({
  access_token: `access-${n}`,
  token_type: 'bearer',
  expires_in: 100,
  appName: 'demo',
  username: 'ann@demo.test',
  role: 'User',
  firstName: 'Ann',
  lastName: 'Lee',
  fullName: 'Ann Lee',
  regId: 0,
  userId: '2',
  refresh_token: `refresh-${n}`,
});

let http: HttpTestingController;

async function signedIn(config: Partial<BackandConfig> = {}): Promise<BackandService> {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideBackand({ appName: 'demo', apiUrl: API, storage: 'memory', ...config }),
    ],
  });
  http = TestBed.inject(HttpTestingController);
  const backand = TestBed.inject(BackandService);
  const signin = firstValueFrom(backand.signin('ann@demo.test', 'pw'));
  http.expectOne(`${API}/token`).flush(tokens(1));
  await signin;
  return backand;
}

const items = (r: { url: string }) => r.url.startsWith(`${API}/1/objects/items/`);

describe('expired tokens', () => {
  it('refreshes once for five parallel 401s and replays each request once', async () => {
    const backand = await signedIn();
    const results = [1, 2, 3, 4, 5].map((id) => firstValueFrom(backand.object.getOne('items', id)));
    const first = http.match(items);
    expect(first).toHaveLength(5);
    for (const req of first) {
      expect(req.request.headers.get('Authorization')).toBe('Bearer access-1');
      req.flush(EXPIRED, UNAUTHORIZED);
    }
    const refresh = http.match(`${API}/token`);
    expect(refresh).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(refresh[0].request.body as string))).toEqual({
      username: 'ann@demo.test',
      refreshToken: 'refresh-1',
      appName: 'demo',
      grant_type: 'password',
    });
    refresh[0].flush(tokens(2));
    const replays = http.match(items);
    expect(replays).toHaveLength(5);
    for (const req of replays) {
      expect(req.request.headers.get('Authorization')).toBe('Bearer access-2');
      req.flush({ id: Number(req.request.url.split('/').pop()) });
    }
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4, 5].map((id) => ({ id })));
    expect(backand.user()?.username).toBe('ann@demo.test');
    http.verify();
  });

  it('replays without refreshing when the token was already replaced', async () => {
    const backand = await signedIn();
    const early = firstValueFrom(backand.object.getOne('items', 1));
    const late = firstValueFrom(backand.object.getOne('items', 2));
    const [a, b] = http.match(items);
    a.flush(EXPIRED, UNAUTHORIZED);
    http.expectOne(`${API}/token`).flush(tokens(2));
    http.expectOne((r) => r.url === `${API}/1/objects/items/1`).flush({ id: 1 });
    // The second request was sent with the old token and comes back after the refresh.
    b.flush(EXPIRED, UNAUTHORIZED);
    http.expectNone(`${API}/token`);
    const replay = http.expectOne((r) => r.url === `${API}/1/objects/items/2`);
    expect(replay.request.headers.get('Authorization')).toBe('Bearer access-2');
    replay.flush({ id: 2 });
    expect(await Promise.all([early, late])).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('signs out and fails with the 401 when the refresh fails', async () => {
    const backand = await signedIn();
    const result = firstValueFrom(backand.object.getOne('items', 1)).catch((e: unknown) => e);
    http.expectOne(items).flush(EXPIRED, UNAUTHORIZED);
    http
      .expectOne(`${API}/token`)
      .flush({ error: 'invalid_grant' }, { status: 400, statusText: 'Bad Request' });
    const error = (await result) as BackandError;
    expect(error).toBeInstanceOf(BackandError);
    expect(error.status).toBe(401);
    expect(error.message).toBe('invalid or expired token');
    expect(backand.user()).toBeNull();
    http.verify();
  });

  it('replays only once: a second 401 is the caller’s error', async () => {
    const backand = await signedIn();
    const result = firstValueFrom(backand.object.getOne('items', 1)).catch((e: unknown) => e);
    http.expectOne(items).flush(EXPIRED, UNAUTHORIZED);
    http.expectOne(`${API}/token`).flush(tokens(2));
    http.expectOne(items).flush(EXPIRED, UNAUTHORIZED);
    expect(((await result) as BackandError).status).toBe(401);
    http.verify();
  });

  it('does not refresh on other 401s or when manageRefreshToken is off', async () => {
    const backand = await signedIn({ manageRefreshToken: false });
    const a = firstValueFrom(backand.object.getOne('items', 1)).catch((e: unknown) => e);
    http.expectOne(items).flush(EXPIRED, UNAUTHORIZED);
    expect(((await a) as BackandError).status).toBe(401);
    http.verify();
  });

  it('does not refresh on a 401 with another message', async () => {
    const backand = await signedIn();
    const a = firstValueFrom(backand.object.getOne('items', 1)).catch((e: unknown) => e);
    http.expectOne(items).flush({ Message: 'no access' }, UNAUTHORIZED);
    expect(await a).toMatchObject({ status: 401, message: 'no access' });
    http.verify();
  });
});

describe('errors', () => {
  it('turns a network failure into a BackandError with status 0', async () => {
    const backand = await signedIn();
    const result = firstValueFrom(backand.object.getList('items')).catch((e: unknown) => e);
    http.expectOne((r) => r.url === `${API}/1/objects/items`).error(new ProgressEvent('error'));
    expect(await result).toMatchObject({ name: 'BackandError', status: 0 });
  });

  it('keeps the body and message of an action failure (417)', async () => {
    const backand = await signedIn();
    const result = firstValueFrom(backand.object.action.post('items', 'boom')).catch((e) => e);
    http
      .expectOne((r) => r.url === `${API}/1/objects/action/items`)
      .flush({ message: 'action failed: nope' }, { status: 417, statusText: 'Expectation Failed' });
    expect(await result).toMatchObject({
      status: 417,
      message: 'action failed: nope',
      body: { message: 'action failed: nope' },
    });
  });
});
