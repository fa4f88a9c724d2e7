import { createHmac, hkdfSync } from 'node:crypto';
import { sameSecret } from '../auth/identity';

/**
 * The purpose label file-link keys are derived under, so that a link signature is never a
 * value made with the JWT key itself (and the reverse).
 */
const PURPOSE = 'backand-server/file-links/v1';

/** What a signed link is bound to. `expires` is in seconds since the epoch. */
export interface FileLinkClaims {
  object: string;
  filename: string;
  /** The upload it names (`_backand_files.upload_id`): a new upload makes old links fail. */
  uploadId: string;
  expires: number;
}

/** The query parameters of a signed link. */
export interface FileLinkQuery {
  v?: unknown;
  expires?: unknown;
  sig?: unknown;
}

/**
 * The key file links are signed with: HKDF-SHA256 of the app's signing secret (see
 * `signingSecret`) under a purpose label.
 *
 * @example
 * const key = fileLinkKey(new TextEncoder().encode(app.secret));
 */
export function fileLinkKey(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), PURPOSE, 32));
}

/**
 * The signature of a link (HMAC-SHA256, base64url), as the server computes it.
 *
 * @example
 * const sig = signFileLink(key, { object: 'docs', filename: 'a.txt', uploadId, expires });
 */
export function signFileLink(key: Uint8Array, claims: FileLinkClaims): string {
  // JSON keeps the parts apart whatever they hold.
  const message = JSON.stringify([claims.object, claims.filename, claims.uploadId, claims.expires]);
  return createHmac('sha256', key).update(message).digest('base64url');
}

/**
 * The path and query of a signed link, below the server's origin.
 *
 * @example
 * fetch(`${origin}${fileLinkPath({ object: 'docs', filename: 'a.txt', uploadId, expires }, sig)}`);
 */
export function fileLinkPath(claims: FileLinkClaims, sig: string): string {
  const query = new URLSearchParams({ v: claims.uploadId, expires: String(claims.expires), sig });
  return (
    `/files/${encodeURIComponent(claims.object)}/${encodeURIComponent(claims.filename)}` +
    `?${query.toString()}`
  );
}

/**
 * Short-lived signed links to stored files, for `<img src>` and download links (which cannot send
 * credentials). A link carries the authority of whoever it was made for, until it expires or
 * the file is removed or replaced.
 */
export class FileLinks {
  private readonly key: Buffer;

  /**
   * @param secret the app's signing secret (the key is derived from it)
   * @param ttlSeconds how long a link works (`fileUrlTtlSeconds`)
   */
  constructor(
    secret: Uint8Array,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = fileLinkKey(secret);
  }

  /** A signed link to one upload of a file, working for `ttlSeconds` from now. */
  url(origin: string, object: string, filename: string, uploadId: string): string {
    const claims = {
      object,
      filename,
      uploadId,
      expires: Math.floor(this.now() / 1000) + this.ttlSeconds,
    };
    return `${origin}${fileLinkPath(claims, signFileLink(this.key, claims))}`;
  }

  /**
   * Whether a link's query is a valid, unexpired signature for the current upload of a file
   * (`uploadId` from `_backand_files`; `null` or `undefined` when it has none).
   */
  verify(
    object: string,
    filename: string,
    uploadId: string | null | undefined,
    query: FileLinkQuery,
  ): boolean {
    const { v, expires, sig } = query;
    if (!uploadId || typeof v !== 'string' || typeof sig !== 'string') return false;
    if (typeof expires !== 'string' || !/^[0-9]{1,12}$/.test(expires)) return false;
    const expected = signFileLink(this.key, {
      object,
      filename,
      uploadId,
      expires: Number(expires),
    });
    // Both checks run, in constant time, before either decides.
    const signed = sameSecret(expected, sig);
    const current = sameSecret(uploadId, v);
    return signed && current && Number(expires) * 1000 > this.now();
  }
}
