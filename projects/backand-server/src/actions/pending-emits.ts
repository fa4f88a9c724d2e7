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
 * Emits collected while a request runs. Actions queue them inside their sandbox, where data
 * without a JSON form (a BigInt, a cycle) fails the action, not the delivery; they arrive here as
 * JSON data. They are delivered after the write commits, so a cancelled write announces nothing.
 */
export class PendingEmits {
  private readonly queue: EmitRequest[] = [];

  /** Adds the emits of a run that succeeded, in order. */
  add(emits: readonly EmitRequest[]): void {
    for (const e of emits) this.queue.push(e);
  }

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
