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

  describe('relative URLs', () => {
    it.each([
      ['/api', 'https://app.example.com/', 'https://app.example.com/api'],
      ['', 'https://app.example.com/', 'https://app.example.com'],
      ['/', 'https://app.example.com/shop/', 'https://app.example.com'],
      ['', 'https://app.example.com/shop/', 'https://app.example.com/shop'],
      ['./api/', 'https://app.example.com/shop/', 'https://app.example.com/shop/api'],
      // A page URL as base (no <base href>) may carry a query or hash: they are not kept.
      ['/api', 'http://localhost:4200/items?page=2#top', 'http://localhost:4200/api'],
    ])('resolves apiUrl %j against the document base %s in the browser', (apiUrl, base, want) => {
      const config = resolveBackandConfig({ appName: 'demo', apiUrl }, { base });
      expect(config.apiUrl).toBe(want);
      expect(config.socketUrl).toBe(want);
    });

    it('resolves a relative socketUrl too', () => {
      const config = resolveBackandConfig(
        { appName: 'demo', apiUrl: '/api', socketUrl: '/realtime' },
        { base: 'https://app.example.com/' },
      );
      expect(config.socketUrl).toBe('https://app.example.com/realtime');
    });

    it('resolves against serverOrigin on the server platform', () => {
      const config = resolveBackandConfig(
        { appName: 'demo', apiUrl: '/api', serverOrigin: 'http://127.0.0.1:4000/' },
        { server: true, base: 'https://ignored.example.com/' },
      );
      expect(config.apiUrl).toBe('http://127.0.0.1:4000/api');
    });

    it('asks for serverOrigin when a relative apiUrl meets the server platform', () => {
      expect(() =>
        resolveBackandConfig({ appName: 'demo', apiUrl: '/api' }, { server: true }),
      ).toThrow(/`apiUrl` is relative \("\/api"\).*on the server platform, set `serverOrigin`/);
    });

    it('keeps absolute URLs absolute on both platforms', () => {
      const absolute = { appName: 'demo', apiUrl: 'https://api.example.com' };
      expect(resolveBackandConfig(absolute, { server: true }).apiUrl).toBe(absolute.apiUrl);
      expect(resolveBackandConfig(absolute, { base: 'http://x.test/' }).apiUrl).toBe(
        absolute.apiUrl,
      );
    });

    it.each([
      [{ appName: 'demo', apiUrl: 'api.example.com' }, /`apiUrl`/],
      [{ appName: 'demo', apiUrl: 'localhost:4000' }, /`apiUrl`/],
      [{ appName: 'demo', apiUrl: '/api?x=1' }, /`apiUrl`/],
      [{ appName: 'demo', apiUrl: '/api', serverOrigin: '/also-relative' }, /`serverOrigin`/],
    ])('still rejects %j', (config, message) => {
      const context = { base: 'https://app.example.com/', server: 'serverOrigin' in config };
      expect(() => resolveBackandConfig(config, context)).toThrow(message);
    });
  });

  it('gives short messages in production builds', () => {
    const global = globalThis as { ngDevMode?: unknown };
    const saved = global.ngDevMode;
    global.ngDevMode = false;
    try {
      expect(() => resolveBackandConfig({ appName: '' })).toThrow(
        /^ngx-backand: invalid `appName`$/,
      );
    } finally {
      global.ngDevMode = saved;
    }
  });
});
