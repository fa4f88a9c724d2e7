import {
  expect,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from '@playwright/test';
import { USERS, type DemoUserName } from './demo-api';

/** The demo app's master key (projects/backand-server/src/demo/demo-app.json). */
export const MASTER = { masterToken: 'demo-master-token', userToken: 'demo-user-token' };

/** Every secret of the demo app: none may ever appear in the console. */
export const DEMO_SECRETS = [
  'demo-master-token',
  'demo-user-token',
  'demo-anonymous-token',
  'demo-signup-token',
  ...Object.values(USERS).map((user) => user.password),
];

/** The console (`/_console/`) in a browser context of its own. */
export class ConsolePage {
  /** Uncaught errors of the page; a test ends by checking there were none. */
  readonly errors: Error[] = [];
  /** Bodies of every console API answer the page received (to check that none holds a secret). */
  readonly answers: string[] = [];

  private constructor(
    readonly page: Page,
    readonly context: BrowserContext,
  ) {
    page.on('pageerror', (error) => this.errors.push(error));
    page.on('response', async (response) => {
      if (!response.url().includes('/api/console/') && !response.url().includes('/1/')) return;
      this.answers.push(await response.text().catch(() => ''));
    });
    // Deleting a row asks first.
    page.on('dialog', (dialog) => void dialog.accept());
  }

  /** Opens the console's sign-in page. */
  static async open(browser: Browser, url: string): Promise<ConsolePage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const console = new ConsolePage(page, context);
    await page.goto(`${url}/_console/`);
    await expect(page.getByRole('heading', { name: 'backand-server console' })).toBeVisible();
    return console;
  }

  /** Signs in with a demo user's e-mail and password (resolves once the page answered). */
  async signIn(who: DemoUserName): Promise<void> {
    await this.page.getByLabel('E-mail').fill(USERS[who].username);
    await this.page.getByLabel('Password').fill(USERS[who].password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Signs in with the master and user tokens. */
  async signInWithMasterKey(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Master token' }).click();
    await this.page.getByLabel('Master token').fill(MASTER.masterToken);
    await this.page.getByLabel('User token').fill(MASTER.userToken);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Waits until the panels show and the live socket is authorized. */
  async expectSignedIn(): Promise<void> {
    await expect(this.page.getByTestId('who')).toContainText('authorized');
  }

  /** Opens a panel by its tab. */
  async show(panel: 'Definition' | 'Data' | 'Users' | 'Live' | 'Emit'): Promise<void> {
    await this.page.getByRole('tab', { name: panel }).click();
  }

  /** Rows of the events table named `event`. */
  events(event: string): Locator {
    return this.page.locator(`[data-testid="events"] tr[data-event="${event}"]`);
  }

  /** Fails when the page or anything it received holds a secret. */
  async expectNoSecret(): Promise<void> {
    const text = (await this.page.content()) + this.answers.join('\n');
    for (const secret of DEMO_SECRETS)
      expect(text, 'a secret in the console').not.toContain(secret);
    expect(text).not.toMatch(/scrypt|\$2[aby]\$|password_hash|refresh_token|access_token/);
  }

  async close(): Promise<void> {
    expect(this.errors, 'uncaught errors in the console page').toEqual([]);
    await this.context.close();
  }
}
