/**
 * A URL without its password (`***` in its place), for logs and messages; `fallback` when the
 * text is not a URL.
 *
 * @example
 * redactUrl('postgres://app:s3cret@db:5432/shop', 'the database URL'); // postgres://app:***@db:5432/shop
 */
export function redactUrl(url: string, fallback: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return fallback;
  }
}
