import type { AppDefinition } from './app-definition/schema';
import type { ActionLogger, ActionRunner, UserProfile } from './actions/action-runner';
import type { AccessTokens } from './auth/access-tokens';
import type { Identity, IdentityResolver } from './auth/identity';
import type { HashQueue } from './auth/hash-queue';
import type { SignInGuard } from './auth/sign-in-guard';
import type { UserStore } from './auth/user-store';
import type { EmitTarget } from './actions/pending-emits';
import type { Db } from './storage/database';
import type { FileLinks } from './files/file-links';
import type { FileStore } from './files/file-store';
import type { EmailVerification } from './auth/email-verification';
import type { Mailer } from './mail/mailer';

/** Where automatic row events go (the realtime hub). */
export interface RowEventTarget extends EmitTarget {
  /** `before` (updates): the row as it was, so sockets that lose sight of it learn so. */
  emitRowEvent(
    objectName: string,
    event: 'created' | 'updated' | 'deleted',
    id: number,
    row: Record<string, unknown>,
    before?: Record<string, unknown>,
  ): void;
  /** Re-checks the sockets of a user after a sign-out, deletion, role or password change. */
  recheckUser(userId: number | string): void;
}

/** Everything the request handlers of one app share. */
export interface AppContext {
  app: AppDefinition;
  db: Db;
  users: UserStore;
  tokens: AccessTokens;
  resolver: IdentityResolver;
  actions: ActionRunner;
  realtime: RowEventTarget;
  logger: ActionLogger;
  /**
   * Every check of a user's password (sign-in, password change): the failure limits per
   * (username, address) pair, per address and per username, one check at a time per username,
   * through {@link hashing}.
   */
  signIn: SignInGuard;
  /** The bounded queue every password hash goes through (checks, sign-ups, changes, resets). */
  hashing: HashQueue;
  files: FileStore;
  /** Signed links to stored files. */
  fileLinks: FileLinks;
  /** The server's mail: SMTP, or `.eml` files in a folder. */
  mailer: Mailer;
  /** Users whose e-mail address awaits verification (sign-up status 2). */
  verification: EmailVerification;
  /** The public base URL of links in mails (`email.linkBaseUrl`, else the listening URL). */
  linkBase(): string;
}

/** What handlers know about the request being served. */
export interface CallInfo {
  identity: Identity;
  method: string;
  headers: Record<string, unknown>;
  /** The call's `parameters` (URL-encoded JSON), handed to actions. */
  parameters: Record<string, unknown>;
  /** `protocol://host[:port]` the caller used (the `CONSTS.apiUrl` of actions). */
  origin?: string;
  /** The query string's values, the body and the client's address (the `request` global). */
  query?: Record<string, unknown>;
  body?: unknown;
  ip?: string;
}

/** The `userProfile` argument of actions for a call. */
export function userProfileOf(call: CallInfo): UserProfile {
  const { identity } = call;
  return {
    username: identity.username,
    role: identity.role,
    app: identity.appName,
    userId: identity.userId,
    token: identity.token,
    request: { method: call.method, headers: { ...call.headers } },
  };
}
