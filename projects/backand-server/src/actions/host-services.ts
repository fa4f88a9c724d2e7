import type { EmailBridge } from './email-bridge';
import type { HttpBridge } from './http-bridge';

/**
 * The longest JSON text of one call's arguments: room for the largest request body allowed
 * (`http.maxRequestBytes` ≤ 16 MiB) even when escaping doubles it.
 */
export const MAX_PAYLOAD_CHARS = 34 * 1024 * 1024;

/** The services of the server that actions reach through host calls: `$http` and `email.send`. */
export interface HostServices {
  http: HttpBridge;
  /** Absent: `email.send` throws "not configured". */
  email?: EmailBridge;
  /** `$http` calls one run may make. */
  maxRequestsPerRun: number;
  /** Mails one run may send. */
  maxMailsPerRun: number;
}

/**
 * Serves `files.upload` / `files.delete` of one run (see files/action-files.ts): the answer's
 * fields (e.g. `{url}`), synchronously, so that during actions may call it too.
 * @throws Error whose message the action throws.
 */
export type FileCalls = (kind: string, args: unknown) => Record<string, unknown>;

/**
 * Serves a run's host calls: the answer's JSON text, `{ok: true, …}` or `{ok: false, message}`.
 * A handler made for a during action answers synchronously (a string, never a promise).
 */
export type CallHandler = (
  kind: string,
  payload: string,
  deadline: number,
) => string | Promise<string>;

/** What one run may call besides the server's {@link HostServices}. */
export interface RunCalls {
  /** The object's `files` (actions of objects); absent: `files.*` throws. */
  files?: FileCalls | undefined;
  /**
   * The run is a during action: the server thread is blocked while it runs, so nothing that
   * needs the event loop (`$http`, `email.send`) can be served; those calls throw at once.
   */
  during?: boolean;
}

const refuse = (message: string) => JSON.stringify({ ok: false, message });

/**
 * The host-call handler of one run: counts its calls against the per-run limits and sends each
 * to its service. Answers are JSON text for the guest.
 *
 * @example
 * pool.run(spec, onLog, runCallHandler(services, 'notify', { files }));
 */
export function runCallHandler(
  services: HostServices | undefined,
  action: string,
  calls: RunCalls = {},
): CallHandler {
  let requests = 0;
  let mails = 0;
  return (kind, payload, deadline) => {
    // Bodies have their own limits; this only keeps the server from parsing anything huge.
    if (payload.length > MAX_PAYLOAD_CHARS) {
      return refuse(`${kind}: the arguments are over ${MAX_PAYLOAD_CHARS} characters`);
    }
    if ((kind === 'http' || kind === 'email') && calls.during) {
      const name = kind === 'http' ? '$http' : 'email.send';
      return refuse(
        `${name} is not available in a "during" action (it runs inside the write's ` +
          'transaction while the server waits for it): use a before or after action',
      );
    }
    let args: unknown;
    try {
      args = JSON.parse(payload);
    } catch {
      return refuse(`${kind}: arguments that are not JSON`);
    }
    if (kind === 'files.upload' || kind === 'files.delete') {
      if (!calls.files) return refuse(`${kind} is only available in the actions of an object`);
      try {
        return JSON.stringify({ ok: true, ...calls.files(kind, args) });
      } catch (err) {
        return refuse(err instanceof Error ? err.message : String(err));
      }
    }
    if (kind === 'http') {
      if (!services) return refuse('$http is not available here');
      if (++requests > services.maxRequestsPerRun) {
        return refuse(
          `$http: action "${action}" made more than ${services.maxRequestsPerRun} requests (http.maxRequestsPerRun)`,
        );
      }
      return services.http.request(args, deadline).then((answer) => JSON.stringify(answer));
    }
    if (kind === 'email') {
      if (!services?.email) return refuse('email.send: mail is not configured on this server');
      if (++mails > services.maxMailsPerRun) {
        return refuse(
          `email.send: action "${action}" sent more than ${services.maxMailsPerRun} mails (email.maxPerRun)`,
        );
      }
      return services.email.send(args).then((answer) => JSON.stringify(answer));
    }
    return refuse(`unknown host call "${kind}"`);
  };
}
