import { DEV_API_URL, resolveApiUrl } from './api-url';

const at = (href: string) => new URL(href);

describe('resolveApiUrl', () => {
  it('uses the page origin when backand-server serves the demo', () => {
    expect(resolveApiUrl(at('http://127.0.0.1:4000/'))).toBe('http://127.0.0.1:4000');
    expect(resolveApiUrl(at('https://demo.example.test/items'))).toBe('https://demo.example.test');
  });

  it('lets ?api= point the page at another server, without a trailing slash', () => {
    expect(resolveApiUrl(at('http://127.0.0.1:4000/?api=http://10.1.2.3:4100/'))).toBe(
      'http://10.1.2.3:4100',
    );
    expect(resolveApiUrl(at('http://localhost:4200/?api=https://api.test/base'))).toBe(
      'https://api.test/base',
    );
  });

  it('talks to the default backand-server port from the ng serve port', () => {
    expect(resolveApiUrl(at('http://localhost:4200/'))).toBe(DEV_API_URL);
  });

  it('ignores an empty ?api=', () => {
    expect(resolveApiUrl(at('http://127.0.0.1:4000/?api='))).toBe('http://127.0.0.1:4000');
  });
});
