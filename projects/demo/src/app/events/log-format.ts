/**
 * Formats a time as HH:MM:SS.mmm in the visitor's time zone: events often come in bursts, and
 * milliseconds show their order.
 *
 * @example
 * clockTime(new Date(2026, 0, 1, 9, 5, 3, 7)); // '09:05:03.007'
 */
export function clockTime(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
}

/**
 * Renders a payload on one line; anything JSON cannot render shows as text.
 *
 * @example
 * compactJson({ a: 1 }); // '{"a":1}'
 */
export function compactJson(payload: unknown): string {
  try {
    return JSON.stringify(payload) ?? String(payload);
  } catch {
    return String(payload);
  }
}
