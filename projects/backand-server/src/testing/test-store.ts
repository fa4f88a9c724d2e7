import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';

/**
 * The PostgreSQL database the server's suites run against (`npm run test:postgres`), or
 * undefined: the default, SQLite.
 */
export const TEST_DATABASE_URL = process.env['BACKAND_TEST_DATABASE_URL'] || undefined;

/** Prefix of the schemas made for tests (dropped when their server closes, or by teardown). */
export const TEST_SCHEMA_PREFIX = 'backand_test_';

/**
 * This run's part of the schema names (set by the global setup of `test:postgres`), so that
 * runs side by side on one database (a developer's and CI's) never drop each other's schemas.
 */
function runPrefix(): string {
  return `${TEST_SCHEMA_PREFIX}${process.env['BACKAND_TEST_RUN'] ?? 'adhoc'}_`;
}

/** Names this run (the global setup calls it; the test workers inherit the environment). */
export function startTestRun(): void {
  process.env['BACKAND_TEST_RUN'] ??= randomBytes(4).toString('hex');
}

/**
 * The `db` a test's server opens. On SQLite, `db` as given. On PostgreSQL: `:memory:` becomes a
 * schema of its own, and a file becomes a schema named after the file, so a test that restarts
 * a server on the same file finds its rows again. A PostgreSQL URL stays as it is.
 */
export function testDb(db = ':memory:'): string {
  if (!TEST_DATABASE_URL || /^postgres(ql)?:/.test(db)) return db;
  const name =
    db === ':memory:'
      ? randomBytes(8).toString('hex')
      : createHash('sha256').update(db).digest('hex').slice(0, 16);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', `${runPrefix()}${name}`);
  return url.toString();
}

/**
 * Where a test server keeps uploads and mails. On SQLite the server's defaults (beside the file;
 * a temporary folder for `:memory:`). On PostgreSQL the same places beside a file, and for
 * `:memory:` a temporary folder made here (`dispose` removes it), so that no test shares the
 * server's default folders in the current directory.
 */
export function testDataDirs(db = ':memory:'): {
  dirs: { filesDir?: string; mailDir?: string };
  dispose: () => void;
} {
  if (!TEST_DATABASE_URL || /^postgres(ql)?:/.test(db)) return { dirs: {}, dispose: () => {} };
  if (db === ':memory:') {
    const dir = mkdtempSync(path.join(tmpdir(), 'backand-test-data-'));
    return {
      dirs: { filesDir: path.join(dir, 'files'), mailDir: path.join(dir, 'mail') },
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = path.join(path.dirname(db), path.basename(db, path.extname(db)));
  return { dirs: { filesDir: `${base}-files`, mailDir: `${base}-mail` }, dispose: () => {} };
}

/** Drops the schema of a {@link testDb} URL (nothing on SQLite). */
export async function dropTestDb(db: string): Promise<void> {
  if (!TEST_DATABASE_URL || !db.startsWith('postgres')) return;
  const schema = new URL(db).searchParams.get('schema');
  if (!schema?.startsWith(TEST_SCHEMA_PREFIX)) return;
  await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** Drops every schema this run made (at its end). */
export async function dropAllTestDbs(): Promise<void> {
  if (!TEST_DATABASE_URL) return;
  await withClient(async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)`,
      [runPrefix()],
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  });
}

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
