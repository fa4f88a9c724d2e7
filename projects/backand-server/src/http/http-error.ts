/**
 * An error that becomes an HTTP response: `status` and a JSON body `{Message, …extra}`
 * (Backand's error shape).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
    /** Extra fields merged into the response body (e.g. `{field}`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The response body. */
  body(): Record<string, unknown> {
    return { Message: this.message, ...this.extra };
  }
}

/** The exact body clients key their token refresh on. */
export const INVALID_TOKEN_MESSAGE = 'invalid or expired token';

/**
 * An error answered with a `Retry-After` header: `429` (too many failed attempts) or `503` (the
 * server is busy).
 */
export class RetryLaterError extends HttpError {
  constructor(
    status: number,
    message: string,
    /** Seconds the client should wait before trying again. */
    readonly retryAfterSeconds: number,
  ) {
    super(status, message);
  }
}
