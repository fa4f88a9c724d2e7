import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port of 127.0.0.1 (closed again, for a child process to take). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The built SSR app's own server (`dist/<app>/server/server.mjs`, Express + Angular's
 * `AngularNodeAppEngine`), run as its users run it: `node server.mjs` with `PORT`, by the Node
 * the matrix names.
 */
export class SsrServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    /** The app's origin, e.g. `http://127.0.0.1:41237`. */
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** What the server printed so far (its errors and warnings included). */
  get log(): string {
    return this.output;
  }

  /** Starts `node entry` on a free port; resolves once it listens. */
  static async start(entry: string, node: string): Promise<SsrServer> {
    const port = await freePort();
    const child = spawn(node, [entry], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new SsrServer(child, `http://127.0.0.1:${port}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${entry} did not start:\n${server.log}`)),
        30_000,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${entry} exited with ${code}:\n${server.log}`));
      });
      child.stdout?.on('data', () => {
        if (server.log.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return server;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
