import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** The part of backand-server's `RunningServer` the tests use. */
interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

type StartServer = (options: {
  port?: number;
  host?: string;
  db?: string;
  staticDir?: string;
  logLevel?: string;
  corsOrigins?: string[];
}) => Promise<RunningServer>;

/** The built demo (by the global setup). */
export const DEMO_DIR = join(root, 'dist/demo/browser');

/** Options of {@link DemoServer}. */
export interface DemoServerOptions {
  /** Serve the built demo from the API's origin too (default true); false = the API alone. */
  serveDemo?: boolean;
  /** The server's `corsOrigins`: the browser origins allowed; default any. */
  corsOrigins?: string[];
}

/**
 * backand-server with the built-in demo app, serving the built demo from the same origin
 * (unless told not to), on a SQLite file in a fresh temp folder. It can be stopped and started again on the same
 * port and the same file, as a real restart would.
 */
export class DemoServer {
  private readonly dir = mkdtempSync(join(tmpdir(), 'ngx-backand-e2e-'));
  private readonly db = join(this.dir, 'demo.db');
  private running: RunningServer | null = null;
  private port = 0;

  constructor(private readonly options: DemoServerOptions = {}) {}

  /** The origin of the demo and its API, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server: on a free port the first time, on the same port afterwards. */
  async start(): Promise<void> {
    if (this.running) return;
    // The compiled server (built by `npm install`'s postinstall, or by the global setup).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startServer } = require(join(root, 'projects/backand-server/dist/index.js')) as {
      startServer: StartServer;
    };
    this.running = await startServer({
      port: this.port,
      host: '127.0.0.1',
      db: this.db,
      ...(this.options.serveDemo === false ? {} : { staticDir: DEMO_DIR }),
      ...(this.options.corsOrigins ? { corsOrigins: this.options.corsOrigins } : {}),
      logLevel: 'silent',
    });
    this.port = this.running.port;
  }

  /** Stops the server; pages stay open and see their socket drop. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    await running?.close();
  }

  /** Stops the server and removes its database. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
