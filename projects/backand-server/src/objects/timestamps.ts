import type { ObjectDefinition } from '../app-definition/schema';
import type { DbRow } from './rows';

/**
 * Backand's automatic timestamps: an object with a `createdAt` and/or `updatedAt` field of type
 * `datetime` gets them filled by the server, as Backand's MySQL columns were
 * (`DEFAULT CURRENT_TIMESTAMP` / `ON UPDATE CURRENT_TIMESTAMP`):
 *
 * - create: `createdAt` and `updatedAt` are the time of the request unless the request gives them;
 * - update: `updatedAt` becomes the time of the request unless the request sets it to a value
 *   other than the stored one (a row read back and sent whole still gets a new `updatedAt`).
 *
 * Changes `values` (stored form) in place.
 */
export function stampTimes(
  object: ObjectDefinition,
  values: Record<string, unknown>,
  before?: DbRow,
  now = new Date(),
): void {
  const iso = now.toISOString();
  const has = (field: string) => {
    const spec = object.fields[field];
    return spec !== undefined && (typeof spec === 'string' ? spec : spec.type) === 'datetime';
  };
  if (!before) {
    if (has('createdAt') && values['createdAt'] == null) values['createdAt'] = iso;
    if (has('updatedAt') && values['updatedAt'] == null) values['updatedAt'] = iso;
    return;
  }
  if (!has('updatedAt')) return;
  const given = values['updatedAt'];
  if (given === undefined || given === null || given === before['updatedAt']) {
    values['updatedAt'] = iso;
  }
}
