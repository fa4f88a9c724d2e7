import { expect, test } from './support/fixtures';
import { DemoApi, unique } from './support/demo-api';
import { barrier } from './support/demo-page';

test.describe('who receives what', () => {
  test("emitUsers aimed at Bob shows in Bob's log only", async ({ openDemo, server }) => {
    const ann = await openDemo('ann');
    const bob = await openDemo('bob');
    const ada = await openDemo('ada');
    const guest = await openDemo('guest');
    const message = unique('for-bob');

    await ann.notifyUsers(message, ['bob']);
    await expect(bob.logEntry('user_message', message)).toHaveCount(1);
    await expect(bob.page.getByTestId('stat-private')).not.toHaveText('0');

    await barrier(await DemoApi.signIn(server.url, 'rita'), [ann, bob, ada, guest]);
    for (const demo of [ann, ada, guest]) {
      await expect(demo.logEntry('user_message', message)).toHaveCount(0);
    }
  });

  test("emitRole('Admin') shows in the admin's log only", async ({ openDemo, server }) => {
    const bob = await openDemo('bob');
    const ada = await openDemo('ada');
    const ann = await openDemo('ann');
    const rita = await openDemo('rita');
    const guest = await openDemo('guest');
    const message = unique('for-admins');

    await bob.notifyRole(message, 'Admin');
    await expect(ada.logEntry('role_message', message)).toHaveCount(1);

    await barrier(await DemoApi.signIn(server.url, 'ann'), [bob, ada, ann, rita, guest]);
    for (const demo of [bob, ann, rita, guest]) {
      await expect(demo.logEntry('role_message', message)).toHaveCount(0);
    }
  });

  test('a guest sees public data live and none of the private events', async ({
    openDemo,
    server,
  }) => {
    const guest = await openDemo('guest');
    const ann = await openDemo('ann');
    const bob = await openDemo('bob');
    const annApi = await DemoApi.signIn(server.url, 'ann');
    const item = unique('public-item');
    const note = unique('private-note');
    const toAnn = unique('for-ann');
    const toUsers = unique('for-users');
    const everyone = unique('for-everyone');

    // Public data: the guest's list follows Ann's write; emitAll reaches guests too.
    await ann.createItem(item);
    await expect(guest.item(item)).toHaveCount(1);
    await ann.broadcast(everyone);
    await expect(guest.logEntry('broadcast', everyone)).toHaveCount(1);

    // Private: a note only its owner (and Admin/ReadOnly) may read, a message to Ann, and a
    // message to every User.
    await annApi.create('notes', { text: note });
    await annApi.action('notifyUsers', { users: ['ann@demo.test'], message: toAnn });
    await annApi.action('notifyRole', { role: 'User', message: toUsers });
    await expect(ann.logEntry('notes.created', note)).toHaveCount(1);
    await expect(ann.logEntry('user_message', toAnn)).toHaveCount(1);
    await expect(bob.logEntry('role_message', toUsers)).toHaveCount(1);

    await barrier(annApi, [guest, ann, bob]);
    // Fresh pages, and no other test writes notes: any notes event here would be a leak.
    for (const demo of [guest, bob]) {
      await expect(
        demo.page.locator('[data-testid="log-entry"][data-event^="notes."]'),
      ).toHaveCount(0);
    }
    await expect(guest.logEntry('user_message', toAnn)).toHaveCount(0);
    await expect(guest.logEntry('role_message', toUsers)).toHaveCount(0);
    await expect(guest.page.getByTestId('stat-private')).toHaveText('0');
  });
});
