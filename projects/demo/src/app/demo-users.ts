/** A user seeded by backand-server's built-in demo app (projects/backand-server/src/demo/demo-app.json). */
export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly name: string;
  readonly role: 'Admin' | 'User' | 'ReadOnly';
  /** What this user may do, in a few words, shown on the sign-in card. */
  readonly can: string;
}

/** The demo app's seeded users, offered as one-click sign-ins. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'ada@demo.test',
    password: 'ada-password',
    name: 'Ada Lovelace',
    role: 'Admin',
    can: 'edits and deletes every item',
  },
  {
    username: 'ann@demo.test',
    password: 'ann-password',
    name: 'Ann Lee',
    role: 'User',
    can: 'creates items, edits her own',
  },
  {
    username: 'bob@demo.test',
    password: 'bob-password',
    name: 'Bob Stone',
    role: 'User',
    can: 'creates items, edits his own',
  },
  {
    username: 'rita@demo.test',
    password: 'rita-password',
    name: 'Rita Reed',
    role: 'ReadOnly',
    can: 'reads everything, changes nothing',
  },
];

/** Roles an `emitRole` can target in the demo app. */
export const DEMO_ROLES = ['Admin', 'User', 'ReadOnly', 'Public'] as const;

/**
 * The initials shown in an avatar.
 *
 * @example
 * initials('Ada Lovelace'); // 'AL'
 */
export function initials(name: string): string {
  return name
    .split(/\s+/)
    .map((part) => part.charAt(0))
    .join('')
    .slice(0, 2)
    .toUpperCase();
}
