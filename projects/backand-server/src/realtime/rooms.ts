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

  /** Sockets of one user (usernames compare case-insensitively). */
  user(username: string): string {
    return `user:${this.appName}:${username.toLowerCase()}`;
  }

  /** Sockets of one user in one role: the audience of that user's "own" rows. */
  roleUser(role: string, username: string): string {
    return `role-user:${this.appName}:${role}:${username.toLowerCase()}`;
  }
}
