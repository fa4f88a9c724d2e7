import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './support/fixtures';
import { DemoApi } from './support/demo-api';
import { DemoServer } from './support/demo-server';

const ARTIFACTS = join(__dirname, 'artifacts');

// A server of its own, so the pictures show only the data written here.
const server = new DemoServer();
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

test('screenshots of the demo at desktop and phone sizes', async ({ openDemo }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const desktop = await openDemo('ada', {
    url: server.url,
    viewport: { width: 1280, height: 900 },
  });
  const phone = await openDemo('ann', {
    url: server.url,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
  });

  // Something to look at: a few items, readings for the chart, messages in the log.
  const ann = await DemoApi.signIn(server.url, 'ann');
  const bob = await DemoApi.signIn(server.url, 'bob');
  for (const [api, name] of [
    [ann, 'Buy oat milk'],
    [bob, 'Ship the release notes'],
    [ann, 'Book the team lunch'],
    [bob, 'Water the plants'],
  ] as const) {
    await api.create('items', { name });
  }
  let value = 42;
  for (let i = 0; i < 24; i++) {
    value = Math.max(5, Math.min(95, value + Math.round(Math.sin(i / 2) * 12 + (i % 3) * 3 - 3)));
    await bob.create('metrics', { name: 'load', value, at: new Date().toISOString() });
  }
  await bob.action('broadcast', { message: 'Deploy finished' });
  await bob.action('notifyRole', { role: 'Admin', message: 'Disk almost full' });
  await ann.action('notifyUsers', {
    users: ['ada@demo.test', 'ann@demo.test'],
    message: 'Lunch at 12?',
  });

  for (const demo of [desktop, phone]) {
    await expect(demo.item('Water the plants')).toHaveCount(1);
    await expect(demo.page.getByTestId('chart-points')).toHaveText(/^(2[4-9]|[3-9]\d) readings$/);
    await expect(demo.logEntry('user_message', 'Lunch at 12?')).toHaveCount(1);
    await demo.page.evaluate(() => window.scrollTo(0, 0));
  }
  await expect(desktop.logEntry('role_message', 'Disk almost full')).toHaveCount(1);

  await desktop.page.screenshot({ path: join(ARTIFACTS, 'demo-desktop.png') });
  await desktop.page.screenshot({ path: join(ARTIFACTS, 'demo-desktop-full.png'), fullPage: true });
  await phone.page.screenshot({ path: join(ARTIFACTS, 'demo-phone.png') });
  await phone.page.screenshot({ path: join(ARTIFACTS, 'demo-phone-full.png'), fullPage: true });

  // What a first-time visitor sees: the guest view with the one-click sign-ins.
  const guest = await openDemo('guest', {
    url: server.url,
    viewport: { width: 1280, height: 900 },
  });
  await expect(guest.item('Water the plants')).toHaveCount(1);
  await expect(guest.page.getByTestId('sign-in-ada')).toBeVisible();
  await guest.page.screenshot({ path: join(ARTIFACTS, 'demo-guest-desktop.png') });

  // The phone layout is one column: nothing sticks out sideways.
  const overflow = await phone.page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});
