import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '../src/testing/fixtures/cli-process';

/** The recipe operators use, run as is with the nodes and the listen port replaced. */
export const NGINX_RECIPE = path.resolve(__dirname, '../../../deploy/nginx/backand.conf');

/** The nginx binary: `NGINX`, else /usr/sbin/nginx, else `nginx` on the PATH; undefined if none. */
export function findNginx(): string | undefined {
  const candidates = [process.env['NGINX'], '/usr/sbin/nginx', '/usr/local/sbin/nginx', 'nginx'];
  for (const bin of candidates) {
    if (!bin) continue;
    const probe = spawnSync(bin, ['-v'], { stdio: 'ignore' });
    if (!probe.error && probe.status === 0) return bin;
  }
  return undefined;
}

/**
 * `describe`, or, when nginx is missing and `CI` is not set, `describe.skip` with a message.
 * On CI a missing nginx is a failure: the suite runs and {@link NginxProxy.start} throws.
 */
export function describeWithNginx(): jest.Describe {
  if (findNginx() || process.env['CI']) return describe;
  console.warn(
    'SKIPPED: nginx is not installed (apt-get install nginx-light, or set NGINX=<binary>); ' +
      'the load-balancer tests run only with it. With CI=true they fail instead.',
  );
  return describe.skip;
}

/** One line of the access log: who asked, which node answered, and what. */
export interface AccessLine {
  client: string;
  /** The node that answered last (`host:port`); `-` when none did. */
  node: string;
  status: number;
  request: string;
}

/**
 * nginx running {@link NGINX_RECIPE} in front of the given nodes, as a child process on a free
 * loopback port, with a config of its own in a temporary folder. Its access log records, for
 * each request, the client address and the node that served it.
 */
export class NginxProxy {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly dir: string,
    private readonly exited: Promise<void>,
    private readonly output: () => string,
  ) {}

  static async start(nodes: string[]): Promise<NginxProxy> {
    const bin = findNginx();
    if (!bin) {
      throw new Error(
        'The load-balancer tests need nginx (apt-get install nginx-light; .ci/run installs it), ' +
          'or NGINX=<path of the binary>.',
      );
    }
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'backand-nginx-'));
    // Worker processes may run as another user: they write temporary files here.
    chmodSync(dir, 0o755);
    writeFileSync(path.join(dir, 'backand.conf'), renderRecipe(nodes, port));
    writeFileSync(path.join(dir, 'nginx.conf'), mainConfig(dir));
    const child = spawn(
      bin,
      [
        '-e',
        'stderr',
        '-p',
        dir,
        '-c',
        path.join(dir, 'nginx.conf'),
        '-g',
        `daemon off; master_process on; pid ${path.join(dir, 'nginx.pid')}; error_log stderr;`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const proxy = new NginxProxy(child, `http://127.0.0.1:${port}`, dir, exited, () => output);
    // Ready once it accepts connections; an early exit (bad config) fails with its output.
    let failed = false;
    void exited.then(() => (failed = true));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (failed || Date.now() > deadline) {
        await proxy.stop();
        throw new Error(`nginx did not start on port ${port}:\n${output}`);
      }
      await new Promise((r) => setImmediate(r));
    }
    return proxy;
  }

  /** What nginx wrote to stderr (its error log). */
  get log(): string {
    return this.output();
  }

  /** The access log so far, parsed. */
  accessLog(): AccessLine[] {
    const file = path.join(this.dir, 'access.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const m = /^(\S+) (.+) (\d{3}) "(.*)"$/.exec(line);
        if (!m) throw new Error(`unexpected access log line: ${line}`);
        // After a retry, $upstream_addr lists every node tried: the last one answered.
        const node = m[2]!
          .split(/[,:]\s/)
          .pop()!
          .trim();
        return { client: m[1]!, node, status: Number(m[3]), request: m[4]! };
      });
  }

  /**
   * Resolves with the access log once `check` holds for it. nginx writes a line when a request
   * ends, which may be just after its response reached the client.
   */
  async waitForLog(check: (lines: AccessLine[]) => boolean, what: string): Promise<AccessLine[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const lines = this.accessLog();
      if (check(lines)) return lines;
      if (Date.now() > deadline) {
        throw new Error(`nginx's access log never showed ${what}:\n${JSON.stringify(lines)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The node that served the Socket.IO requests of `client` (it must be exactly one). */
  async nodeOf(client: string): Promise<string> {
    const lines = await this.waitForLog(
      (all) => all.some((l) => l.client === client && l.request.includes('/socket.io/')),
      `a Socket.IO request of ${client}`,
    );
    const nodes = new Set(
      lines
        .filter((l) => l.client === client && l.request.includes('/socket.io/'))
        .map((l) => l.node),
    );
    if (nodes.size !== 1) throw new Error(`${client} was served by ${[...nodes].join(' and ')}`);
    return [...nodes][0]!;
  }

  /** Stops nginx (SIGQUIT: graceful) and removes its folder. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGQUIT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The recipe with its `server` lines of the upstream replaced by `nodes` (keeping their
 * parameters) and its `listen` by the loopback port. Fails when the recipe no longer has the
 * lines this replaces.
 */
export function renderRecipe(nodes: string[], port: number): string {
  const recipe = readFileSync(NGINX_RECIPE, 'utf8');
  const servers = [...recipe.matchAll(/^(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\n/gm)];
  const listens = [...recipe.matchAll(/^(\s*)listen 80;$/gm)];
  if (!servers.length || listens.length !== 1) {
    throw new Error(`${NGINX_RECIPE}: expected "server 127.0.0.1:<port> …;" and one "listen 80;"`);
  }
  const [first] = servers;
  const indent = first![1]!;
  const params = first![2] ?? '';
  const lines = nodes.map((n) => `${indent}server ${n}${params};\n`).join('');
  let out = recipe;
  for (const m of servers.reverse()) {
    const replacement = m === first ? lines : '';
    out = out.slice(0, m.index) + replacement + out.slice(m.index! + m[0].length);
  }
  return out.replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
}

/** The main config around the recipe: the http { } block Debian's nginx.conf would be. */
function mainConfig(dir: string): string {
  const at = (name: string) => path.join(dir, name);
  return [
    // As root the workers need a user that exists everywhere; otherwise the directive is moot.
    process.getuid?.() === 0 ? 'user root;' : '',
    'worker_processes 1;',
    'events { worker_connections 1024; }',
    'http {',
    `  client_body_temp_path ${at('client_body')};`,
    `  proxy_temp_path ${at('proxy')};`,
    `  fastcgi_temp_path ${at('fastcgi')};`,
    `  uwsgi_temp_path ${at('uwsgi')};`,
    `  scgi_temp_path ${at('scgi')};`,
    `  log_format backand_test '$remote_addr $upstream_addr $status "$request"';`,
    `  access_log ${at('access.log')} backand_test;`,
    `  include ${at('backand.conf')};`,
    '}',
    '',
  ].join('\n');
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Client options that make a socket.io-client connect from `address` (any 127.x.y.z is this
 * machine), on both transports: nginx's sticky key is the client address.
 */
export function fromAddress(address: string): { agent: Agent; localAddress: string } {
  return { agent: new Agent({ localAddress: address, keepAlive: true }), localAddress: address };
}

/** A REST call from the loopback address `from`: status and JSON body. */
export function callFrom(
  from: string,
  url: string,
  token: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url + route,
      {
        method,
        localAddress: from,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            parsed = { text };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
