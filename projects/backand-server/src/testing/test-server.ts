import type { AppDefinition, AppDefinitionInput } from '../app-definition/schema';
import { startServer } from '../server';
import type { RunningServer, ServerOptions } from '../server-options';
import { dropTestDb, testDataDirs, testDb } from './test-store';

/** The `/token` success body. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  appName: string;
  username: string;
  role: string;
  firstName: string;
  lastName: string;
  fullName: string;
  regId: number;
  userId: string;
  refresh_token: string;
}

/**
 * Starts a server for a test: free port on 127.0.0.1, in-memory database, silent log.
 * Close it in `afterAll`. With `BACKAND_TEST_DATABASE_URL`, the database is a PostgreSQL
 * schema instead (see {@link testDb}); an in-memory one's is dropped when the server closes.
 *
 * @example
 * const server = await startTestServer();
 * const { access_token } = await signIn(server.url, 'ann@demo.test', 'ann-password');
 */
export async function startTestServer(
  app?: AppDefinition | AppDefinitionInput,
  opts: Partial<ServerOptions> = {},
): Promise<RunningServer> {
  const db = testDb(opts.db);
  const data = testDataDirs(opts.db);
  const server = await startServer({
    ...(app !== undefined ? { app } : {}),
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    ...data.dirs,
    ...opts,
    db,
  }).catch((err: unknown) => {
    data.dispose();
    throw err;
  });
  if (opts.db !== undefined && opts.db !== ':memory:') return server;
  const close = server.close;
  return {
    ...server,
    close: () => close().then(() => (data.dispose(), dropTestDb(db))),
  };
}

/**
 * Signs in through `POST /token` (form-urlencoded, as Backand clients do).
 * @throws Error with the status and body when the sign-in fails.
 */
export async function signIn(
  url: string,
  username: string,
  password: string,
  appName = 'demo',
): Promise<TokenResponse> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, appName, grant_type: 'password' }).toString(),
  });
  const body = (await response.json()) as unknown;
  if (response.status !== 200) {
    throw new Error(`sign-in of ${username} failed: ${response.status} ${JSON.stringify(body)}`);
  }
  return body as TokenResponse;
}
