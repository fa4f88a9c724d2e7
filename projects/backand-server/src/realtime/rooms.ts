import { canonicalUsername } from '../auth/username';

/** Room names of one app. Sockets join them only after a successful `login`. */
export class AppRooms {
  constructor(private readonly appName: string) {}

  /** Every authorized socket of the app. */
  get all(): string {
    return `app:${this.appName}`;
  }

  /** Sockets whose user has `role`. */
  role(role: string): string {
    return `role:${this.appName}:${role}`;
  }

  /** Sockets of one user, named in any spelling of the name (see `canonicalUsername`). */
  user(username: string): string {
    return `user:${this.appName}:${canonicalUsername(username)}`;
  }

  /**
   * Sockets of one user in one role: the audience of that user's "own" rows. `owner` is taken as
   * stored (canonical), exactly as REST compares owners, so an event never reaches a socket that
   * could not read its row.
   */
  roleUser(role: string, owner: string): string {
    return `role-user:${this.appName}:${role}:${owner}`;
  }
}
