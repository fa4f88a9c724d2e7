/**
 * Direct REST calls to backand-server, for what the tests do outside the pages: barriers that
 * prove an event did NOT arrive, and writes that no page of the test makes.
 */

/** The demo app's seeded users (projects/backand-server/src/demo/demo-app.json). */
export const USERS = {
  ada: { username: 'ada@demo.test', password: 'ada-password', name: 'Ada Lovelace', role: 'Admin' },
  ann: { username: 'ann@demo.test', password: 'ann-password', name: 'Ann Lee', role: 'User' },
  bob: { username: 'bob@demo.test', password: 'bob-password', name: 'Bob Stone', role: 'User' },
  rita: {
    username: 'rita@demo.test',
    password: 'rita-password',
    name: 'Rita Reed',
    role: 'ReadOnly',
  },
} as const;

/** A seeded user's short name. */
export type DemoUserName = keyof typeof USERS;

/** A REST client signed in as one demo user. */
export class DemoApi {
  private constructor(
    private readonly url: string,
    private readonly authorization: string,
  ) {}

  /** Signs in through `POST /token`, as the Backand clients do. */
  static async signIn(url: string, who: DemoUserName): Promise<DemoApi> {
    const { username, password } = USERS[who];
    const res = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password, appName: 'demo', grant_type: 'password' }),
    });
    if (!res.ok) throw new Error(`sign-in as ${who} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { access_token: string };
    return new DemoApi(url, `Bearer ${body.access_token}`);
  }

  /** Runs an on-demand action of `items`; the fields of `body` reach its `parameters`. */
  action(name: 'broadcast' | 'notifyRole' | 'notifyUsers', body: object): Promise<unknown> {
    return this.send('POST', `/1/objects/action/items?name=${name}`, body);
  }

  /** Creates a row and answers its id. */
  async create(object: string, row: object): Promise<string> {
    const answer = (await this.send('POST', `/1/objects/${object}`, row)) as {
      __metadata: { id: string };
    };
    return String(answer.__metadata.id);
  }

  private async send(method: string, path: string, body?: object): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: this.authorization,
        appname: 'demo',
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

/** A text no earlier test or page can have produced. */
export function unique(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
