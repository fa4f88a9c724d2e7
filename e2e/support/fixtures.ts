import { test as base, expect } from '@playwright/test';
import { DemoPage, type OpenOptions, type Visitor } from './demo-page';
import { DEMO_DIR, DemoServer, type DemoServerOptions } from './demo-server';
import { StaticSite } from './static-site';

interface WorkerFixtures {
  /** One backand-server per worker, serving the demo; tests use unique names, so they share it. */
  server: DemoServer;
  /** The built demo alone on its own origin, no API behind it (started when a test asks). */
  demoSite: StaticSite;
}

interface TestFixtures {
  /** Opens the demo as `who` in a fresh browser context; closed (and checked) after the test. */
  openDemo: (who: Visitor, options?: OpenOptions) => Promise<DemoPage>;
  /** Starts another backand-server (own port, own database), disposed of after the test. */
  startApi: (options?: DemoServerOptions) => Promise<DemoServer>;
}

/** `test` with the demo server and page fixtures. */
export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = new DemoServer();
      await server.start();
      await use(server);
      await server.dispose();
    },
    { scope: 'worker' },
  ],
  demoSite: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const site = await StaticSite.start(DEMO_DIR);
      await use(site);
      await site.stop();
    },
    { scope: 'worker' },
  ],
  // eslint-disable-next-line no-empty-pattern
  startApi: async ({}, use) => {
    const started: DemoServer[] = [];
    await use(async (options) => {
      const api = new DemoServer(options);
      started.push(api);
      await api.start();
      return api;
    });
    for (const api of started) await api.dispose();
  },
  openDemo: async ({ browser, server }, use) => {
    const opened: DemoPage[] = [];
    await use(async (who, options) => {
      const demo = await DemoPage.open(browser, options?.url ?? server.url, who, options);
      opened.push(demo);
      return demo;
    });
    for (const demo of opened) {
      expect(demo.errors, `uncaught errors in ${demo.who}'s page`).toEqual([]);
      await demo.close();
    }
  },
});

export { expect };
