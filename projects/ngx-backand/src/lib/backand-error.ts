import { HttpErrorResponse } from '@angular/common/http';

/**
 * The one error type of every failed SDK call: HTTP errors, network failures and
 * client-side refusals (e.g. `signup()` without a sign-up token) alike.
 *
 * @example
 * backand.signin('ann@demo.test', 'wrong').subscribe({
 *   error: (e: BackandError) => console.log(e.status, e.message), // 400 'invalid username or password'
 * });
 */
export class BackandError extends Error {
  override readonly name = 'BackandError';

  constructor(
    /** HTTP status; `0` when no response arrived or the SDK refused the call itself. */
    readonly status: number,
    message: string,
    /** The parsed response body, when there was one. */
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

/** Turns whatever an HTTP call failed with into a `BackandError` with the server's message. */
export function toBackandError(error: unknown): BackandError {
  if (error instanceof BackandError) return error;
  if (error instanceof HttpErrorResponse) {
    // A network failure carries a ProgressEvent (XHR) or an Error (fetch), not a body.
    const raw: unknown = error.error;
    const body =
      raw instanceof Error || (typeof ProgressEvent !== 'undefined' && raw instanceof ProgressEvent)
        ? null
        : (raw ?? null);
    return new BackandError(error.status, messageOf(body) ?? error.message, body);
  }
  return new BackandError(0, error instanceof Error ? error.message : String(error));
}

function messageOf(body: unknown): string | null {
  if (typeof body === 'string') return body.trim() || null;
  if (!body || typeof body !== 'object') return null;
  const record = body as Record<string, unknown>;
  // Backand answers with `error_description` (token), `Message` (.NET style) or `message`.
  for (const key of ['error_description', 'Message', 'message', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value) return value;
  }
  return null;
}
