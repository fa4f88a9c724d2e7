import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { DemoApi, unique } from '../../e2e/support/demo-api';
import { DemoServer } from '../../e2e/support/demo-server';
import { StaticSite } from '../../e2e/support/static-site';
import { RecordingProxy } from './recording-proxy';
import { SsrServer } from './ssr-server';

/** One built consumer app, as `scripts/matrix.mjs` lists it in `$MATRIX_APPS`. */
interface ConsumerApp {
  /** e.g. `angular-22/ssr on Node 24.22.3`. */
  name: string;
  shape: 'standalone' | 'ngmodule' | 'ssr';
  /** The `@angular/core` version the app was built with; the page shows it. */
  angular: string;
  /** standalone / ngmodule: the built browser folder; ssr: its `server/server.mjs`. */
  path: string;
  /** ssr: the Node binary that runs the server. */
  node?: string;
}

function apps(): ConsumerApp[] {
  const file = process.env['MATRIX_APPS'];
  if (!file) throw new Error('MATRIX_APPS is not set: run `npm run test:matrix`.');
  return JSON.parse(readFileSync(file, 'utf8')) as ConsumerApp[];
}

for (const app of apps()) {
  test(`${app.name}: a REST list and a live event reach the page`, async ({ page, request }) => {
    // backand-server with its built-in demo app, on another origin than the page, CORS default.
    const api = new DemoServer({ serveDemo: false });
    await api.start();
    const site =
      app.shape === 'ssr'
        ? await SsrServer.start(app.path, app.node ?? process.execPath)
        : await StaticSite.start(app.path);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    try {
      const ada = await DemoApi.signIn(api.url, 'ada');
      const first = unique('first');
      await ada.create('items', { name: first });

      if (app.shape === 'ssr') {
        // The server renders the list it read over REST, and opens no socket while doing it.
        const proxy = await RecordingProxy.start(api.url);
        try {
          const answer = await request.get(`${site.url}/?api=${encodeURIComponent(proxy.url)}`);
          expect(answer.status()).toBe(200);
          const html = await answer.text();
          expect(html).toContain('ng-server-context="ssr"');
          expect(html).toContain(`<li>${first}</li>`);
          expect(html).toContain(`<output id="socket">disconnected</output>`);
          expect(proxy.to('/1/objects/items')).toHaveLength(1);
          // Anything the render left running would show up here within a second.
          await new Promise((resolve) => setTimeout(resolve, 1000));
          expect(proxy.to('/socket.io/')).toEqual([]);
          expect(proxy.requests.filter((line) => line.startsWith('UPGRADE'))).toEqual([]);
        } finally {
          await proxy.stop();
        }
      }

      await page.goto(`${site.url}/?api=${encodeURIComponent(api.url)}`);
      await expect(page.locator('h1')).toContainText(`Angular ${app.angular}`);
      await expect(page.locator('#items li')).toContainText([first]);
      await expect(page.locator('#socket')).toHaveText('authorized');

      const message = unique('hello');
      await ada.action('broadcast', { message });
      await expect(page.locator('#broadcast')).toHaveText(message);

      if (app.shape !== 'ngmodule') {
        // injectBackandList: items.created patches the list without a reload.
        const second = unique('second');
        await ada.create('items', { name: second });
        await expect(page.locator('#items li')).toContainText([first, second]);
      }
      expect(errors, `errors in ${app.name}`).toEqual([]);
    } finally {
      await site.stop();
      await api.dispose();
    }
  });
}
