import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { Db } from './db';
import { PgDatabase, isPostgresUrl } from './postgres/pg-database';
import { idColumn, tableColumns } from './sql';

export type { Db } from './db';

/** A SQLite database as the server uses it: better-sqlite3's, with its {@link Db.dialect}. */
export type SqliteDb = Database.Database & { readonly dialect: 'sqlite' };

/**
 * Opens the store: PostgreSQL for a `postgres://` URL (see {@link PgDatabase}), else the
 * SQLite file (made when missing; `:memory:` for one that lives as long as the server). The
 * server's internal tables (prefixed `_backand_`) are made when missing, so a database from an
 * older version gains the tables added since.
 *
 * SQLite: WAL journal for concurrent readers and crash safety. Several processes may open one
 * file at once (the nodes of a one-machine cluster): a writer waits up to
 * {@link BUSY_TIMEOUT_MS} for another's lock, and the internal tables are made in one
 * `BEGIN IMMEDIATE` transaction, so nodes starting together do not race. PostgreSQL: nodes
 * starting together take turns on an advisory lock.
 */
export function openDatabase(location: string): Db {
  if (isPostgresUrl(location)) {
    const db = new PgDatabase(location);
    try {
      db.transaction(() => {
        lockSchema(db);
        createInternalTables(db);
        createSqliteFunctions(db);
      })();
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }
  const db = Object.assign(new Database(location), { dialect: 'sqlite' as const });
  // First: switching to WAL takes a lock another process starting at once may hold.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (location !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.transaction(() => createInternalTables(db)).immediate();
  return db;
}

/** How long a write waits for another connection's (or process's) lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * In a transaction on PostgreSQL: waits for other nodes' schema changes (table and column
 * creation) and keeps theirs waiting until this transaction ends. SQLite's `BEGIN IMMEDIATE`
 * does the same there.
 */
export function lockSchema(db: Db): void {
  if (db.dialect === 'postgres') {
    db.prepare(`SELECT pg_advisory_xact_lock(hashtext('backand:schema'))`).get();
  }
}

function createInternalTables(db: Db): void {
  const id = idColumn(db.dialect);
  db.exec(`
    CREATE TABLE IF NOT EXISTS _backand_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS _backand_credentials (
      user_id INTEGER PRIMARY KEY, password_hash TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS _backand_refresh_tokens (
      ${id}, user_id INTEGER NOT NULL, token_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL, revoked_at TEXT);
    CREATE TABLE IF NOT EXISTS _backand_rotated_refresh_tokens (
      token_hash TEXT PRIMARY KEY, session_id INTEGER NOT NULL, rotated_at TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS _backand_rotated_refresh_tokens_at
      ON _backand_rotated_refresh_tokens (rotated_at);
    CREATE TABLE IF NOT EXISTS _backand_reset_tokens (
      token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS _backand_files (
      object TEXT NOT NULL, filename TEXT NOT NULL, uploader TEXT, upload_id TEXT,
      PRIMARY KEY (object, filename));
    CREATE TABLE IF NOT EXISTS _backand_user_tokens (
      ${id}, user_id INTEGER NOT NULL UNIQUE,
      token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS _backand_email_verifications (
      user_id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, expires_at BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS _backand_job_ticks (
      job TEXT NOT NULL, tick TEXT NOT NULL, PRIMARY KEY (job, tick));
  `);
  // Databases made before signed file links have no upload_id: their rows keep NULL.
  if (!tableColumns(db, '_backand_files').includes('upload_id')) {
    db.exec(`ALTER TABLE _backand_files ADD COLUMN upload_id TEXT`);
  }
}

/**
 * PostgreSQL versions of the SQLite functions the server's SQL uses: `json_valid(text)` and
 * `json_extract(text, path)` for a number (`point` fields are stored as JSON `[lat, lng]`
 * text; neither raises on malformed text, as SQLite's `json_valid` does not), and the
 * aggregate `group_concat(text)` (comma-separated, nulls skipped).
 */
function createSqliteFunctions(db: Db): void {
  db.exec(`
    CREATE OR REPLACE FUNCTION json_valid(value text) RETURNS boolean
      LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN RETURN value IS NOT NULL AND value::jsonb IS NOT NULL;
      EXCEPTION WHEN others THEN RETURN false; END $$;
    CREATE OR REPLACE FUNCTION json_extract(value text, path text) RETURNS double precision
      LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN RETURN (jsonb_path_query_first(value::jsonb, path::jsonpath) #>> '{}')::double precision;
      EXCEPTION WHEN others THEN RETURN NULL; END $$;
    CREATE OR REPLACE FUNCTION backand_group_concat_step(acc text, value text) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE WHEN value IS NULL THEN acc WHEN acc IS NULL THEN value
        ELSE acc || ',' || value END $$;
    CREATE OR REPLACE AGGREGATE group_concat(text) (
      SFUNC = backand_group_concat_step, STYPE = text);
  `);
}

/** Closes the database (SQLite: folding the WAL back into the main file first). */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    if (db.dialect === 'sqlite') {
      const sqlite = db as SqliteDb;
      if (sqlite.name !== ':memory:') sqlite.pragma('wal_checkpoint(TRUNCATE)');
    }
  } finally {
    db.close();
  }
}

/**
 * The app's signing secret (the JWT key; the key of signed file links is derived from it): the
 * definition's `secret` when given, otherwise one generated once and kept in the database so
 * tokens and links survive a restart (not with `:memory:`).
 */
export function signingSecret(db: Db, configured: string | undefined): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  // Nodes starting at once on one database: the first one's secret is kept, the others read it.
  db.prepare(
    `INSERT INTO _backand_meta (key, value) VALUES ('jwt_secret', ?) ON CONFLICT DO NOTHING`,
  ).run(randomBytes(32).toString('base64'));
  const row = db.prepare(`SELECT value FROM _backand_meta WHERE key = 'jwt_secret'`).get() as {
    value: string;
  };
  return Buffer.from(row.value, 'base64');
}
