import { expect, test } from './support/fixtures';
import { unique } from './support/demo-api';

test.describe('live items list', () => {
  test('an item created in one page appears in the others, renamed and deleted live', async ({
    openDemo,
  }) => {
    const ann = await openDemo('ann');
    const ada = await openDemo('ada');
    const bob = await openDemo('bob');
    const guest = await openDemo('guest');
    const name = unique('milk');
    const renamed = `${name}-oat`;

    // Ann (User) creates: every page shows it, with no reload.
    await ann.createItem(name);
    for (const demo of [ann, ada, bob, guest]) {
      await expect(demo.item(name)).toHaveCount(1);
    }
    // Owners and Admins get edit controls; another User and a guest do not.
    await expect(ann.item(name).getByTestId('item-delete')).toBeVisible();
    await expect(ada.item(name).getByTestId('item-delete')).toBeVisible();
    await expect(bob.item(name).getByTestId('item-delete')).toHaveCount(0);
    await expect(guest.item(name).getByTestId('item-delete')).toHaveCount(0);
    await expect(guest.page.getByTestId('item-create')).toHaveCount(0);

    // Ada (Admin) renames it: the others follow, and the afterUpdate action's emitAll is logged.
    await ada.renameItem(name, renamed);
    for (const demo of [ann, ada, bob, guest]) {
      await expect(demo.item(renamed)).toHaveCount(1);
      await expect(demo.item(name)).toHaveCount(0);
      await expect(demo.logEntry('items_updated', renamed)).toHaveCount(1);
    }

    // Ann ticks it done: the checkbox follows everywhere.
    await ann.item(renamed).getByTestId('item-done').check();
    for (const demo of [ada, bob, guest]) {
      await expect(demo.item(renamed).getByTestId('item-done')).toBeChecked();
    }

    // Ada deletes it: it leaves Ann's list (and everyone else's) without a reload.
    await ada.deleteItem(renamed);
    for (const demo of [ann, ada, bob, guest]) {
      await expect(demo.item(renamed)).toHaveCount(0);
      await expect(demo.logEntry('items.deleted', '"event":"deleted"').first()).toBeVisible();
    }
  });

  test('the live counter follows creates and deletes made elsewhere', async ({ openDemo }) => {
    const bob = await openDemo('bob');
    const rita = await openDemo('rita');
    const counter = rita.page.getByTestId('stat-items');
    await expect(rita.page.getByTestId('item-create')).toHaveCount(0);
    const before = Number(await counter.textContent());
    const name = unique('bread');

    await bob.createItem(name);
    await expect(counter).toHaveText(String(before + 1));
    await bob.deleteItem(name);
    await expect(counter).toHaveText(String(before));
    await expect(rita.item(name)).toHaveCount(0);
  });
});
