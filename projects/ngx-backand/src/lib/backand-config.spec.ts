import { BACKAND_DEFAULT_API_URL, resolveBackandConfig } from './backand-config';

describe('resolveBackandConfig', () => {
  it('applies the defaults of DESIGN §3', () => {
    const config = resolveBackandConfig({ appName: 'demo' });
    expect(config).toEqual({
      appName: 'demo',
      anonymousToken: null,
      signUpToken: null,
      apiUrl: BACKAND_DEFAULT_API_URL,
      socketUrl: BACKAND_DEFAULT_API_URL,
      runSocket: false,
      tokenProvider: null,
      useAnonymousTokenByDefault: true,
      manageRefreshToken: true,
      runSigninAfterSignup: true,
      storage: null,
      storagePrefix: 'BACKAND_',
    });
    expect(BACKAND_DEFAULT_API_URL).toBe('http://localhost:4000');
  });

  it('defaults socketUrl to apiUrl and drops trailing slashes', () => {
    const config = resolveBackandConfig({ appName: 'demo', apiUrl: 'https://api.example.com/v1/' });
    expect(config.apiUrl).toBe('https://api.example.com/v1');
    expect(config.socketUrl).toBe('https://api.example.com/v1');
  });

  it('keeps explicit options', () => {
    const tokenProvider = () => 'abc';
    const config = resolveBackandConfig({
      appName: 'demo',
      socketUrl: 'wss://socket.example.com',
      runSocket: true,
      tokenProvider,
      useAnonymousTokenByDefault: false,
      manageRefreshToken: false,
      runSigninAfterSignup: false,
      storage: 'session',
      storagePrefix: 'X_',
    });
    expect(config.socketUrl).toBe('wss://socket.example.com');
    expect(config.runSocket).toBe(true);
    expect(config.tokenProvider).toBe(tokenProvider);
    expect(config.useAnonymousTokenByDefault).toBe(false);
    expect(config.manageRefreshToken).toBe(false);
    expect(config.runSigninAfterSignup).toBe(false);
    expect(config.storage).toBe('session');
    expect(config.storagePrefix).toBe('X_');
  });

  it.each([
    [{}, /`appName`/],
    [{ appName: '  ' }, /`appName`/],
    [{ appName: 'demo', apiUrl: 'localhost:4000' }, /`apiUrl`/],
    [{ appName: 'demo', apiUrl: 'not a url' }, /`apiUrl`/],
    [{ appName: 'demo', apiUrl: 'ftp://example.com' }, /`apiUrl`/],
    [{ appName: 'demo', apiUrl: 'http://example.com/?x=1' }, /`apiUrl`/],
    [{ appName: 'demo', socketUrl: '//socket' }, /`socketUrl`/],
    [{ appName: 'demo', storage: 'cookies' }, /`storage`/],
    [{ appName: 'demo', tokenProvider: 'abc' }, /`tokenProvider`/],
  ])('rejects %j naming the option', (config, message) => {
    expect(() => resolveBackandConfig(config as never)).toThrow(message);
  });
});
