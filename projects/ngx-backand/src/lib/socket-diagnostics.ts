/**
 * Dev-mode diagnostics of the realtime socket: one console line per condition, never per retry.
 * Every caller guards its call with `typeof ngDevMode === 'undefined' || ngDevMode`, so a
 * production build (where `ngDevMode` is `false`) drops the calls and, unused, these functions.
 * Internal.
 */

/**
 * The last line reported, tagged with its condition (`u|` unreachable, `n|` refused, `|` info);
 * `''` once the socket is authorized.
 */
export type _ReportedLine = string;

/**
 * Logs the condition `kind` with `message` unless it is the line last logged; returns the new
 * last line.
 */
export function _report(last: _ReportedLine, kind: string, message: string): _ReportedLine {
  const line = `${kind}|${message}`;
  if (line !== last) (kind ? console.warn : console.info)(`ngx-backand: ${message}`);
  return line;
}

/** A `connect_error`: reported once per outage (the first failed attempt). */
export function _reportUnreachable(
  last: _ReportedLine,
  socketUrl: string,
  error: unknown,
): _ReportedLine {
  if (last.startsWith('u|')) return last;
  return _report(
    last,
    'u',
    `cannot reach the realtime server at ${socketUrl} (${
      error instanceof Error ? error.message : String(error)
    }). Retrying in the background; state() stays 'connecting' meanwhile. Is the server ` +
      'running, and is `socketUrl` (default: `apiUrl`) right?',
  );
}

/** A `connect`: after a reported outage, one line saying the server is back. */
export function _reportConnected(last: _ReportedLine, socketUrl: string): _ReportedLine {
  return last.startsWith('u|')
    ? _report(last, '', `the realtime server at ${socketUrl} is reachable again.`)
    : last;
}

/**
 * A `notAuthorized`, with the reason the server gives: `{code, message}` answering a login
 * (backand-server), `{reason}` for an account change, nothing from older servers.
 */
export function _reportRefusal(
  last: _ReportedLine,
  info: unknown,
  socketUrl: string,
  appName: string,
): _ReportedLine {
  const detail = (info ?? {}) as { code?: unknown; message?: unknown; reason?: unknown };
  const why =
    typeof detail.reason === 'string'
      ? `ended the socket's authorization: the account behind it changed (${detail.reason})`
      : `refused the socket's login (appName '${appName}'): ${
          typeof detail.message === 'string'
            ? `${detail.message} (${String(detail.code)})`
            : 'the server gave no reason; check `appName` and the token'
        }`;
  return _report(
    last,
    'n',
    `the realtime server at ${socketUrl} ${why}. No events arrive until the identity changes ` +
      '(sign-in, useAnonymousAuth(), a new token).',
  );
}
