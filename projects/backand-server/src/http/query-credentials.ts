import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Query-string names (compared case-insensitively) that carry credentials, and their header. */
const CREDENTIAL_PARAMS: Readonly<Record<string, 'authorization' | 'anonymoustoken'>> = {
  authorization: 'authorization',
  anonymoustoken: 'anonymoustoken',
};

/**
 * Backand accepted credentials in the query string as well as in headers, for links and clients
 * that cannot set headers:
 *
 * - `?authorization=basic+<master token>:<user token>` (the pair in plain text, as Backand's
 *   documentation writes it, or base64-encoded as in the header), or `?authorization=bearer+<token>`;
 * - `?AnonymousToken=<anonymous token>`.
 *
 * Returns the headers such a query stands for. A header the request already has wins over the
 * query; a query value that is not a single string is ignored (it then authenticates nothing).
 *
 * @example
 * credentialHeaders({ authorization: 'basic m:u' }, {}); // { authorization: 'Basic bTp1' }
 */
export function credentialHeaders(
  query: unknown,
  headers: Readonly<Record<string, unknown>>,
): Partial<Record<'authorization' | 'anonymoustoken', string>> {
  const out: Partial<Record<'authorization' | 'anonymoustoken', string>> = {};
  if (!query || typeof query !== 'object') return out;
  for (const [name, raw] of Object.entries(query as Record<string, unknown>)) {
    const header = CREDENTIAL_PARAMS[name.toLowerCase()];
    if (!header || headers[header] !== undefined || typeof raw !== 'string') continue;
    const value = raw.trim();
    if (value === '') continue;
    out[header] = header === 'authorization' ? asAuthorizationHeader(value) : value;
  }
  return out;
}

/** `basic master:user` (plain pair) becomes `Basic base64(master:user)`; anything else as is. */
function asAuthorizationHeader(value: string): string {
  const match = /^basic\s+(.+)$/i.exec(value);
  if (!match) return value;
  const credentials = match[1]!.trim();
  return credentials.includes(':')
    ? `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
    : `Basic ${credentials}`;
}

/** Query-string parameters (names compared decoded and case-insensitively) never logged. */
const SECRET_PARAMS = new Set(['authorization', 'anonymoustoken', 'sig']);

/**
 * A request URL fit for a log line: the values of credential parameters in the query string
 * replaced by `***`. Names are compared as the server reads them (percent-decoded, any case), so
 * `?%61uthorization=…` is hidden as well.
 *
 * @example
 * redactUrl('/1/objects/items?AnonymousToken=abc&pageSize=2'); // '/1/objects/items?AnonymousToken=***&pageSize=2'
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const parts = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    let name: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      // Undecodable: the server cannot have read it as a credential, but hide it all the same.
      return `${rawName}=***`;
    }
    return SECRET_PARAMS.has(name.trim().toLowerCase()) ? `${rawName}=***` : part;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/**
 * Installs query-string credentials: every route (REST, auth, downloads) then sees them as the
 * headers they stand for. Request log lines show the URL with the secrets redacted.
 */
export function installQueryCredentials(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request: FastifyRequest) => {
    Object.assign(request.headers, credentialHeaders(request.query, request.headers));
  });
}

/** The `req` field of request log lines (Fastify's default fields), with the URL redacted. */
export function requestForLog(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
