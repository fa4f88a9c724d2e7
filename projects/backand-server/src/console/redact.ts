/** Keys whose values the console never shows (tokens, passwords, hashes, secrets). */
const SECRET_KEY =
  /token|password|passwd|secret|hash|authorization|cookie|credential|apikey|api_key/i;

/** The longest preview of event data the console is sent (characters of JSON). */
export const PREVIEW_LIMIT = 2000;

/** The text that replaces a secret value. */
export const REDACTED = '[redacted]';

/**
 * A copy of `value` without secrets: values under secret-looking keys become
 * {@link REDACTED}, at any depth (at most 8 levels; deeper parts are elided).
 *
 * @example
 * redact({ name: 'a', token: 'x' }); // { name: 'a', token: '[redacted]' }
 */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 8) return '[…]';
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(item, depth + 1);
  }
  return out;
}

/**
 * A short JSON preview of event data, redacted and cut to {@link PREVIEW_LIMIT} characters.
 * Values that are not JSON (a BigInt, a cycle) are described, never thrown.
 */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(redact(value)) ?? String(value);
  } catch {
    text = '[not JSON]';
  }
  return text.length > PREVIEW_LIMIT ? `${text.slice(0, PREVIEW_LIMIT)}…` : text;
}
