import type { EmailBridge } from './email-bridge';
import type { HttpBridge } from './http-bridge';
import type { CallHandler } from './worker-pool';

/**
 * The longest JSON text of one call's arguments: room for the largest request body allowed
 * (`http.maxRequestBytes` ≤ 16 MiB) even when escaping doubles it.
 */
export const MAX_PAYLOAD_CHARS = 34 * 1024 * 1024;

/** The services actions reach through host calls: `$http` and `email.send`. */
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
 * The host-call handler of one run: counts its calls against the per-run limits and sends each
 * to its service. Answers are JSON text for the guest.
 *
 * @example
 * pool.run(spec, onLog, runCallHandler(services, 'notify'));
 */
export function runCallHandler(services: HostServices, action: string): CallHandler {
  let requests = 0;
  let mails = 0;
  const refuse = (message: string) => JSON.stringify({ ok: false, message });
  return async (kind, payload, deadline) => {
    // Bodies have their own limits; this only keeps the main thread from parsing anything huge.
    if (payload.length > MAX_PAYLOAD_CHARS) {
      return refuse(`${kind}: the arguments are over ${MAX_PAYLOAD_CHARS} characters`);
    }
    let args: unknown;
    try {
      args = JSON.parse(payload);
    } catch {
      return refuse(`${kind}: arguments that are not JSON`);
    }
    if (kind === 'http') {
      if (++requests > services.maxRequestsPerRun) {
        return refuse(
          `$http: action "${action}" made more than ${services.maxRequestsPerRun} requests (http.maxRequestsPerRun)`,
        );
      }
      return JSON.stringify(await services.http.request(args, deadline));
    }
    if (kind === 'email') {
      if (!services.email) return refuse('email.send: mail is not configured on this server');
      if (++mails > services.maxMailsPerRun) {
        return refuse(
          `email.send: action "${action}" sent more than ${services.maxMailsPerRun} mails (email.maxPerRun)`,
        );
      }
      return JSON.stringify(await services.email.send(args));
    }
    return refuse(`unknown host call "${kind}"`);
  };
}
