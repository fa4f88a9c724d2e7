/**
 * **(ext)** An event the realtime hub sent, as told to an observer (the console's event tap):
 * what went out and to which rooms. It carries the data as sent; observers that show it must
 * redact it.
 */
export interface EmittedEvent {
  /** The event name, e.g. `items_updated` or `items.created`. */
  readonly event: string;
  readonly data: unknown;
  /** How it was addressed: `emitAll`, `emitRole`, `emitUsers` or an automatic row event. */
  readonly kind: 'all' | 'role' | 'users' | 'row';
  /** For people: `all`, `role Admin`, `users a@x, b@y`, `readers of items 7`. */
  readonly audience: string;
  /** The rooms it went to, minus {@link except}. */
  readonly rooms: readonly string[];
  readonly except?: readonly string[];
}

/** Called synchronously right after each emit. */
export type EmitObserver = (emitted: EmittedEvent) => void;
