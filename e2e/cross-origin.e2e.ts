import { expect, test } from './support/fixtures';
import { USERS, unique } from './support/demo-api';
import { demoPath } from './support/demo-page';

// The shape most deployments have: the app on one origin (a CDN, `ng serve` on :4200) and
// backand-server on another. Every write method, uploads and the socket must work across them,
// and a page whose origin the server does not allow must say that it cannot reach the API.

test.describe('the demo on another origin than its API', () => {
  test('with its origin allowed: sign in, create, rename, delete and upload; events arrive live', async ({
    demoSite,
    startApi,
    openDemo,
  }) => {
    // The API alone (no demo behind it), allowing only the demo's origin, as in production.
    const api = await startApi({ serveDemo: false, corsOrigins: [demoSite.url] });
    expect(new URL(api.url).origin).not.toBe(new URL(demoSite.url).origin);

    // Signed in through the page's own sign-in button, socket authorized, a private message
    // sent to Ann alone has arrived over that socket (DemoPage.open checks all three).
    const ann = await openDemo('ann', { url: demoSite.url, apiUrl: api.url });
    expect(new URL(ann.page.url()).origin).toBe(demoSite.url);
    const name = unique('cross-origin');
    const renamed = `${name}-renamed`;

    await ann.createItem(name); // POST, preflighted (Authorization, JSON)
    await expect(ann.item(name)).toHaveCount(1);
    await expect(ann.logEntry('items.created', name)).toHaveCount(1);

    await ann.renameItem(name, renamed); // PUT
    await expect(ann.item(renamed)).toHaveCount(1);
    await expect(ann.logEntry('items.updated', renamed)).toHaveCount(1);
    await expect(ann.logEntry('items_updated', renamed)).toHaveCount(1);

    await ann.deleteItem(renamed); // DELETE
    await expect(ann.item(renamed)).toHaveCount(0);
    await expect(ann.logEntry('items.deleted', '"event":"deleted"')).toHaveCount(1);
    await expect(ann.page.getByTestId('items-error')).toHaveCount(0);

    // The demo has no upload control: the page's own script uploads with the SDK's token.
    const filename = `${unique('upload')}.txt`;
    const upload = await ann.page.evaluate(
      async ({ apiUrl, filename }) => {
        const stored = JSON.parse(sessionStorage.getItem('BACKAND_user') ?? 'null') as {
          token: { Authorization: string };
        };
        const headers = {
          Authorization: stored.token.Authorization,
          AppName: 'demo',
          'Content-Type': 'application/json',
        };
        const action = `${apiUrl}/1/objects/action/items?name=files`;
        const posted = await fetch(action, {
          method: 'POST',
          headers,
          body: JSON.stringify({ filename, filedata: btoa('sent from another origin') }),
        });
        const { url } = (await posted.json()) as { url: string };
        // The answer is a signed link (for <img src> and links), and the plain path takes the
        // same credentials as REST (a preflighted GET from this origin).
        const download = await fetch(url);
        const content = await download.text();
        const plain = url.split('?')[0]!;
        const anonymous = (await fetch(plain)).status;
        const withToken = await fetch(plain, { headers: { Authorization: headers.Authorization } });
        const removed = await fetch(action, {
          method: 'DELETE',
          headers,
          body: JSON.stringify({ filename }),
        });
        return {
          posted: posted.status,
          url,
          content,
          anonymous,
          withToken: await withToken.text(),
          disposition: download.headers.get('content-disposition'),
          removed: removed.status,
          after: (await fetch(url)).status,
        };
      },
      { apiUrl: api.url, filename },
    );
    expect(upload).toEqual({
      posted: 200,
      url: expect.stringMatching(
        new RegExp(`^${api.url}/files/items/${filename}\\?v=[\\w-]+&expires=\\d+&sig=[\\w-]+$`),
      ),
      content: 'sent from another origin',
      anonymous: 401,
      withToken: 'sent from another origin',
      // An exposed header: readable by the page only because the server lists it.
      disposition: 'attachment',
      removed: 200,
      // A link to a removed file stops working.
      after: 403,
    });
  });

  test('with the default settings (any origin), as with ng serve: live and writable', async ({
    demoSite,
    startApi,
    openDemo,
  }) => {
    const api = await startApi({ serveDemo: false });
    const bob = await openDemo('bob', { url: demoSite.url, apiUrl: api.url });
    const name = unique('any-origin');
    await bob.createItem(name);
    await expect(bob.logEntry('items.created', name)).toHaveCount(1);
    await bob.deleteItem(name);
    await expect(bob.item(name)).toHaveCount(0);
  });

  test('with its origin not allowed, the page says it cannot reach the API and never goes live', async ({
    browser,
    demoSite,
    server,
    startApi,
  }) => {
    // Some other origin is allowed (the worker's own demo), not this page's.
    const api = await startApi({ serveDemo: false, corsOrigins: [server.url] });
    const context = await browser.newContext({ baseURL: demoSite.url });
    try {
      const page = await context.newPage();
      const refusedSockets: string[] = [];
      page.on('websocket', (ws) => {
        ws.on('socketerror', (error) => refusedSockets.push(error));
      });
      await page.goto(demoPath(api.url));
      await page.getByTestId(`sign-in-ann`).click();

      await expect(page.getByTestId('account-error')).toHaveText(
        `Cannot reach the server at ${api.url}: it is down, or it does not allow this page's origin (CORS).`,
      );
      await expect(page.getByTestId('current-user')).toHaveText('Guest');
      await expect.poll(() => refusedSockets.length).toBeGreaterThan(0);
      await expect(page.getByTestId('connection')).not.toHaveAttribute('data-state', 'authorized');

      // The server is up and the account fine: only the origin stands in the way.
      const res = await fetch(`${api.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          username: USERS.ann.username,
          password: USERS.ann.password,
          appName: 'demo',
          grant_type: 'password',
        }),
      });
      expect(res.status).toBe(200);
    } finally {
      await context.close();
    }
  });
});
