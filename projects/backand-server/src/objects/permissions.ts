import type { ObjectDefinition, PermissionSpec } from '../app-definition/schema';
import { isAdmin, type Identity } from '../auth/identity';
import { ownedBy } from '../auth/username';

/** A REST operation on an object. */
export type Operation = 'create' | 'read' | 'update' | 'delete';
/** How much of an object an operation may touch: every row, the caller's own rows, or none. */
export type Access = 'all' | 'own' | 'none';

const LETTER: Record<Operation, string> = { create: 'c', read: 'r', update: 'u', delete: 'd' };

/** Without `permissions`, admins may do everything and every other role may read. */
const DEFAULT_PERMISSIONS: Record<string, PermissionSpec> = { '*': { read: 'all' } };

/**
 * The access a role has for an operation on an object. `Admin` always has `all`; a role not
 * listed falls back to the `"*"` entry, else `none`. `own` needs an `ownerField`.
 */
export function accessForRole(object: ObjectDefinition, role: string, op: Operation): Access {
  if (role === 'Admin') return 'all';
  const permissions = object.permissions ?? DEFAULT_PERMISSIONS;
  const spec = permissions[role] ?? permissions['*'];
  if (spec === undefined) return 'none';
  const access: Access =
    typeof spec === 'string' ? (spec.includes(LETTER[op]) ? 'all' : 'none') : (spec[op] ?? 'none');
  return access === 'own' && !object.ownerField ? 'none' : access;
}

/** The access an identity has for an operation on an object (the master key has `all`). */
export function accessFor(object: ObjectDefinition, identity: Identity, op: Operation): Access {
  if (isAdmin(identity)) return 'all';
  return accessForRole(object, identity.role, op);
}

/** Whether an identity is among `roles` (admins and the master key always are). */
export function inRoles(identity: Identity, roles: readonly string[]): boolean {
  return isAdmin(identity) || roles.includes(identity.role);
}

/**
 * Whether `row` is owned by `username` through the object's owner field. Owners are stored in
 * canonical form (as the server writes them), and compared exactly, as SQL lists compare them.
 */
export function ownsRow(
  object: ObjectDefinition,
  username: string | null,
  row: Record<string, unknown>,
): boolean {
  return object.ownerField !== undefined && ownedBy(row[object.ownerField], username);
}

/** Whether an access level lets `username` touch `row`. */
export function allowsRow(
  access: Access,
  object: ObjectDefinition,
  username: string | null,
  row: Record<string, unknown>,
): boolean {
  return access === 'all' || (access === 'own' && ownsRow(object, username, row));
}
