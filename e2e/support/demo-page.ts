import {
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  expect,
} from '@playwright/test';
import { DemoApi, type DemoUserName, USERS, unique } from './demo-api';

/** Who a page is signed in as. */
export type Visitor = DemoUserName | 'guest';

/** Options of {@link DemoPage.open}. */
export interface OpenOptions {
  /** Another server than the test's shared one. */
  url?: string;
  /**
   * The API the page talks to when it is not the page's own origin (`?api=` of the demo):
   * the app on one origin, backand-server on another.
   */
  apiUrl?: string;
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  isMobile?: boolean;
}

/** One browser context showing the demo, signed in as one visitor. */
export class DemoPage {
  /** Uncaught errors of the page; a test ends by checking there were none. */
  readonly errors: Error[] = [];

  private constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    readonly who: Visitor,
    /** The backand-server the page talks to. */
    readonly apiUrl: string,
  ) {
    page.on('pageerror', (error) => this.errors.push(error));
  }

  /**
   * Opens the demo in a new browser context (its own storage, so its own identity), signs in
   * unless `who` is 'guest', and waits until the socket is authorized for that identity.
   */
  static async open(
    browser: Browser,
    url: string,
    who: Visitor,
    { url: _ignored, apiUrl, ...contextOptions }: OpenOptions = {},
  ): Promise<DemoPage> {
    const context = await browser.newContext({ baseURL: url, ...contextOptions });
    const demo = new DemoPage(await context.newPage(), context, who, apiUrl ?? url);
    await demo.page.goto(demoPath(apiUrl));
    await demo.expectLive();
    if (who !== 'guest') {
      await demo.page.getByTestId(`sign-in-${who}`).click();
      await expect(demo.page.getByTestId('current-user')).toHaveText(USERS[who].name);
      await demo.expectLive();
      await demo.ready();
    }
    return demo;
  }

  get connection(): Locator {
    return this.page.getByTestId('connection');
  }

  /** The log entries of `event` whose payload contains `text`. */
  logEntry(event: string, text: string): Locator {
    return this.page.locator(`[data-testid="log-entry"][data-event="${event}"]`, { hasText: text });
  }

  /** The rows of the items list named exactly `name`. */
  item(name: string): Locator {
    return this.page.getByTestId('item').filter({
      has: this.page.getByTestId('item-name').getByText(name, { exact: true }),
    });
  }

  async expectLive(): Promise<void> {
    await expect(this.connection).toHaveAttribute('data-state', 'authorized');
  }

  async expectOffline(): Promise<void> {
    await expect(this.connection).toHaveAttribute('data-online', 'false');
    await expect(this.connection).toHaveText(/Offline|Connecting/);
  }

  /**
   * Proves the socket now listens as this user: a message sent to this user alone arrives.
   * (The `authorized` state alone may still be the answer to the guest login before sign-in.)
   */
  async ready(): Promise<void> {
    if (this.who === 'guest') return;
    const token = unique(`ready-${this.who}`);
    const api = await DemoApi.signIn(this.apiUrl, this.who);
    await api.action('notifyUsers', { users: [USERS[this.who].username], message: token });
    await expect(this.logEntry('user_message', token)).toHaveCount(1);
  }

  async createItem(name: string): Promise<void> {
    await this.page.getByTestId('item-name-input').fill(name);
    await this.page.getByTestId('item-add').click();
    await expect(this.page.getByTestId('item-name-input')).toHaveValue('');
  }

  async renameItem(from: string, to: string): Promise<void> {
    await this.item(from).getByTestId('item-edit').click();
    await this.page.getByTestId('item-edit-input').fill(to);
    await this.page.getByTestId('item-save').click();
  }

  async deleteItem(name: string): Promise<void> {
    await this.item(name).getByTestId('item-delete').click();
  }

  async broadcast(message: string): Promise<void> {
    await this.page.getByTestId('action-message').fill(message);
    await this.page.getByTestId('action-broadcast').click();
    await expect(this.page.getByTestId('action-outcome')).toHaveText(/Sent to everyone/);
  }

  async notifyRole(message: string, role: string): Promise<void> {
    await this.page.getByTestId('action-message').fill(message);
    await this.page.getByTestId('action-role').selectOption(role);
    await this.page.getByTestId('action-notify-role').click();
    await expect(this.page.getByTestId('action-outcome')).toHaveText(`Sent to every ${role}.`);
  }

  async notifyUsers(message: string, recipients: DemoUserName[]): Promise<void> {
    await this.page.getByTestId('action-message').fill(message);
    for (const name of Object.keys(USERS) as DemoUserName[]) {
      await this.page.getByTestId(`recipient-${name}`).setChecked(recipients.includes(name));
    }
    await this.page.getByTestId('action-notify-users').click();
    await expect(this.page.getByTestId('action-outcome')).toHaveText(
      `Sent only to ${recipients.join(', ')}.`,
    );
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/** The demo's address, pointed at `apiUrl` when the API is on another origin. */
export function demoPath(apiUrl?: string): string {
  return apiUrl ? `/?api=${encodeURIComponent(apiUrl)}` : '/';
}

/**
 * Sends a broadcast and waits until every page logged it. Socket.IO keeps each socket's events
 * in order, so an event sent before the barrier that a page has not shown by then never
 * reached it: absence is proven without sleeping.
 */
export async function barrier(api: DemoApi, pages: readonly DemoPage[]): Promise<void> {
  const message = unique('barrier');
  await api.action('broadcast', { message });
  for (const demo of pages) {
    await expect(demo.logEntry('broadcast', message)).toHaveCount(1);
  }
}
