import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createClient } from 'redis';
import { CliProcess } from '../src/testing/fixtures/cli-process';

/** The Redis the cluster tests use: `REDIS_URL`, else the machine's default port. */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** The PostgreSQL database the nodes share: `DATABASE_URL`, else the machine's default. */
export const DATABASE_URL =
  process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The store of a cluster run: PostgreSQL (a schema of the run's own in {@link DATABASE_URL}),
 * or with `BACKAND_CLUSTER_STORE=sqlite` one SQLite file that every node opens (nodes on one
 * machine).
 */
const STORE = process.env['BACKAND_CLUSTER_STORE'] === 'sqlite' ? 'sqlite' : 'postgres';

export const APP_FILE = path.join(__dirname, 'cluster-app.json');
export const APP_NAME = 'cluster';
export const ANON = 'cluster-anonymous-token';

/**
 * Three (or `count`) real `backand-server` processes on one PostgreSQL database (a schema of this
 * run's own; see {@link STORE}), one uploads folder and one Redis, under a key prefix of their
 * own (all removed by {@link stop}). They start at the same time, so their schema sync,
 * migration and seeding race on the fresh database, as nodes of a deployment do.
 */
export class ClusterNodes {
  private constructor(
    readonly nodes: CliProcess[],
    readonly dir: string,
    readonly db: string,
    readonly prefix: string,
  ) {}

  static async start(count = 3, extraArgs: string[] = []): Promise<ClusterNodes> {
    await ClusterNodes.checkRedis();
    const dir = mkdtempSync(path.join(tmpdir(), 'backand-cluster-'));
    const run = randomBytes(6).toString('hex');
    let db = path.join(dir, 'cluster.db');
    if (STORE === 'postgres') {
      await ClusterNodes.checkPostgres();
      const url = new URL(DATABASE_URL);
      url.searchParams.set('schema', `backand_cluster_${run}`);
      db = url.toString();
    }
    const prefix = `backand-test:${run}:`;
    const cluster = new ClusterNodes([], dir, db, prefix);
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => cluster.launch(extraArgs)),
    );
    for (const s of started) if (s.status === 'fulfilled') cluster.nodes.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await cluster.stop();
      throw (failed as PromiseRejectedResult).reason;
    }
    return cluster;
  }

  /**
   * Starts one more node on the same database and Redis prefix: on a free port unless `port` is
   * given, with `redisUrl` instead of {@link REDIS_URL} when given (another Redis user).
   */
  launch(extraArgs: string[] = [], opts: { port?: number; redisUrl?: string } = {}) {
    return CliProcess.start(
      [
        '--app',
        APP_FILE,
        // The database every node shares: the only place it is named.
        '--db',
        this.db,
        '--files-dir',
        path.join(this.dir, 'files'),
        '--redis',
        opts.redisUrl ?? REDIS_URL,
        '--redis-prefix',
        this.prefix,
        '--log-level',
        'warn',
        ...extraArgs,
      ],
      'http',
      opts.port,
    );
  }

  /**
   * Stops node `index` gracefully (SIGTERM; it must exit with status 0), then starts it again on
   * the same port with the same arguments. Resolves with the new process.
   */
  async restart(index: number, extraArgs: string[] = []): Promise<CliProcess> {
    const old = this.nodes[index]!;
    const exit = await old.stop('SIGTERM');
    if (exit.code !== 0) {
      throw new Error(
        `node ${index} did not stop cleanly (${JSON.stringify(exit)}):\n${old.output}`,
      );
    }
    const node = await this.launch(extraArgs, { port: Number(new URL(old.url).port) });
    this.nodes[index] = node;
    return node;
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  /** `host:port` of every node, as a load balancer names them. */
  get addresses(): string[] {
    return this.nodes.map((n) => new URL(n.url).host);
  }

  /** Kills every node, removes the files, this run's schema and its Redis keys. */
  async stop(): Promise<void> {
    for (const node of this.nodes) node.kill();
    await Promise.all(this.nodes.map((n) => n.exited));
    rmSync(this.dir, { recursive: true, force: true });
    const schema = STORE === 'postgres' ? new URL(this.db).searchParams.get('schema') : null;
    if (schema) {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    }
    const client = createClient({ url: REDIS_URL });
    client.on('error', () => undefined);
    await client.connect();
    try {
      for await (const keys of client.scanIterator({ MATCH: `${this.prefix}*`, COUNT: 500 })) {
        if (keys.length) await client.del(keys);
      }
    } finally {
      await client.close();
    }
  }

  private static async checkPostgres(): Promise<void> {
    const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
    } catch (err) {
      throw new Error(
        `npm run test:cluster needs PostgreSQL at ${DATABASE_URL} (set DATABASE_URL; .ci/run starts one): ${String(err)}`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private static async checkRedis(): Promise<void> {
    const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      throw new Error(
        `npm run test:cluster needs Redis at ${REDIS_URL} (set REDIS_URL; .ci/run starts one): ${String(err)}`,
      );
    } finally {
      if (client.isOpen) await client.close();
    }
  }
}

/** Signs in through REST on `url`; resolves with the access token. */
export async function signIn(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, appName: APP_NAME, grant_type: 'password' }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username} on ${url}: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The status and JSON body of a REST call. */
export async function call(
  url: string,
  token: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url + route, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  } catch {
    throw new Error(`${method} ${url}${route}: ${res.status} ${text.slice(0, 200)}`);
  }
}

/**
 * Resolves when a node has printed `text` after the first `from` characters of its output
 * (looked at as the output grows); rejects when the node exits first.
 */
export function printed(node: CliProcess, text: string, from = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (!node.output.slice(from).includes(text)) return;
      clearInterval(timer);
      resolve();
    }, 50);
    void node.exited.then((exit) => {
      clearInterval(timer);
      reject(new Error(`node exited (${JSON.stringify(exit)}):\n${node.output}`));
    });
  });
}
