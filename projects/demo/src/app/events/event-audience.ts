/** Every realtime event the demo app's server can send. */
export const DEMO_EVENTS = [
  'items.created',
  'items.updated',
  'items.deleted',
  'notes.created',
  'notes.updated',
  'notes.deleted',
  'metrics.created',
  'metrics.updated',
  'metrics.deleted',
  'items_updated',
  'broadcast',
  'role_message',
  'user_message',
] as const;

/** The name of one of {@link DEMO_EVENTS}. */
export type DemoEventName = (typeof DEMO_EVENTS)[number];

/**
 * How an event reached this page, which tells the visitor who else received it:
 * `data` (an automatic data event, filtered by read permission), `everyone` (emitAll),
 * `role` (emitRole) or `user` (emitUsers).
 */
export type EventAudience = 'data' | 'everyone' | 'role' | 'user';

/**
 * Tells who an event was sent to, from its name.
 *
 * @example
 * audienceOf('role_message'); // 'role'
 */
export function audienceOf(name: DemoEventName): EventAudience {
  switch (name) {
    case 'broadcast':
    case 'items_updated':
      return 'everyone';
    case 'role_message':
      return 'role';
    case 'user_message':
      return 'user';
    default:
      return 'data';
  }
}
