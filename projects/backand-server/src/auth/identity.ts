import { timingSafeEqual } from 'node:crypto';
import type { AppDefinition } from '../app-definition/schema';
import { HttpError, INVALID_TOKEN_MESSAGE } from '../http/http-error';
import type { AccessTokens } from './access-tokens';
import type { UserStore } from './user-store';
import { canonicalUsername } from './username';

/** Who is calling: a signed-in user, a guest with the anonymous token, or the master key. */
export interface Identity {
  kind: 'user' | 'anonymous' | 'master';
  /** The username (email) of a user; `null` for guests and the master key. */
  username: string | null;
  role: string;
  userId: string | null;
  appName: string;
  /** The credential presented (Authorization value or anonymous token). */
  token: string | null;
  /** The refresh-token session of a user's access token. */
  sessionId?: number;
  /** When a user's credential stops working (epoch ms): token expiry or end of its session. */
  expiresAt?: number;
  /** The user token a user authenticated with (Basic `masterToken:userToken`). */
  userTokenId?: number;
}

/** What identifies a signed-in user's credential: its session, or its user token. */
export type Credential = Pick<Identity, 'userId' | 'sessionId' | 'userTokenId'>;

/** Whether an identity has full access: the master key or the `Admin` role. */
export function isAdmin(identity: Identity): boolean {
  return identity.kind === 'master' || identity.role === 'Admin';
}

/** Compares two secrets in constant time. */
export function sameSecret(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Headers as Node gives them (lower-case names). */
export type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Turns request credentials into an {@link Identity}. */
export class IdentityResolver {
  constructor(
    private readonly app: AppDefinition,
    private readonly tokens: AccessTokens,
    private readonly users: UserStore,
  ) {}

  /** Whether `name` is this app's name (case-insensitive, as Backand app names were). */
  isThisApp(name: string | null | undefined): boolean {
    return typeof name === 'string' && name.toLowerCase() === this.app.appName.toLowerCase();
  }

  /**
   * Resolves the caller of a REST request.
   * @throws HttpError 401 without credentials, with a bad Basic/anonymous token, or with an
   *   invalid or expired bearer token (body `{"Message":"invalid or expired token"}`).
   */
  async fromHeaders(headers: Headers): Promise<Identity> {
    const authorization = header(headers, 'authorization')?.trim();
    const appHeader = header(headers, 'appname');
    if (appHeader !== undefined && appHeader !== '' && !this.isThisApp(appHeader)) {
      throw new HttpError(401, `Unknown app "${appHeader}"`);
    }
    if (authorization) {
      const [scheme = '', ...rest] = authorization.split(/\s+/);
      const value = rest.join(' ');
      if (scheme.toLowerCase() === 'bearer') {
        const identity = await this.fromBearer(value, authorization);
        if (!identity) throw new HttpError(401, INVALID_TOKEN_MESSAGE);
        return identity;
      }
      if (scheme.toLowerCase() === 'basic') return this.fromBasic(value, authorization);
      throw new HttpError(401, 'Unsupported Authorization scheme (use Bearer or Basic)');
    }
    const anonymous = header(headers, 'anonymoustoken');
    if (anonymous) {
      const identity = this.fromAnonymousToken(anonymous);
      if (!identity) throw new HttpError(401, 'Invalid anonymous token');
      return identity;
    }
    throw new HttpError(
      401,
      'Authentication required: send "Authorization: Bearer <token>", an AnonymousToken header or Basic master:user credentials',
    );
  }

  /**
   * Verifies a bearer access token (without the "Bearer " prefix) and that its user and session
   * still exist. Resolves `null` when it does not hold.
   */
  async fromBearer(token: string, presented: string = `Bearer ${token}`): Promise<Identity | null> {
    const claims = await this.tokens.verify(token);
    if (!claims || !this.isThisApp(claims.appName)) return null;
    const user = this.users.findById(claims.userId);
    const sessionEnd = this.users.sessionEnd(claims.sessionId);
    // A name not in canonical form is a duplicate disabled by the upgrade (migrate-usernames).
    if (!user || sessionEnd === undefined || canonicalUsername(user.email) !== user.email) {
      return null;
    }
    return {
      kind: 'user',
      username: user.email,
      role: user.role,
      userId: String(user.id),
      appName: this.app.appName,
      token: presented,
      sessionId: claims.sessionId,
      expiresAt: Math.min((claims.exp ?? 0) * 1000, sessionEnd),
    };
  }

  /**
   * Re-checks a signed-in user's credential (session or user token): their current username and
   * role, or `null` when the user was deleted, or the session revoked or over, or the user token
   * replaced or revoked.
   */
  currentUser(credential: Credential): { username: string; role: string } | null {
    const { userId, sessionId, userTokenId } = credential;
    if (!userId) return null;
    const user = this.users.findById(userId);
    if (!user || canonicalUsername(user.email) !== user.email) return null;
    const live =
      sessionId !== undefined
        ? this.users.isSessionLive(sessionId)
        : userTokenId !== undefined && this.users.userTokens.isLive(user.id, userTokenId);
    return live ? { username: user.email, role: user.role } : null;
  }

  /** The guest identity of this app (the anonymous token's). */
  guest(token: string | null = this.app.anonymousToken ?? null): Identity {
    return {
      kind: 'anonymous',
      username: null,
      role: this.app.anonymousRole,
      userId: null,
      appName: this.app.appName,
      token,
    };
  }

  /** The guest identity when `token` is the app's anonymous token, else `null`. */
  fromAnonymousToken(token: string): Identity | null {
    if (!sameSecret(token, this.app.anonymousToken)) return null;
    return this.guest(token);
  }

  /**
   * `Basic base64(masterToken:userToken)`: the master key with the app's `userToken` (full
   * access), or with a user's own token (that user).
   */
  private fromBasic(encoded: string, presented: string): Identity {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const master = colon < 0 ? decoded : decoded.slice(0, colon);
    const second = colon < 0 ? '' : decoded.slice(colon + 1);
    const refused = new HttpError(401, 'Invalid master/user token');
    if (!sameSecret(master, this.app.masterToken)) throw refused;
    if (sameSecret(second, this.app.userToken)) {
      return {
        kind: 'master',
        username: null,
        role: 'Admin',
        userId: null,
        appName: this.app.appName,
        token: presented,
      };
    }
    const grant = this.users.userTokens.find(second);
    const user = grant ? this.users.findById(grant.userId) : undefined;
    if (!grant || !user || canonicalUsername(user.email) !== user.email) throw refused;
    return {
      kind: 'user',
      username: user.email,
      role: user.role,
      userId: String(user.id),
      appName: this.app.appName,
      token: presented,
      userTokenId: grant.tokenId,
    };
  }
}
