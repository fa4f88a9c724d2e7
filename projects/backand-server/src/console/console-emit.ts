import type { EmitTarget } from '../actions/pending-emits';
import { HttpError } from '../http/http-error';
import { isJsonObject } from '../http/json-object';

/** A test event the console sends: `emitAll`, `emitRole` or `emitUsers`. */
export type ConsoleEmit =
  | { kind: 'all'; event: string; data: unknown }
  | { kind: 'role'; event: string; data: unknown; role: string }
  | { kind: 'users'; event: string; data: unknown; users: string[] };

/** Names a client reserves or the protocol uses: never sent as test events. */
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
  'login',
  'authorized',
  'notAuthorized',
]);

/** The most users one test event names. */
const MAX_USERS = 1000;

/**
 * Reads the body of `POST /api/console/emit`: `{kind: 'all'|'role'|'users', event, data,
 * role?, users?}`.
 * @throws HttpError 400 naming the field that is wrong.
 */
export function parseConsoleEmit(body: unknown): ConsoleEmit {
  const bad = (field: string, message: string) =>
    new HttpError(400, `"${field}" ${message}`, { field });
  if (!isJsonObject(body)) throw new HttpError(400, 'The body must be a JSON object');
  const { kind, event, data = null } = body as Record<string, unknown>;
  if (typeof event !== 'string' || event.trim() === '' || event.length > 200) {
    throw bad('event', 'must be a name of 1 to 200 characters');
  }
  if (RESERVED.has(event) || event.startsWith('_console.')) {
    throw bad('event', `"${event}" is reserved`);
  }
  if (kind === 'all') return { kind, event, data };
  if (kind === 'role') {
    const role = body['role'];
    if (typeof role !== 'string' || role === '') throw bad('role', 'must be a role name');
    return { kind, event, data, role };
  }
  if (kind === 'users') {
    const users = body['users'];
    if (
      !Array.isArray(users) ||
      users.length === 0 ||
      users.length > MAX_USERS ||
      !users.every((u) => typeof u === 'string' && u !== '')
    ) {
      throw bad('users', `must be 1 to ${MAX_USERS} user names`);
    }
    return { kind, event, data, users: users as string[] };
  }
  throw bad('kind', 'must be "all", "role" or "users"');
}

/** Sends a test event through the hub, exactly as an action's `socket.emit*` would. */
export function sendConsoleEmit(target: EmitTarget, emit: ConsoleEmit): void {
  if (emit.kind === 'all') target.emitAll(emit.event, emit.data);
  else if (emit.kind === 'role') target.emitRole(emit.event, emit.data, emit.role);
  else target.emitUsers(emit.event, emit.data, emit.users);
}
