import { defineConfig } from '@playwright/test';
import { join } from 'node:path';

/** Debian's Chromium; browsers are never downloaded. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * The browser part of `npm run test:matrix`: each consumer app built from the packed SDK
 * (listed by scripts/matrix.mjs in $MATRIX_APPS) against a real backand-server.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.matrix.ts',
  outputDir: join(__dirname, '../../.matrix/playwright'),
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
  },
});
