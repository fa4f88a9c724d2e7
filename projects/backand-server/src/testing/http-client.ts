/** A response body as tests read it: any JSON, navigated freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the shape at run time
export type LooseJson = any;

/** A parsed HTTP response for tests. */
export interface ApiResponse<T = LooseJson> {
  status: number;
  body: T;
  headers: Headers;
}

/** Credentials for {@link api}: a bearer token, the anonymous token, or raw headers. */
export type Auth =
  { bearer: string } | { anonymous: string } | { headers: Record<string, string> } | null;

/**
 * Calls the server with JSON in and out (tests only).
 *
 * @example
 * const res = await api(server.url, 'GET', '/1/objects/items', { anonymous: 'demo-anonymous-token' });
 */
export async function api<T = LooseJson>(
  baseUrl: string,
  method: string,
  path: string,
  auth: Auth,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (auth && 'bearer' in auth) headers['Authorization'] = `Bearer ${auth.bearer}`;
  if (auth && 'anonymous' in auth) headers['AnonymousToken'] = auth.anonymous;
  if (auth && 'headers' in auth) Object.assign(headers, auth.headers);
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** `?name=value&…` with JSON-encoded objects and arrays, as Backand clients send them. */
export function qs(params: Record<string, unknown>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) =>
        `${k}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`,
    );
  return parts.length ? `?${parts.join('&')}` : '';
}
