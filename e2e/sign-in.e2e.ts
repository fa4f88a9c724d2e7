import { expect, test } from './support/fixtures';
import { DemoApi, USERS, unique } from './support/demo-api';
import { barrier } from './support/demo-page';

test.describe('signing in and out', () => {
  test('a wrong password is refused with a message, and the page stays a guest', async ({
    openDemo,
  }) => {
    const guest = await openDemo('guest');
    const page = guest.page;
    await page.getByText('Another account').click();
    await page.getByLabel('Username').fill(USERS.ann.username);
    await page.getByLabel('Password').fill('not-her-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('account-error')).toBeVisible();
    await expect(page.getByTestId('current-user')).toHaveText('Guest');
    await guest.expectLive();

    await page.getByLabel('Password').fill(USERS.ann.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('current-user')).toHaveText(USERS.ann.name);
  });

  test("after signing out, the page gets no more of the user's private messages", async ({
    openDemo,
    server,
  }) => {
    const ann = await openDemo('ann');
    const api = await DemoApi.signIn(server.url, 'bob');
    const before = unique('before-sign-out');
    const after = unique('after-sign-out');

    await api.action('notifyUsers', { users: [USERS.ann.username], message: before });
    await expect(ann.logEntry('user_message', before)).toHaveCount(1);

    await ann.page.getByTestId('sign-out').click();
    await expect(ann.page.getByTestId('current-user')).toHaveText('Guest');
    await expect(ann.page.getByTestId('item-create')).toHaveCount(0);
    await ann.expectLive();

    await api.action('notifyUsers', { users: [USERS.ann.username], message: after });
    await barrier(api, [ann]);
    await expect(ann.logEntry('user_message', after)).toHaveCount(0);
  });
});
