import type { AppDefinition } from '../app-definition/schema';
import type { Db, SqliteDb } from '../storage/database';
import { quoteIdent } from '../storage/sql';
import { canonicalUsername } from './username';

/** The version of {@link canonicalUsername} a database's names were brought to. */
const FORM = 'nfkc-casefold-1';
const META_KEY = 'username_form';
const SQL_FUNCTION = 'backand_canonical_username';

/** What bringing a database's user names to their canonical form did. */
export interface UsernameMigration {
  /** Users whose stored name was rewritten to its canonical form. */
  renamed: Array<{ id: number; from: string; to: string }>;
  /**
   * Users whose canonical name already belongs to another user (`keptBy`). They are kept as they
   * were, not merged: their sessions end and they can no longer sign in; an admin can delete
   * them or give them another name through the `users` object.
   */
  collisions: Array<{ id: number; name: string; canonical: string; keptBy: number }>;
  /** Owner-field values and file uploaders rewritten to the canonical form. */
  ownersRewritten: number;
  /** Per object, rows whose owner is the exact name of a user in `collisions` (left as they are). */
  rowsOfCollisions: Record<string, number>;
}

/**
 * Brings the user names stored by an older server (users, owner fields, file uploaders) to their
 * canonical form, once per database. Two users whose names meet in one canonical form are never
 * merged: the one already in that form, else the older one, keeps the name; the other is
 * reported in `collisions` and disabled.
 */
export function migrateUsernames(db: Db, app: AppDefinition): UsernameMigration | null {
  const isDone = () =>
    (
      db.prepare(`SELECT value FROM _backand_meta WHERE key = ?`).get(META_KEY) as
        { value: string } | undefined
    )?.value === FORM;
  if (isDone()) return null;
  if (db.dialect === 'postgres') {
    // A PostgreSQL store is made by a server that stores canonical names: nothing to migrate.
    db.prepare(
      `INSERT INTO _backand_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(META_KEY, FORM);
    return null;
  }
  (db as SqliteDb).function(SQL_FUNCTION, { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? canonicalUsername(value) : value,
  );
  const result: UsernameMigration = {
    renamed: [],
    collisions: [],
    ownersRewritten: 0,
    rowsOfCollisions: {},
  };
  // IMMEDIATE, and looked at again inside: of nodes starting at once on one file, one migrates.
  const migrated = db
    .transaction(() => {
      if (isDone()) return false;
      const users = db.prepare(`SELECT id, email FROM users ORDER BY id`).all() as Array<{
        id: number;
        email: string | null;
      }>;
      // Who keeps each canonical name: the oldest user already spelt that way, else the oldest.
      const holder = new Map<string, number>();
      for (const canonicalOnly of [true, false]) {
        for (const u of users) {
          if (typeof u.email !== 'string') continue;
          const canonical = canonicalUsername(u.email);
          if ((!canonicalOnly || canonical === u.email) && !holder.has(canonical)) {
            holder.set(canonical, u.id);
          }
        }
      }
      const rename = db.prepare(`UPDATE users SET email = ? WHERE id = ?`);
      const endSessions = db.prepare(
        `UPDATE _backand_refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
      );
      const dropResets = db.prepare(`DELETE FROM _backand_reset_tokens WHERE user_id = ?`);
      for (const u of users) {
        if (typeof u.email !== 'string') continue;
        const canonical = canonicalUsername(u.email);
        const keptBy = holder.get(canonical)!;
        if (keptBy === u.id) {
          if (canonical === u.email) continue;
          rename.run(canonical, u.id);
          result.renamed.push({ id: u.id, from: u.email, to: canonical });
          continue;
        }
        // Disabled: its name stays out of canonical form, which no sign-in or token accepts. An
        // exact copy of the name (two sign-ups that raced) gets a marked name, kept unique.
        let name = u.email;
        if (canonical === u.email) {
          name = `${u.email} (DISABLED, same name as user ${keptBy})`;
          rename.run(name, u.id);
        }
        endSessions.run(new Date().toISOString(), u.id);
        dropResets.run(u.id);
        result.collisions.push({ id: u.id, name, canonical, keptBy });
      }
      const disabled = result.collisions.map((c) => c.name);
      const among = `IN (${disabled.map(() => '?').join(', ')})`;
      const rewrite = (table: string, column: string): void => {
        const col = quoteIdent(column);
        const info = db
          .prepare(
            `UPDATE ${quoteIdent(table)} SET ${col} = ${SQL_FUNCTION}(${col})
           WHERE typeof(${col}) = 'text' AND ${col} <> ${SQL_FUNCTION}(${col})
           ${disabled.length ? `AND ${col} NOT ${among}` : ''}`,
          )
          .run(...disabled);
        result.ownersRewritten += info.changes;
      };
      for (const [name, object] of Object.entries(app.objects)) {
        if (!object.ownerField || name === 'users') continue;
        rewrite(name, object.ownerField);
        if (disabled.length) {
          const { n } = db
            .prepare(
              `SELECT COUNT(*) AS n FROM ${quoteIdent(name)} WHERE ${quoteIdent(object.ownerField)} ${among}`,
            )
            .get(...disabled) as { n: number };
          if (n > 0) result.rowsOfCollisions[name] = n;
        }
      }
      rewrite('_backand_files', 'uploader');
      db.prepare(
        `INSERT INTO _backand_meta (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ).run(META_KEY, FORM);
      return true;
    })
    .immediate();
  return migrated ? result : null;
}

/** Log lines for an operator: what changed, and each collision with what to do about it. */
export function describeMigration(m: UsernameMigration): string[] {
  const lines: string[] = [];
  if (m.renamed.length || m.ownersRewritten) {
    lines.push(
      `User names brought to their canonical form: ${m.renamed.length} users, ${m.ownersRewritten} owner values.`,
    );
  }
  for (const c of m.collisions) {
    lines.push(
      `User ${c.id} "${c.name}" is the same name as user ${c.keptBy} ("${c.canonical}") and was disabled, not merged: ` +
        `its sessions ended and it cannot sign in. Delete it, or give it another name, through the users object.`,
    );
  }
  for (const [object, n] of Object.entries(m.rowsOfCollisions)) {
    lines.push(
      `${n} rows of "${object}" are owned by a disabled user name; an admin can reassign or delete them.`,
    );
  }
  return lines;
}
