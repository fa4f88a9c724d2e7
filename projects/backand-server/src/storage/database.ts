import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';

/** The better-sqlite3 connection type used across the server. */
export type Db = Database.Database;

/**
 * Opens (or creates) the SQLite database: WAL journal for concurrent readers and crash safety,
 * and the server's internal tables (prefixed `_backand_`), each created when missing, so a
 * database from an older version gains the tables added since.
 *
 * Several processes may open one file at once (the nodes of a one-machine cluster): a writer
 * waits up to {@link BUSY_TIMEOUT_MS} for another's lock, and the internal tables are made in
 * one `BEGIN IMMEDIATE` transaction, so nodes starting together do not race.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  // First: switching to WAL takes a lock another process starting at once may hold.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.transaction(() => createInternalTables(db)).immediate();
  return db;
}

/** How long a write waits for another connection's (or process's) lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

function createInternalTables(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS _backand_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS _backand_credentials (
      user_id INTEGER PRIMARY KEY, password_hash TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS _backand_refresh_tokens (
      id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, token_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL, revoked_at TEXT);
    CREATE TABLE IF NOT EXISTS _backand_rotated_refresh_tokens (
      token_hash TEXT PRIMARY KEY, session_id INTEGER NOT NULL, rotated_at TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS _backand_rotated_refresh_tokens_at
      ON _backand_rotated_refresh_tokens (rotated_at);
    CREATE TABLE IF NOT EXISTS _backand_reset_tokens (
      token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS _backand_files (
      object TEXT NOT NULL, filename TEXT NOT NULL, uploader TEXT, upload_id TEXT,
      PRIMARY KEY (object, filename));
    CREATE TABLE IF NOT EXISTS _backand_user_tokens (
      id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL UNIQUE,
      token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
  `);
  // Databases made before signed file links have no upload_id: their rows keep NULL.
  addMissingColumn(db, '_backand_files', 'upload_id', 'TEXT');
}

/** Adds a column to an internal table made by an earlier version. */
function addMissingColumn(db: Db, table: string, column: string, type: string): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === column)) {
    db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}

/** Closes the database, folding the WAL back into the main file first. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    if (db.name !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/**
 * The app's signing secret (the JWT key; the key of signed file links is derived from it): the
 * definition's `secret` when given, otherwise one generated once and kept in the database so
 * tokens and links survive a restart on the same file (not with `:memory:`).
 */
export function signingSecret(db: Db, configured: string | undefined): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  // Nodes starting at once on one file: the first one's secret is kept, the others read it.
  db.prepare(`INSERT OR IGNORE INTO _backand_meta (key, value) VALUES ('jwt_secret', ?)`).run(
    randomBytes(32).toString('base64'),
  );
  const row = db.prepare(`SELECT value FROM _backand_meta WHERE key = 'jwt_secret'`).get() as {
    value: string;
  };
  return Buffer.from(row.value, 'base64');
}
