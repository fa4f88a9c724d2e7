import { createHash, randomBytes } from 'node:crypto';
import type { AppDefinition } from '../app-definition/schema';
import { BUILTIN_USER_FIELDS } from '../app-definition/check-app-definition';
import type { Db } from '../storage/database';
import { quoteIdent } from '../storage/sql';
import { StatementCache } from '../storage/statement-cache';
import { fieldTypeOf, toStored } from '../objects/fields';
import { isRelation } from '../objects/relations';
import { hashPassword, verifyPassword } from './passwords';
import { canonicalUsername } from './username';
import { UserTokens } from './user-tokens';

/** A registered user, as the built-in `users` object stores it. */
export interface UserRecord {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: string;
}

/** New user details. `parameters` fill matching extra fields of the `users` object. */
export interface NewUser {
  email: string;
  password: string;
  role: string;
  firstName?: string;
  lastName?: string;
  parameters?: Record<string, unknown>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let dummy: Promise<string> | undefined;
/** A hash of a random password, checked when there is no real one. */
function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('base64')));
}

/** Registered users and their credentials, refresh-token sessions and reset tokens. */
export class UserStore {
  private readonly sql: StatementCache;
  /** The users' own tokens (Basic `masterToken:userToken`). */
  readonly userTokens: UserTokens;
  /** When rotated tokens were last pruned (epoch ms). */
  private prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly app: AppDefinition,
  ) {
    this.sql = new StatementCache(db);
    this.userTokens = new UserTokens(db);
    // Ready before the first sign-in, which would otherwise take longer for an unknown user.
    void dummyHash();
    // After migrate-usernames: names are canonical, one account per name.
    db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS _backand_users_unique_email ON users (email)`);
  }

  /** Finds a user by username, in any spelling of it (see {@link canonicalUsername}). */
  findByUsername(username: string): UserRecord | undefined {
    return this.sql
      .get(`SELECT id, email, firstName, lastName, role FROM users WHERE email = ?`)
      .get(canonicalUsername(username)) as UserRecord | undefined;
  }

  /** Finds a user by id. */
  findById(id: number | string): UserRecord | undefined {
    return this.sql
      .get(`SELECT id, email, firstName, lastName, role FROM users WHERE id = ?`)
      .get(Number(id)) as UserRecord | undefined;
  }

  /**
   * Registers a user under the canonical form of `email`. Extra `users` fields named in
   * `parameters` are stored (type-checked); built-in fields (email, names, role) never come from
   * `parameters`.
   * @throws the store's unique-constraint error when the name is taken (answered 409).
   */
  async create(user: NewUser): Promise<UserRecord> {
    const extra = this.extraValues(user.parameters ?? {});
    const hash = await hashPassword(user.password);
    const columns = ['email', 'firstName', 'lastName', 'role', ...Object.keys(extra)];
    const values = [
      canonicalUsername(user.email),
      user.firstName ?? '',
      user.lastName ?? '',
      user.role,
      ...Object.values(extra),
    ];
    const insert = this.db.transaction(() => {
      const inserted = this.sql
        .get(
          `INSERT INTO users (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING id`,
        )
        .get(...values) as { id: number };
      const id = Number(inserted.id);
      this.sql
        .get(`INSERT INTO _backand_credentials (user_id, password_hash) VALUES (?, ?)`)
        .run(id, hash);
      return id;
    });
    return this.findById(insert())!;
  }

  /**
   * Stores a password hash ({@link hashPassword}) as a new user's credentials, in the caller's
   * transaction (a sign-up through the `users` object's actions).
   */
  storeCredentials(userId: number, hash: string): void {
    this.sql
      .get(`INSERT INTO _backand_credentials (user_id, password_hash) VALUES (?, ?)`)
      .run(userId, hash);
  }

  /**
   * Checks a user's password. A missing user, or one without credentials (created as a row),
   * never matches, after the same scrypt work as a real check, so timing does not tell whether
   * the user exists.
   */
  async checkPassword(userId: number | undefined, password: string): Promise<boolean> {
    const row =
      userId === undefined
        ? undefined
        : (this.sql
            .get(`SELECT password_hash FROM _backand_credentials WHERE user_id = ?`)
            .get(userId) as { password_hash: string } | undefined);
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
    return row !== undefined && ok;
  }

  /** Whether a user can sign in with a password (users made as rows of `users` cannot). */
  hasPassword(userId: number): boolean {
    return (
      this.sql.get(`SELECT 1 FROM _backand_credentials WHERE user_id = ?`).get(userId) !== undefined
    );
  }

  /**
   * Sets a user's password and ends the user's sessions, except `keepSessionId` (the session of
   * a user who changes their own password).
   */
  async setPassword(userId: number, password: string, keepSessionId?: number): Promise<void> {
    const hash = await hashPassword(password);
    this.db.transaction(() => {
      this.sql
        .get(
          `INSERT INTO _backand_credentials (user_id, password_hash) VALUES (?, ?)
           ON CONFLICT(user_id) DO UPDATE SET password_hash = excluded.password_hash`,
        )
        .run(userId, hash);
      this.sql
        .get(
          `UPDATE _backand_refresh_tokens SET revoked_at = ?
           WHERE user_id = ? AND revoked_at IS NULL AND id IS DISTINCT FROM ?`,
        )
        .run(new Date().toISOString(), userId, keepSessionId ?? null);
      // A reset link mailed before stops working once the password is set (by any route).
      this.sql.get(`DELETE FROM _backand_reset_tokens WHERE user_id = ?`).run(userId);
    })();
  }

  /** Creates the definition's seeded users that do not exist yet. Returns the usernames created. */
  async seed(): Promise<string[]> {
    const created: string[] = [];
    for (const user of this.app.users) {
      if (this.findByUsername(user.username)) continue;
      try {
        await this.create({
          email: user.username,
          password: user.password,
          role: user.role,
          firstName: user.firstName,
          lastName: user.lastName,
          ...(user.parameters ? { parameters: user.parameters } : {}),
        });
      } catch (err) {
        // Another node on the same file seeded this user while the password was hashed.
        if (this.findByUsername(user.username)) continue;
        throw err;
      }
      created.push(user.username);
    }
    return created;
  }

  /** Opens a refresh-token session for a user. Returns the session id and the token. */
  openSession(userId: number): { sessionId: number; refreshToken: string } {
    const refreshToken = randomBytes(32).toString('base64url');
    const session = this.sql
      .get(
        `INSERT INTO _backand_refresh_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)
         RETURNING id`,
      )
      .get(userId, sha256(refreshToken), new Date().toISOString()) as { id: number };
    return { sessionId: Number(session.id), refreshToken };
  }

  /** The live session of a refresh token of `userId`, or undefined. */
  findSession(userId: number, refreshToken: string): number | undefined {
    const row = this.sql
      .get(
        `SELECT id FROM _backand_refresh_tokens
         WHERE token_hash = ? AND user_id = ? AND revoked_at IS NULL AND created_at > ?`,
      )
      .get(sha256(refreshToken), userId, this.oldestLiveStart()) as { id: number } | undefined;
    return row?.id;
  }

  /**
   * Replaces a session's refresh token with a new one (the old one stops working, and is kept to
   * recognise a replay: {@link revokeReplayedSession}); the session, its access tokens and its
   * maximum age stay. Returns the new token.
   */
  rotateRefreshToken(sessionId: number): string {
    const refreshToken = randomBytes(32).toString('base64url');
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.sql
        .get(
          `INSERT INTO _backand_rotated_refresh_tokens (token_hash, session_id, rotated_at)
           SELECT token_hash, id, ? FROM _backand_refresh_tokens WHERE id = ?
           ON CONFLICT DO NOTHING`,
        )
        .run(now, sessionId);
      this.sql
        .get(`UPDATE _backand_refresh_tokens SET token_hash = ? WHERE id = ?`)
        .run(sha256(refreshToken), sessionId);
    })();
    this.pruneRotated();
    return refreshToken;
  }

  /**
   * When `refreshToken` is one its session already rotated away from — a replay, so two parties
   * hold the session (a thief and its owner) — revokes that session and returns it and its user;
   * otherwise returns undefined.
   */
  revokeReplayedSession(refreshToken: string): { sessionId: number; userId: number } | undefined {
    const row = this.sql
      .get(
        `SELECT s.id AS "sessionId", s.user_id AS "userId" FROM _backand_rotated_refresh_tokens r
         JOIN _backand_refresh_tokens s ON s.id = r.session_id WHERE r.token_hash = ?`,
      )
      .get(sha256(refreshToken)) as { sessionId: number; userId: number } | undefined;
    if (row) this.revokeSession(row.sessionId);
    return row;
  }

  /** Whether a session is still live (not revoked, not older than the refresh-token lifetime). */
  isSessionLive(sessionId: number): boolean {
    return this.sessionEnd(sessionId) !== undefined;
  }

  /** When a live session ends (epoch ms), or undefined when it is revoked or over. */
  sessionEnd(sessionId: number): number | undefined {
    const row = this.sql
      .get(`SELECT created_at FROM _backand_refresh_tokens WHERE id = ? AND revoked_at IS NULL`)
      .get(sessionId) as { created_at: string } | undefined;
    if (!row) return undefined;
    const end = Date.parse(row.created_at) + this.app.refreshTokenTtlSeconds * 1000;
    return end > Date.now() ? end : undefined;
  }

  /** Ends every live session of a user (sign-out everywhere); resolves how many there were. */
  revokeSessions(userId: number): number {
    return this.sql
      .get(
        `UPDATE _backand_refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
      )
      .run(new Date().toISOString(), userId).changes;
  }

  /** Revokes a session's refresh token. */
  revokeSession(sessionId: number): void {
    this.sql
      .get(`UPDATE _backand_refresh_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`)
      .run(new Date().toISOString(), sessionId);
  }

  /**
   * Issues a one-hour password-reset token for a user. It replaces the user's earlier ones (only
   * the latest mailed link works), and expired tokens of everyone are forgotten, so the table
   * holds at most one token per user.
   */
  issueResetToken(userId: number): string {
    const token = randomBytes(24).toString('base64url');
    const now = Date.now();
    this.db.transaction(() => {
      this.sql
        .get(`DELETE FROM _backand_reset_tokens WHERE user_id = ? OR expires_at <= ?`)
        .run(userId, now);
      this.sql
        .get(`INSERT INTO _backand_reset_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)`)
        .run(sha256(token), userId, now + 3600_000);
    })();
    return token;
  }

  /** Consumes a reset token: returns its user id once, or undefined when unknown or expired. */
  consumeResetToken(token: string): number | undefined {
    const hash = sha256(token);
    const row = this.sql
      .get(`SELECT user_id, expires_at FROM _backand_reset_tokens WHERE token_hash = ?`)
      .get(hash) as { user_id: number; expires_at: number } | undefined;
    this.sql.get(`DELETE FROM _backand_reset_tokens WHERE token_hash = ?`).run(hash);
    return row && row.expires_at > Date.now() ? row.user_id : undefined;
  }

  /**
   * Forgets rotated tokens older than the refresh-token lifetime (at most once an hour): their
   * sessions are over, so a replay of them is refused anyway.
   */
  private pruneRotated(): void {
    const now = Date.now();
    if (now - this.prunedAt < 3600_000) return;
    this.prunedAt = now;
    this.sql
      .get(`DELETE FROM _backand_rotated_refresh_tokens WHERE rotated_at <= ?`)
      .run(this.oldestLiveStart());
  }

  /** Sessions that started at or before this moment (ISO) are over. */
  private oldestLiveStart(): string {
    return new Date(Date.now() - this.app.refreshTokenTtlSeconds * 1000).toISOString();
  }

  private extraValues(parameters: Record<string, unknown>): Record<string, unknown> {
    const fields = this.app.objects['users']?.fields ?? {};
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(parameters)) {
      const spec = fields[name];
      // Relations are set through the users object, where the related row is checked.
      if (!spec || name in BUILTIN_USER_FIELDS || isRelation(spec)) continue;
      out[name] = toStored('users', name, fieldTypeOf(spec), value);
    }
    return out;
  }
}
