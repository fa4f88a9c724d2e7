/**
 * Undoes the extra encodings of the published Backand client (it is the client that wins):
 * - plain query values (`search`, `exclude`, action `name`, …) are URL-encoded twice, so after
 *   the server's decode they may still hold `%XX` escapes;
 * - inside `filter`/`sort`/`parameters` JSON, a string containing `+` was URL-encoded first, so it
 *   arrives holding `%2B`.
 */
export function decodeTwiceEncoded(value: string): string {
  if (!/%[0-9A-Fa-f]{2}/.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Decodes string values (deeply) that the client encoded because they held a `+`. */
export function decodePlusEncoded<T>(value: T): T {
  if (typeof value === 'string') {
    return (/%2B/i.test(value) ? decodeTwiceEncoded(value) : value) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => decodePlusEncoded(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = decodePlusEncoded(v);
    return out as T;
  }
  return value;
}
