import { type Browser, type BrowserContext, type Page, expect } from '@playwright/test';
import { OLD_APP } from './old-client-app';

/** A call of the old client, as `settle` in the page reports it. */
export interface Settled {
  ok: boolean;
  status: number;
  data: unknown;
  totalRows?: number;
  relatedObjects?: unknown;
}

/** A socket event the page heard through `backand.on`. */
export interface HeardEvent {
  event: string;
  data: unknown;
}

type Call = (...args: unknown[]) => Promise<unknown>;

/** The parts of `@backand/vanilla-sdk`'s global `backand` the suite uses. */
export interface OldBackand {
  init(config: object): void;
  signin: Call;
  signup: Call;
  signout: Call;
  useAnonymousAuth: Call;
  changePassword: Call;
  requestResetPassword: Call;
  resetPassword: Call;
  user: { getUserDetails: Call };
  object: {
    getList: Call;
    getOne: Call;
    create: Call;
    update: Call;
    remove: Call;
    action: { get: Call; post: Call };
  };
  query: { get: Call; post: Call };
  fn: { get: Call; post: Call };
  file: { upload: Call; remove: Call };
  bulk: { general: Call };
}

declare global {
  interface Window {
    backand: OldBackand;
    settle(promise: Promise<unknown>): Promise<Settled>;
    listen(names: string[]): void;
    events: HeardEvent[];
    io: { connect: (url: string, options: object) => unknown };
  }
}

/** The socket events every page listens to with `backand.on`. */
const EVENTS = [
  'connect',
  'disconnect',
  'authorized',
  'notAuthorized',
  'items.created',
  'items.updated',
  'items.deleted',
  'shout',
  'whisper',
];

/** Options of {@link OldClientPage.open}. */
export interface OldClientOptions {
  /** Keep Socket.IO on HTTP long-polling (Engine.IO v3), never upgrading to WebSocket. */
  pollingOnly?: boolean;
  /** The Socket.IO client the page loads as `io`: 2.x (default) or 1.4.5. */
  socketIo?: 1 | 2;
  /** More `backand.init` settings (e.g. `masterToken` and `userToken`). */
  config?: Record<string, string>;
}

/** One browser context running the old app's page, with `backand.init` done. */
export class OldClientPage {
  /** Uncaught errors of the page. */
  readonly errors: Error[] = [];

  private constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    private readonly apiUrl: string,
    private readonly options: OldClientOptions,
  ) {
    page.on('pageerror', (error) => this.errors.push(error));
  }

  /** Opens the page on `siteUrl` (its own origin) and initialises the client for `apiUrl`. */
  static async open(
    browser: Browser,
    siteUrl: string,
    apiUrl: string,
    options: OldClientOptions = {},
  ): Promise<OldClientPage> {
    const context = await browser.newContext({ baseURL: siteUrl });
    const client = new OldClientPage(await context.newPage(), context, apiUrl, options);
    await client.load();
    return client;
  }

  /** (Re)loads the page and runs `backand.init` as an app does at start (stored user kept). */
  async load(): Promise<void> {
    if (this.page.url().startsWith('http')) await this.page.reload();
    else await this.page.goto(this.options.socketIo === 1 ? '/v1.html' : '/');
    await this.page.evaluate(
      ({ apiUrl, app, pollingOnly, events, config }) => {
        if (pollingOnly) {
          const connect = window.io.connect;
          window.io.connect = (url, options) =>
            connect(url, { ...options, transports: ['polling'] });
        }
        window.backand.init({
          appName: app.appName,
          anonymousToken: app.anonymousToken,
          signUpToken: app.signUpToken,
          apiUrl,
          socketUrl: apiUrl,
          runSocket: true,
          ...config,
        });
        window.listen(events);
      },
      {
        apiUrl: this.apiUrl,
        app: OLD_APP,
        pollingOnly: this.options.pollingOnly ?? false,
        events: EVENTS,
        config: this.options.config ?? {},
      },
    );
  }

  /** Runs `fn` in the page with `arg`, e.g. a client call wrapped in `window.settle`. */
  run<T, A>(fn: (arg: A) => Promise<T> | T, arg: A): Promise<T> {
    // Arguments here are plain JSON values, which reach the page unchanged.
    return this.page.evaluate(fn as (arg: unknown) => Promise<T> | T, arg);
  }

  /** The events heard so far. */
  heard(): Promise<HeardEvent[]> {
    return this.page.evaluate(() => window.events);
  }

  /** Waits until an event named `event` whose data contains `text` has been heard. */
  async waitFor(event: string, text = ''): Promise<HeardEvent> {
    let found: HeardEvent | undefined;
    await expect
      .poll(async () => {
        found = (await this.heard()).find(
          (e) => e.event === event && JSON.stringify(e.data).includes(text),
        );
        return found !== undefined;
      }, `the page hears ${event} ${text}`)
      .toBe(true);
    return found!;
  }

  /** Events heard whose data contains `text`. */
  async mentioning(text: string): Promise<HeardEvent[]> {
    return (await this.heard()).filter((e) => JSON.stringify(e.data).includes(text));
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
