/** The port `ng serve` uses; a page served from it talks to a backand-server on its default port. */
const DEV_SERVER_PORT = '4200';

/** Where backand-server listens when the page comes from `ng serve`. */
export const DEV_API_URL = 'http://localhost:4000';

/**
 * Works out the backand-server URL for this page.
 *
 * `?api=<url>` wins; otherwise the page's own origin, because `npm start` serves the demo from
 * backand-server itself (one process, one origin). A page from `ng serve` uses {@link DEV_API_URL}.
 *
 * @example
 * resolveApiUrl(new URL('http://127.0.0.1:4000/?api=http://10.0.0.2:4000/')); // 'http://10.0.0.2:4000'
 */
export function resolveApiUrl(location: Pick<URL, 'origin' | 'port' | 'search'>): string {
  const override = new URLSearchParams(location.search).get('api');
  if (override) {
    return override.replace(/\/+$/, '');
  }
  if (location.port === DEV_SERVER_PORT) {
    return DEV_API_URL;
  }
  return location.origin;
}
