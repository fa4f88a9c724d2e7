import type { AppContext, CallInfo } from '../app-context';
import { parseParameters } from '../objects/list-params';
import type { ApiRequest } from './api-route';
import { isJsonObject } from './json-object';

/**
 * Resolves the caller and the call's `parameters` (query `parameters`, or, when `fromBody` is
 * set, a `parameters` object in the JSON body).
 * @throws HttpError 401 when the caller cannot be identified.
 */
export async function callInfo(
  ctx: AppContext,
  request: Pick<ApiRequest, 'headers' | 'query' | 'body' | 'method'> &
    Partial<Pick<ApiRequest, 'origin' | 'ip'>>,
  fromBody = false,
): Promise<CallInfo> {
  const identity = await ctx.resolver.fromHeaders(request.headers);
  let parameters = parseParameters(request.query);
  const body = request.body;
  if (fromBody && isJsonObject(body) && isJsonObject(body['parameters'])) {
    parameters = { ...parameters, ...body['parameters'] };
  }
  return {
    identity,
    method: request.method,
    headers: safeHeaders(request.headers),
    parameters,
    ...(request.origin !== undefined ? { origin: request.origin } : {}),
    query: { ...request.query },
    body: request.body,
    ...(request.ip !== undefined ? { ip: request.ip } : {}),
  };
}

/** Body fields that hold secrets: left out of the `request` global of security actions. */
const SECRET_FIELDS = new Set([
  'password',
  'confirmPassword',
  'oldPassword',
  'newPassword',
  'refresh_token',
  'refreshToken',
  'resetToken',
]);

/**
 * The call of a sign-in, token or sign-up request, for its security actions: `identity` (a
 * guest by default, as no user is signed in yet), the request's `parameters`, and its body
 * without passwords or refresh tokens.
 */
export function authCall(
  request: Pick<ApiRequest, 'headers' | 'query' | 'body' | 'method' | 'origin' | 'ip'>,
  identity: CallInfo['identity'],
  parameters: Record<string, unknown>,
): CallInfo {
  const body = isJsonObject(request.body)
    ? Object.fromEntries(Object.entries(request.body).filter(([k]) => !SECRET_FIELDS.has(k)))
    : request.body;
  return {
    identity,
    method: request.method,
    headers: safeHeaders(request.headers),
    parameters,
    origin: request.origin,
    query: { ...request.query },
    body,
    ...(request.ip !== undefined ? { ip: request.ip } : {}),
  };
}

/** Request headers handed to actions, without credentials. */
function safeHeaders(headers: ApiRequest['headers']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (['authorization', 'anonymoustoken', 'signuptoken', 'cookie'].includes(name)) continue;
    out[name] = value;
  }
  return out;
}
