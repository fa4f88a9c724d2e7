import { test as base, expect } from '@playwright/test';
import { DemoPage, type OpenOptions, type Visitor } from './demo-page';
import { DemoServer } from './demo-server';

interface WorkerFixtures {
  /** One backand-server per worker, serving the demo; tests use unique names, so they share it. */
  server: DemoServer;
}

interface TestFixtures {
  /** Opens the demo as `who` in a fresh browser context; closed (and checked) after the test. */
  openDemo: (who: Visitor, options?: OpenOptions) => Promise<DemoPage>;
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
