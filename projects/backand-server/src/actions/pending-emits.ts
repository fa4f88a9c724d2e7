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

/** Where failed deliveries are reported (pino's shape). */
export interface EmitLogger {
  error(obj: object, msg?: string): void;
}

/**
 * Emits collected while a request runs. Their data is turned into JSON when the action emits, so
 * data that cannot be sent (a BigInt, a cycle) fails the action, not the delivery. They are delivered after the write commits, so a
 * cancelled write (a throwing action) announces nothing.
 */
export class PendingEmits {
  private readonly queue: EmitRequest[] = [];

  /** The `socket` global handed to actions. */
  readonly socketApi = {
    emitAll: (event: unknown, data: unknown): void => {
      const name = eventName(event);
      this.queue.push({ kind: 'all', event: name, data: jsonData(name, data) });
    },
    emitRole: (event: unknown, data: unknown, role: unknown): void => {
      const name = eventName(event);
      this.queue.push({
        kind: 'role',
        event: name,
        data: jsonData(name, data),
        role: String(role),
      });
    },
    emitUsers: (event: unknown, data: unknown, users: unknown): void => {
      const list = Array.isArray(users)
        ? users
        : users === undefined || users === null
          ? []
          : [users];
      const name = eventName(event);
      this.queue.push({
        kind: 'users',
        event: name,
        data: jsonData(name, data),
        users: list.map(String),
      });
    },
  };

  /**
   * Delivers every collected emit, in order, and empties the queue. The write has committed by
   * now: a delivery that fails is logged and the next ones still go out.
   */
  flush(target: EmitTarget, logger?: EmitLogger): void {
    for (const e of this.queue.splice(0)) {
      try {
        if (e.kind === 'all') target.emitAll(e.event, e.data);
        else if (e.kind === 'role') target.emitRole(e.event, e.data, e.role);
        else target.emitUsers(e.event, e.data, e.users);
      } catch (err) {
        logger?.error({ err, event: e.event }, 'delivering an emit failed');
      }
    }
  }
}

/** A JSON copy of emitted data. @throws Error (inside the action) when it has no JSON form. */
function jsonData(event: string, data: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`socket emit "${event}": the data cannot be sent as JSON (${reason})`);
  }
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

function eventName(event: unknown): string {
  if (typeof event !== 'string' || event === '') {
    throw new Error('socket emit needs an event name (a non-empty string)');
  }
  return event;
}
