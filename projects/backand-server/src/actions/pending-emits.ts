/** One emit requested by an action, delivered once its request succeeds. */
export type EmitRequest =
  | { kind: 'all'; event: string; data: unknown }
  | { kind: 'role'; event: string; data: unknown; role: string }
  | { kind: 'users'; event: string; data: unknown; users: string[] };

/** Where emits are finally delivered (the realtime hub). */
export interface EmitTarget {
  emitAll(event: string, data: unknown): void;
  emitRole(event: string, data: unknown, role: string): void;
  emitUsers(event: string, data: unknown, users: readonly string[]): void;
}

/**
 * Emits collected while a request runs. They are delivered after the write commits, so a
 * cancelled write (a throwing action) announces nothing.
 */
export class PendingEmits {
  private readonly queue: EmitRequest[] = [];

  /** The `socket` global handed to actions. */
  readonly socketApi = {
    emitAll: (event: unknown, data: unknown): void => {
      this.queue.push({ kind: 'all', event: eventName(event), data });
    },
    emitRole: (event: unknown, data: unknown, role: unknown): void => {
      this.queue.push({ kind: 'role', event: eventName(event), data, role: String(role) });
    },
    emitUsers: (event: unknown, data: unknown, users: unknown): void => {
      const list = Array.isArray(users)
        ? users
        : users === undefined || users === null
          ? []
          : [users];
      this.queue.push({ kind: 'users', event: eventName(event), data, users: list.map(String) });
    },
  };

  /** Delivers every collected emit, in order, and empties the queue. */
  flush(target: EmitTarget): void {
    for (const e of this.queue.splice(0)) {
      if (e.kind === 'all') target.emitAll(e.event, e.data);
      else if (e.kind === 'role') target.emitRole(e.event, e.data, e.role);
      else target.emitUsers(e.event, e.data, e.users);
    }
  }
}

function eventName(event: unknown): string {
  if (typeof event !== 'string' || event === '') {
    throw new Error('socket emit needs an event name (a non-empty string)');
  }
  return event;
}
