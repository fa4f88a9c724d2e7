import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OLD_APP } from './old-client-app';

const root = join(__dirname, '..', '..');

interface RunningServer {
  url: string;
  close(): Promise<void>;
}

type StartServer = (options: {
  app: object;
  port: number;
  host: string;
  db: string;
  logLevel: string;
  corsOrigins: string[];
}) => Promise<RunningServer>;

/**
 * backand-server (the compiled one) with the old-client suite's app, allowing only the
 * page's origin, on a SQLite file in a fresh temp folder.
 */
export async function startOldClientApi(pageOrigin: string): Promise<{
  url: string;
  dispose(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'old-client-api-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startServer } = require(join(root, 'projects/backand-server/dist/index.js')) as {
    startServer: StartServer;
  };
  const server = await startServer({
    app: OLD_APP,
    port: 0,
    host: '127.0.0.1',
    db: join(dir, 'old.db'),
    logLevel: 'silent',
    corsOrigins: [pageOrigin],
  });
  return {
    url: server.url,
    async dispose() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A direct REST call from the test (not the page): `{status, body}`. */
export async function rest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? '' : (JSON.parse(text) as unknown) };
}

/** Signs in through `/token` and answers the `Authorization` value. */
export async function bearerOf(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      username,
      password,
      appName: OLD_APP.appName,
      grant_type: 'password',
    }),
  });
  if (!res.ok) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
}
