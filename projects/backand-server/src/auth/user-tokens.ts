import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../storage/database';
import { StatementCache } from '../storage/statement-cache';
import { sameSecret } from './identity';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What a user token stands for: its user, and the issue it belongs to. */
export interface UserTokenGrant {
  userId: number;
  /** Changes each time the user's token is issued again: a socket logged in with it notices. */
  tokenId: number;
}

/**
 * Per-user tokens: Backand's "user token", the second half of
 * `Authorization: Basic base64(masterToken:userToken)`, which authenticates as that user.
 * Each user has at most one; issuing a new one replaces it. Only its SHA-256 hash is stored, so
 * the token is shown once, to whoever issued it (the user or an admin).
 *
 * @example
 * const token = userTokens.issue(user.id); // answer it to the caller, never log it
 * userTokens.find(token); // { userId, tokenId }
 */
export class UserTokens {
  private readonly sql: StatementCache;

  constructor(private readonly db: Db) {
    this.sql = new StatementCache(db);
  }

  /** Issues a new token for a user, replacing the previous one. */
  issue(userId: number): string {
    const token = randomBytes(32).toString('base64url');
    // A new row (a new id), so sockets logged in with the previous token can tell.
    this.db.transaction(() => {
      this.revoke(userId);
      this.sql
        .get(`INSERT INTO _backand_user_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)`)
        .run(userId, sha256(token), new Date().toISOString());
    })();
    return token;
  }

  /** Revokes a user's token. Answers whether there was one. */
  revoke(userId: number): boolean {
    return (
      this.sql.get(`DELETE FROM _backand_user_tokens WHERE user_id = ?`).run(userId).changes > 0
    );
  }

  /** The user of a token, or undefined when it is not (or no longer) a user's token. */
  find(token: string): UserTokenGrant | undefined {
    if (token === '') return undefined;
    const hash = sha256(token);
    const row = this.sql
      .get(`SELECT id, user_id, token_hash FROM _backand_user_tokens WHERE token_hash = ?`)
      .get(hash) as { id: number; user_id: number; token_hash: string } | undefined;
    // The lookup is by hash; the comparison still takes the same time whatever matches.
    if (!row || !sameSecret(hash, row.token_hash)) return undefined;
    return { userId: row.user_id, tokenId: row.id };
  }

  /** Whether `tokenId` is still the user's current token. */
  isLive(userId: number, tokenId: number): boolean {
    return (
      this.sql
        .get(`SELECT 1 FROM _backand_user_tokens WHERE user_id = ? AND id = ?`)
        .get(userId, tokenId) !== undefined
    );
  }
}
