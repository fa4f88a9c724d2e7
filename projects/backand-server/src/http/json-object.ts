import { HttpError } from './http-error';

/** Whether a parsed JSON value is an object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A request body that must be a JSON object; no body counts as `{}`.
 * @throws HttpError 400 with `message` for arrays and scalars.
 */
export function jsonObjectBody(body: unknown, message: string): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (!isJsonObject(body)) throw new HttpError(400, message);
  return body;
}
