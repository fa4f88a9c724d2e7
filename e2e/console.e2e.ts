import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConsolePage } from './support/console-page';
import { DemoApi, unique, USERS } from './support/demo-api';
import { expect, test } from './support/fixtures';

// The admin console at /_console, served by the same backand-server as the demo: each panel,
// and that a non-admin gets nothing (the page refuses, the console API answers 403).

const ARTIFACTS = join(__dirname, 'artifacts');
const opened: ConsolePage[] = [];

test.afterEach(async () => {
  for (const page of opened.splice(0)) await page.close();
});

async function openConsole(browser: import('@playwright/test').Browser, url: string) {
  const page = await ConsolePage.open(browser, url);
  opened.push(page);
  return page;
}

async function consoleApi(url: string, path: string, authorization: string | null) {
  const res = await fetch(`${url}/api/console/${path}`, {
    headers: authorization ? { authorization } : {},
  });
  return { status: res.status, text: await res.text() };
}

async function bearerOf(url: string, who: keyof typeof USERS): Promise<string> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      username: USERS[who].username,
      password: USERS[who].password,
      appName: 'demo',
      grant_type: 'password',
    }),
  });
  return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
}

test('a non-admin gets nothing: the page refuses and the console API answers 403', async ({
  browser,
  server,
}) => {
  const console = await openConsole(browser, server.url);
  await console.signIn('ann');
  await expect(console.page.getByRole('alert')).toHaveText(/not an admin/);
  await expect(console.page.getByRole('tab', { name: 'Data' })).toHaveCount(0);
  await console.signIn('rita');
  await expect(console.page.getByRole('alert')).toHaveText(/not an admin/);
  await expect(console.page.getByTestId('who')).toHaveCount(0);

  // Straight to the API, as a User, a guest and nobody.
  const ann = await bearerOf(server.url, 'ann');
  for (const path of ['me', 'app', 'sockets']) {
    const asUser = await consoleApi(server.url, path, ann);
    expect(asUser.status).toBe(403);
    expect(asUser.text).not.toMatch(/objects|sockets"|appName/);
    expect((await consoleApi(server.url, path, null)).status).toBe(401);
  }
  const guest = await fetch(`${server.url}/api/console/app`, {
    headers: { AnonymousToken: 'demo-anonymous-token' },
  });
  expect(guest.status).toBe(403);
  await console.expectNoSecret();
});

test('definition panel: objects, fields, permissions, actions and queries, no secret', async ({
  browser,
  server,
}) => {
  const console = await openConsole(browser, server.url);
  await console.signIn('ada');
  await console.expectSignedIn();
  const items = console.page.locator('[data-object="items"]');
  await expect(items.getByRole('heading')).toContainText('realtime');
  await expect(items.locator('tr', { hasText: 'name' }).first()).toContainText('string');
  await expect(items.locator('tr', { hasText: 'User' }).first()).toContainText('update own');
  await items.getByText('items_updated', { exact: true }).click();
  const action = items.locator('details', {
    has: console.page.getByText('items_updated', { exact: true }),
  });
  await expect(action.locator('pre')).toBeVisible();
  await expect(action.locator('pre')).toContainText('socket.emitAll');
  await expect(console.page.getByText('itemsCount')).toBeVisible();
  await expect(console.page.getByText('SELECT COUNT(*) AS count FROM items')).toBeVisible();
  await console.expectNoSecret();
});

test('data panel: create, filter, sort, edit and delete rows through REST', async ({
  browser,
  server,
}) => {
  const console = await openConsole(browser, server.url);
  await console.signIn('ada');
  await console.expectSignedIn();
  await console.show('Data');
  const page = console.page;
  await page.getByLabel('Object').selectOption('items');
  const rows = page.getByTestId('rows');
  const name = unique('console-row');

  await page.getByRole('button', { name: 'New row' }).click();
  const editor = page.getByTestId('row-editor');
  await editor.getByLabel('name').fill(name);
  await editor.getByLabel('qty').fill('7');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor).toHaveCount(0);

  // Filter to this test's rows; a second row to sort.
  await page.getByRole('button', { name: 'New row' }).click();
  await editor.getByLabel('name').fill(`${name}-b`);
  await editor.getByLabel('qty').fill('3');
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.getByLabel('Filter field').selectOption('name');
  await page.getByLabel('Operator').selectOption('startsWith');
  await page.getByLabel('Filter value').fill(name);
  await page.getByLabel('Sort field').selectOption('qty');
  await page.getByLabel('Order').selectOption('asc');
  await page.getByRole('button', { name: 'Apply' }).click();
  const body = rows.locator('tbody tr');
  await expect(body).toHaveCount(2);
  await expect(body.nth(0)).toContainText(`${name}-b`);
  await page.getByLabel('Order').selectOption('desc');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(body.nth(0)).not.toContainText(`${name}-b`);
  await expect(body.nth(0)).toContainText(name);

  // Edit the first, then delete it.
  await body.nth(0).getByRole('button', { name: 'Edit' }).click();
  await editor.getByLabel('qty').fill('42');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(body.nth(0)).toContainText('42');
  await body.nth(0).getByRole('button', { name: 'Delete' }).click();
  await expect(body).toHaveCount(1);
  await expect(body.nth(0)).toContainText(`${name}-b`);

  // Bad input is refused before anything is sent.
  await page.getByRole('button', { name: 'New row' }).click();
  await editor.getByLabel('name').fill(`${name}-c`);
  await editor.getByLabel('qty').fill('many');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor.getByRole('alert')).toHaveText('qty must be a number');
  await console.expectNoSecret();
});

test('users panel: list, role change and sign-out everywhere', async ({ browser, server }) => {
  const console = await openConsole(browser, server.url);
  await console.signIn('ada');
  await console.expectSignedIn();
  await console.show('Users');
  const page = console.page;
  const bobRow = page.locator('tr[data-user="bob@demo.test"]');
  await expect(bobRow).toContainText('Bob Stone');

  await bobRow.getByLabel('Role of bob@demo.test').selectOption('ReadOnly');
  await expect(page.getByRole('status')).toHaveText('bob@demo.test is now ReadOnly.');
  const profile = async (authorization: string) =>
    fetch(`${server.url}/api/account/profile`, { headers: { authorization } });
  const bob = await bearerOf(server.url, 'bob');
  expect(((await (await profile(bob)).json()) as { role: string }).role).toBe('ReadOnly');
  await bobRow.getByLabel('Role of bob@demo.test').selectOption('User');
  await expect(page.getByRole('status')).toHaveText('bob@demo.test is now User.');

  await bobRow.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('status')).toHaveText(/bob@demo\.test was signed out everywhere/);
  expect((await profile(bob)).status).toBe(401);
  await console.expectNoSecret();
});

test('live panel: sockets with role and audiences, events with audience and count, filter and pause', async ({
  browser,
  server,
  openDemo,
}) => {
  const console = await openConsole(browser, server.url);
  await console.signIn('ada');
  await console.expectSignedIn();
  await console.show('Live');
  const demo = await openDemo('ann');
  const page = console.page;
  const sockets = page.getByTestId('sockets');
  const annRow = sockets.locator('tr', { hasText: 'ann@demo.test' }).first();
  await expect(annRow).toContainText('User');
  await expect(annRow).toContainText('own rows of ann@demo.test as User');

  const ann = await DemoApi.signIn(server.url, 'ann');
  const name = unique('live');
  const id = await ann.create('items', { name });
  const created = console.events('items.created').filter({ hasText: name });
  await expect(created).toHaveCount(1);
  await expect(created).toContainText(`readers of items ${id}`);
  await expect(created.locator('.count')).toHaveText(/^[1-9]\d*$/);

  // Filter: only matching events show.
  const message = unique('hello');
  await ann.action('broadcast', { message });
  await expect(console.events('broadcast').filter({ hasText: message })).toHaveCount(1);
  await page.getByLabel('Filter events').fill(message);
  await expect(page.locator('[data-testid="events"] tbody tr')).toHaveCount(1);
  await page.getByLabel('Filter events').fill('');

  // Pause holds new events until resumed.
  await page.getByRole('button', { name: 'Pause' }).click();
  const held = unique('held');
  await ann.action('broadcast', { message: held });
  await expect(page.getByTestId('held')).toHaveText('1 held');
  await expect(console.events('broadcast').filter({ hasText: held })).toHaveCount(0);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(console.events('broadcast').filter({ hasText: held })).toHaveCount(1);
  await expect(demo.logEntry('broadcast', held)).toHaveCount(1);
  await console.expectNoSecret();
});

test('emit panel: emitAll, emitRole and emitUsers, counted and shown in the stream', async ({
  browser,
  server,
}) => {
  const console = await openConsole(browser, server.url);
  await console.signInWithMasterKey();
  await console.expectSignedIn();
  await expect(console.page.getByTestId('who')).toContainText('master key');
  await console.show('Emit');
  const page = console.page;
  const send = async (kind: 'all' | 'role' | 'users', event: string, target?: string) => {
    await page.getByLabel('Call').selectOption(kind);
    await page.getByLabel('Event name').fill(event);
    if (kind === 'role') await page.getByLabel('Role', { exact: true }).fill(target ?? '');
    if (kind === 'users') await page.getByLabel('Users (comma separated)').fill(target ?? '');
    await page.getByLabel('Data (JSON, or plain text)').fill('{"from":"console"}');
    await page.getByRole('button', { name: 'Send' }).click();
  };
  await send('all', 'console_all');
  await expect(page.getByTestId('emit-result')).toHaveText(/Sent "console_all" to \d+ socket/);
  await send('role', 'console_role', 'NoSuchRole');
  await expect(page.getByTestId('emit-result')).toHaveText(
    'Sent "console_role" to 0 socket(s) on this node.',
  );
  await send('users', 'console_users', 'ann@demo.test');
  await expect(page.getByTestId('emit-result')).toHaveText(/Sent "console_users" to \d+ socket/);
  await send('all', 'authorized');
  await expect(page.getByRole('alert')).toHaveText(/reserved/);

  // The stream shows it with its audience.
  await send('role', 'console_seen', 'User');
  await console.show('Live');
  await expect(console.events('console_seen')).toContainText('role User');
  await console.expectNoSecret();
});

test('screenshot of the console', async ({ browser, server, openDemo }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const console = await openConsole(browser, server.url);
  await console.signIn('ada');
  await console.expectSignedIn();
  await console.show('Live');
  await openDemo('ann');
  await openDemo('guest');
  const ann = await DemoApi.signIn(server.url, 'ann');
  await ann.create('items', { name: 'Buy oat milk' });
  await ann.action('broadcast', { message: 'Deploy finished' });
  await ann.action('notifyRole', { role: 'Admin', message: 'Disk almost full' });
  await expect(console.events('role_message')).toHaveCount(1);
  await expect(
    console.page.getByTestId('sockets').locator('tr', { hasText: 'guest' }),
  ).not.toHaveCount(0);
  await console.page.screenshot({ path: join(ARTIFACTS, 'console.png'), fullPage: true });
  await console.show('Definition');
  await expect(console.page.locator('[data-object="items"]')).toBeVisible();
  await console.page.screenshot({ path: join(ARTIFACTS, 'console-definition.png') });
  await console.show('Data');
  await console.page.getByLabel('Object').selectOption('items');
  await expect(console.page.getByTestId('rows')).toContainText('Buy oat milk');
  await console.page.screenshot({ path: join(ARTIFACTS, 'console-data.png') });
});
