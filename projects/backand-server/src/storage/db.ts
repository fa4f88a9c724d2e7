/** The SQL dialect of a store: SQLite (the default, a file) or PostgreSQL (`postgres://…`). */
export type Dialect = 'sqlite' | 'postgres';

/** What a writing statement reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/**
 * A prepared statement. Positional parameters (`?`), or one object binding named parameters
 * (`:name`). Synchronous, as better-sqlite3's are.
 */
export interface Statement {
  /** Whether the statement returns rows (a query, or a write with `RETURNING`). */
  readonly reader: boolean;
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as better-sqlite3 types it
type AnyFunction = (...args: any[]) => unknown;

/** A function run in a transaction; `.immediate` takes the write lock at once (SQLite). */
export interface Transaction<F extends AnyFunction> {
  (...args: ArgumentTypes<F>): ReturnType<F>;
  immediate(...args: ArgumentTypes<F>): ReturnType<F>;
}
type ArgumentTypes<F extends AnyFunction> = F extends (...args: infer A) => unknown ? A : never;

/**
 * The server's connection to its store. better-sqlite3's `Database` has this shape; the
 * PostgreSQL store (`storage/postgres`) gives the same synchronous interface over `pg`.
 * SQL is written once for both, with the few differences asked of {@link Db.dialect}
 * (see `storage/dialect.ts`).
 */
export interface Db {
  readonly dialect: Dialect;
  readonly open: boolean;
  prepare(sql: string): Statement;
  /** Runs SQL without parameters (several statements allowed). */
  exec(sql: string): unknown;
  /**
   * Wraps `fn` so that each call runs in a transaction: committed when it returns, rolled back
   * when it throws. Nested calls use savepoints.
   */
  transaction<F extends AnyFunction>(fn: F): Transaction<F>;
  close(): unknown;
}
