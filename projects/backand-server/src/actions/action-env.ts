import type { AppDefinition } from '../app-definition/schema';
import type { CallInfo } from '../app-context';

/** The `request` global of an action: the HTTP request that runs it (credentials removed). */
export interface ActionRequestInfo {
  method: string;
  headers: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  ip: string | null;
}

/**
 * The globals of one run besides `socket` and `console`: `CONSTS` (`apiUrl`, `appName`),
 * `Config` (the definition's `config`, also as `config`) and `request`.
 */
export interface ActionEnv {
  consts: { apiUrl: string; appName: string };
  config: Record<string, unknown>;
  request: ActionRequestInfo;
}

/**
 * The globals of a run for a call. `CONSTS.apiUrl` is the address the caller reached the
 * server at (`protocol://host[:port]`, no trailing slash), so `CONSTS.apiUrl + '/1/objects/…'`
 * calls this server back.
 */
export function actionEnv(app: AppDefinition, call: CallInfo): ActionEnv {
  return {
    consts: { apiUrl: call.origin ?? '', appName: app.appName },
    config: app.config ?? {},
    request: {
      method: call.method,
      headers: { ...call.headers },
      query: withoutCredentials(call.query ?? {}),
      body: call.body === undefined ? null : call.body,
      ip: call.ip ?? null,
    },
  };
}

/** Query values minus credentials a client may send in the query string. */
function withoutCredentials(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    if (['authorization', 'anonymoustoken', 'signuptoken'].includes(name.toLowerCase())) continue;
    out[name] = value;
  }
  return out;
}
