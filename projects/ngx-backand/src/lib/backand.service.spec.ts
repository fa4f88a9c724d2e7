import { HttpClient, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { BehaviorSubject, firstValueFrom } from 'rxjs';
import type { BackandConfig } from './backand-config';
import { BackandError } from './backand-error';
import { MemoryBackandStorage } from './backand-storage';
import { BackandService } from './backand.service';
import { provideBackand } from './provide-backand';

const API = 'http://api.test';
const TOKEN_RESPONSE = {
  access_token: 'access-1',
  token_type: 'bearer',
  expires_in: 86399,
  appName: 'demo',
  username: 'ann@demo.test',
  role: 'User',
  firstName: 'Ann',
  lastName: 'Lee',
  fullName: 'Ann Lee',
  regId: 0,
  userId: '2',
  refresh_token: 'refresh-1',
};

function setup(config: Partial<BackandConfig> = {}) {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideBackand({
        appName: 'demo',
        apiUrl: API,
        anonymousToken: 'anon',
        signUpToken: 'signup',
        storage: 'memory',
        ...config,
      }),
    ],
  });
  controller = TestBed.inject(HttpTestingController);
  return { backand: TestBed.inject(BackandService), http: controller };
}

let controller: HttpTestingController | null = null;
afterEach(() => {
  controller?.verify();
  controller = null;
});

describe('BackandService auth', () => {
  it('signs in with the password grant and exposes the user', async () => {
    const { backand, http } = setup();
    const done = firstValueFrom(backand.signin('ann@demo.test', 'pw&=x'));
    const req = http.expectOne(`${API}/token`);
    expect(req.request.method).toBe('POST');
    expect(req.request.headers.get('Content-Type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.request.body as string))).toEqual({
      username: 'ann@demo.test',
      password: 'pw&=x',
      appName: 'demo',
      grant_type: 'password',
    });
    req.flush(TOKEN_RESPONSE);
    const user = await done;
    expect(user).toMatchObject({ username: 'ann@demo.test', role: 'User', anonymous: false });
    expect(backand.user()).toEqual(user);
  });

  it('sends the bearer token and app name after sign-in, the anonymous token before', async () => {
    const { backand, http } = setup();
    backand.object.getList('items').subscribe();
    const guest = http.expectOne((r) => r.url === `${API}/1/objects/items`);
    expect(guest.request.headers.get('AnonymousToken')).toBe('anon');
    expect(guest.request.headers.has('Authorization')).toBe(false);
    guest.flush({ totalRows: 0, data: [] });

    const signin = firstValueFrom(backand.signin('ann@demo.test', 'pw'));
    http.expectOne(`${API}/token`).flush(TOKEN_RESPONSE);
    await signin;
    backand.object.getList('items').subscribe();
    const user = http.expectOne((r) => r.url === `${API}/1/objects/items`);
    expect(user.request.headers.get('Authorization')).toBe('Bearer access-1');
    expect(user.request.headers.get('AppName')).toBe('demo');
    expect(user.request.headers.has('AnonymousToken')).toBe(false);
    user.flush({ totalRows: 0, data: [] });
  });

  it('sends no token when anonymous use is off and nobody signed in', () => {
    const { backand, http } = setup({ useAnonymousTokenByDefault: false });
    backand.query.get('itemsCount').subscribe();
    const req = http.expectOne((r) => r.url === `${API}/1/query/data/itemsCount`);
    expect(req.request.headers.keys()).toEqual([]);
    req.flush([]);
  });

  it('never sends its tokens to another origin through the app HttpClient', async () => {
    const { backand, http } = setup();
    const signin = firstValueFrom(backand.signin('ann@demo.test', 'pw'));
    http.expectOne(`${API}/token`).flush(TOKEN_RESPONSE);
    await signin;
    const client = TestBed.inject(HttpClient);
    client.get('https://elsewhere.test/data').subscribe();
    client.get('http://api.test.evil.test/1/objects/items').subscribe();
    for (const url of [
      'https://elsewhere.test/data',
      'http://api.test.evil.test/1/objects/items',
    ]) {
      const req = http.expectOne(url);
      expect(req.request.headers.has('Authorization')).toBe(false);
      expect(req.request.headers.has('AnonymousToken')).toBe(false);
      req.flush({});
    }
  });

  it('keeps the session in the configured storage under the prefix and restores it', async () => {
    const storage = new MemoryBackandStorage();
    const { backand, http } = setup({ storage, storagePrefix: 'APP_' });
    const signin = firstValueFrom(backand.signin('ann@demo.test', 'pw'));
    http.expectOne(`${API}/token`).flush(TOKEN_RESPONSE);
    await signin;
    const stored = JSON.parse(storage.getItem('APP_user')!);
    expect(stored.token).toEqual({ Authorization: 'Bearer access-1' });
    expect(stored.details.refresh_token).toBe('refresh-1');

    TestBed.resetTestingModule();
    const again = setup({ storage, storagePrefix: 'APP_' });
    expect(again.backand.user()?.username).toBe('ann@demo.test');
  });

  it('reports a failed sign-in as a BackandError with the server message', async () => {
    const { backand, http } = setup();
    const result = firstValueFrom(backand.signin('ann@demo.test', 'wrong'));
    http
      .expectOne(`${API}/token`)
      .flush(
        { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' },
        { status: 400, statusText: 'Bad Request' },
      );
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackandError);
    expect(error).toMatchObject({
      status: 400,
      message: 'The user name or password is incorrect.',
      body: { error: 'invalid_grant' },
    });
    expect(backand.user()).toBeNull();
  });

  it('signs up with the sign-up token, then signs in', async () => {
    const { backand, http } = setup();
    const done = firstValueFrom(
      backand.signup('Ann', 'Lee', 'new@demo.test', 'pw', 'pw', { a: 1 }),
    );
    const req = http.expectOne(`${API}/1/user/signup`);
    expect(req.request.headers.get('SignUpToken')).toBe('signup');
    expect(req.request.body).toEqual({
      firstName: 'Ann',
      lastName: 'Lee',
      email: 'new@demo.test',
      password: 'pw',
      confirmPassword: 'pw',
      parameters: { a: 1 },
    });
    req.flush({ username: 'new@demo.test', currentStatus: 1, message: 'ok' });
    http.expectOne(`${API}/token`).flush({ ...TOKEN_RESPONSE, username: 'new@demo.test' });
    expect((await done).currentStatus).toBe(1);
    expect(backand.user()?.username).toBe('new@demo.test');
  });

  it('does not sign in after sign-up when runSigninAfterSignup is off', async () => {
    const { backand, http } = setup({ runSigninAfterSignup: false });
    const done = firstValueFrom(backand.signup('A', 'B', 'x@demo.test', 'pw', 'pw'));
    http.expectOne(`${API}/1/user/signup`).flush({ username: 'x', currentStatus: 1, message: '' });
    await done;
    http.expectNone(`${API}/token`);
    expect(backand.user()).toBeNull();
  });

  it('refuses sign-up without a sign-up token', async () => {
    const { backand } = setup({ signUpToken: undefined });
    const error = await firstValueFrom(backand.signup('A', 'B', 'c', 'd', 'd')).catch((e) => e);
    expect(error).toBeInstanceOf(BackandError);
    expect(error.message).toMatch(/signUpToken/);
  });

  it('uses anonymous auth as a guest', async () => {
    const { backand, http } = setup({ useAnonymousTokenByDefault: false });
    const guest = await firstValueFrom(backand.useAnonymousAuth());
    expect(guest).toMatchObject({ username: 'Guest', anonymous: true });
    backand.object.getOne('items', 1).subscribe();
    const req = http.expectOne(`${API}/1/objects/items/1`);
    expect(req.request.headers.get('AnonymousToken')).toBe('anon');
    req.flush({ id: 1 });
  });

  it('signs out on the server and clears the session even when the server fails', async () => {
    const storage = new MemoryBackandStorage();
    const { backand, http } = setup({ storage });
    const signin = firstValueFrom(backand.signin('ann@demo.test', 'pw'));
    http.expectOne(`${API}/token`).flush(TOKEN_RESPONSE);
    await signin;
    const out = firstValueFrom(backand.signout());
    const req = http.expectOne(`${API}/1/user/signout`);
    expect(req.request.headers.get('Authorization')).toBe('Bearer access-1');
    req.flush('boom', { status: 500, statusText: 'Server Error' });
    await out;
    expect(backand.user()).toBeNull();
    expect(storage.getItem('BACKAND_user')).toBeNull();
  });

  it('changes and resets passwords', () => {
    const { backand, http } = setup();
    backand.changePassword('old', 'new').subscribe();
    expect(http.expectOne(`${API}/1/user/changePassword`).request.body).toEqual({
      oldPassword: 'old',
      newPassword: 'new',
    });
    backand.requestResetPassword('ann@demo.test').subscribe();
    expect(http.expectOne(`${API}/1/user/requestResetPassword`).request.body).toEqual({
      appName: 'demo',
      username: 'ann@demo.test',
    });
    backand.resetPassword('new', 'reset-token').subscribe();
    expect(http.expectOne(`${API}/1/user/resetPassword`).request.body).toEqual({
      newPassword: 'new',
      resetToken: 'reset-token',
    });
  });

  it('takes the bearer token from a tokenProvider', async () => {
    const { backand, http } = setup({ tokenProvider: () => Promise.resolve('external') });
    backand.object.getList('items').subscribe();
    await Promise.resolve();
    const req = http.expectOne((r) => r.url === `${API}/1/objects/items`);
    expect(req.request.headers.get('Authorization')).toBe('Bearer external');
    req.flush({ totalRows: 0, data: [] });
  });

  it('takes the first value of an Observable tokenProvider and lets go of it', () => {
    const tokens = new BehaviorSubject<string | null>('first');
    const { backand, http } = setup({ tokenProvider: () => tokens });
    backand.object.getList('items').subscribe();
    const req = http.expectOne((r) => r.url === `${API}/1/objects/items`);
    expect(req.request.headers.get('Authorization')).toBe('Bearer first');
    expect(tokens.observed).toBe(false);
    req.flush({ totalRows: 0, data: [] });
  });

  it('sends the anonymous token when the tokenProvider answers null', () => {
    const { backand, http } = setup({ tokenProvider: () => null });
    backand.object.getList('items').subscribe();
    const req = http.expectOne((r) => r.url === `${API}/1/objects/items`);
    expect(req.request.headers.get('Authorization')).toBeNull();
    expect(req.request.headers.get('AnonymousToken')).toBe('anon');
    req.flush({ totalRows: 0, data: [] });
  });
});
