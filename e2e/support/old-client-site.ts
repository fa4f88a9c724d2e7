import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticSite } from './static-site';

const root = join(__dirname, '..', '..');

/** Backand's own browser client, as published (devDependency). */
export const VANILLA_SDK = join(root, 'node_modules/@backand/vanilla-sdk/dist/backand.js');
/** socket.io-client 2.x (an Engine.IO v3 client), the browser build (devDependency alias). */
export const SOCKET_IO_2 = join(root, 'node_modules/socket.io-client-legacy/dist/socket.io.js');
/** socket.io-client 1.4.5, the version Backand's example page loads (devDependency alias). */
export const SOCKET_IO_1 = join(root, 'node_modules/socket.io-client-1/socket.io.js');

/**
 * The page of an app written for hosted Backand, as Backand's example page is built: the
 * Socket.IO client as the global `io`, then `backand.js`, on its own origin. `settle` turns the
 * client's promises into plain values the test can read (`{ok, status, data, …}`).
 */
const pageHtml = (socketIoScript: string) => `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>old Backand app</title></head>
  <body>
    <h1>old Backand app</h1>
    <script src="./${socketIoScript}"></script>
    <script src="./backand.js"></script>
    <script>
      window.events = [];
      window.settle = function (promise) {
        return promise.then(
          function (r) {
            return { ok: true, status: r.status, data: r.data, totalRows: r.totalRows, relatedObjects: r.relatedObjects };
          },
          function (e) {
            return { ok: false, status: e && e.status, data: e && e.data };
          }
        );
      };
      window.listen = function (names) {
        names.forEach(function (name) {
          backand.on(name, function (data) { window.events.push({ event: name, data: data === undefined ? null : data }); });
        });
      };
    </script>
  </body>
</html>
`;

/**
 * A static site on its own origin (127.0.0.1, free port) serving the old app's page: `/` with
 * socket.io-client 2.x, `/v1.html` with socket.io-client 1.4.5.
 */
export async function startOldClientSite(): Promise<{
  site: StaticSite;
  dispose(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'old-client-site-'));
  writeFileSync(join(dir, 'index.html'), pageHtml('socket.io.js'));
  writeFileSync(join(dir, 'v1.html'), pageHtml('socket.io-1.4.5.js'));
  copyFileSync(VANILLA_SDK, join(dir, 'backand.js'));
  copyFileSync(SOCKET_IO_2, join(dir, 'socket.io.js'));
  copyFileSync(SOCKET_IO_1, join(dir, 'socket.io-1.4.5.js'));
  const site = await StaticSite.start(dir);
  return {
    site,
    async dispose() {
      await site.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
