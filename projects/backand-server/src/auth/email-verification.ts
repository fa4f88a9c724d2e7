import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../storage/database';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Users whose e-mail address awaits verification (Backand's sign-up status 2, "waiting for the
 * user to respond to a verification email"). A user with a pending row may not sign in; following
 * the link (its one-time token) or resetting the password through a mailed token verifies it.
 * Tokens are stored hashed.
 */
export class EmailVerification {
  /** The table is one of the internal tables (`storage/database.ts`). */
  constructor(private readonly db: Db) {}

  /** Marks a user as pending and returns the token of the link to mail (replacing any other). */
  issue(userId: number, ttlSeconds: number): string {
    const token = randomBytes(24).toString('base64url');
    this.db
      .prepare(
        `INSERT INTO _backand_email_verifications (user_id, token_hash, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, expires_at = excluded.expires_at`,
      )
      .run(userId, sha256(token), Date.now() + ttlSeconds * 1000);
    return token;
  }

  /** Whether a user still has to verify the address. */
  isPending(userId: number): boolean {
    return !!this.db
      .prepare(`SELECT 1 FROM _backand_email_verifications WHERE user_id = ?`)
      .get(userId);
  }

  /**
   * Verifies the user of a token: returns the user id, or undefined for an unknown or expired
   * token (an expired one stays pending: a password reset still verifies the user).
   */
  consume(token: string): number | undefined {
    const row = this.db
      .prepare(`SELECT user_id, expires_at FROM _backand_email_verifications WHERE token_hash = ?`)
      .get(sha256(token)) as { user_id: number; expires_at: number } | undefined;
    if (!row || row.expires_at <= Date.now()) return undefined;
    this.verified(row.user_id);
    return row.user_id;
  }

  /** Ends the pending state of a user (the mailbox was proven another way, or the user left). */
  verified(userId: number): void {
    this.db.prepare(`DELETE FROM _backand_email_verifications WHERE user_id = ?`).run(userId);
  }
}
