import { SignJWT, jwtVerify } from 'jose';

/** What an access token says about its user. */
export interface AccessClaims {
  userId: string;
  username: string;
  role: string;
  appName: string;
  /** The refresh-token session the access token belongs to (revoked on sign-out). */
  sessionId: number;
  /** When the token expires (epoch seconds); set by {@link AccessTokens.verify}. */
  exp?: number;
}

/** Signs and verifies HS256 access tokens for one app. */
export class AccessTokens {
  constructor(
    private readonly secret: Uint8Array,
    /** Lifetime of an access token in seconds. */
    readonly ttlSeconds: number,
  ) {}

  /** Signs an access token that expires after `ttlSeconds`. */
  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({
      username: claims.username,
      role: claims.role,
      appName: claims.appName,
      sid: claims.sessionId,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlSeconds)
      .sign(this.secret);
  }

  /** Verifies a token; resolves `null` when it is malformed, forged or expired. */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'] });
      const { sub, username, role, appName, sid, exp } = payload;
      if (
        typeof sub !== 'string' ||
        typeof username !== 'string' ||
        typeof role !== 'string' ||
        typeof appName !== 'string' ||
        typeof sid !== 'number' ||
        typeof exp !== 'number'
      ) {
        return null;
      }
      return { userId: sub, username, role, appName, sessionId: sid, exp };
    } catch {
      return null;
    }
  }
}
