import { createReadStream, existsSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * A built single-page app served from its own origin, with no API behind it, as a CDN or an
 * nginx in front of the app would serve it: files as they are, `index.html` for navigations,
 * and a plain 404 for anything else (so a call the app wrongly makes to its own origin fails).
 */
export class StaticSite {
  private constructor(
    private readonly server: Server,
    /** The app's origin, e.g. `http://127.0.0.1:41235`. */
    readonly url: string,
  ) {}

  /** Serves `root` on a free port of 127.0.0.1. */
  static async start(root: string): Promise<StaticSite> {
    if (!existsSync(join(root, 'index.html'))) {
      throw new Error(`${root} has no index.html: build the demo first (ng build demo)`);
    }
    const server = createServer((req, res) => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = normalize(join(root, pathname));
      const inside = file === root || file.startsWith(root + sep);
      const found = inside && existsSync(file) && statSync(file).isFile();
      const navigation = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
      const path = found ? file : navigation ? join(root, 'index.html') : undefined;
      if (req.method !== 'GET' || !path) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      createReadStream(path).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new StaticSite(server, `http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
