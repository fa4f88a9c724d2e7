import { expect, test } from './support/fixtures';
import { unique } from './support/demo-api';

test('after a server restart every page goes offline, comes back live, and events flow again', async ({
  openDemo,
  server,
}) => {
  const ada = await openDemo('ada');
  const ann = await openDemo('ann');
  const guest = await openDemo('guest');
  const pages = [ada, ann, guest];
  const before = unique('before-restart');
  const after = unique('after-restart');

  await ann.createItem(before);
  for (const demo of pages) await expect(demo.item(before)).toHaveCount(1);

  await server.stop();
  try {
    for (const demo of pages) await demo.expectOffline();
  } finally {
    // Same port, same database file: tokens and rows survive, as in a real restart.
    await server.start();
  }

  for (const demo of pages) await demo.expectLive();
  // Still signed in as before, and the list reloaded with the rows kept in the database.
  await expect(ada.page.getByTestId('current-user')).toHaveText('Ada Lovelace');
  for (const demo of pages) await expect(demo.item(before)).toHaveCount(1);

  // New events arrive: a write, an emitAll and a private message.
  await ann.createItem(after);
  for (const demo of pages) await expect(demo.item(after)).toHaveCount(1);
  await ada.broadcast(after);
  for (const demo of pages) await expect(demo.logEntry('broadcast', after)).toHaveCount(1);
  await ada.notifyUsers(after, ['ann']);
  await expect(ann.logEntry('user_message', after)).toHaveCount(1);
});
