import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain HTTP forwarder in front of backand-server that writes down every request it passes
 * on, and refuses WebSocket upgrades (after writing them down too). Put between a server-side
 * render and the API, it shows what the render asked for: the REST reads, and whether a
 * Socket.IO connection was attempted (`/socket.io/…`, by polling or by upgrade).
 */
export class RecordingProxy {
  /** `METHOD /path?query` of each request, `UPGRADE /path` of each upgrade, in order. */
  readonly requests: string[] = [];
  private readonly server = createServer((req, res) => this.forward(req, res));
  private port = 0;

  private constructor(private readonly upstream: URL) {
    this.server.on('upgrade', (req, socket) => {
      this.requests.push(`UPGRADE ${req.url}`);
      socket.destroy();
    });
  }

  /** Starts a proxy to `target` (an origin) on a free port of 127.0.0.1. */
  static async start(target: string): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(new URL(target));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  /** Where the proxy listens, e.g. `http://127.0.0.1:41236`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The requests whose path starts with `prefix`. */
  to(prefix: string): string[] {
    return this.requests.filter((line) => line.split(' ')[1]?.startsWith(prefix));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(`${req.method} ${req.url}`);
    const upstream = request(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstream);
  }
}
