import type { ObjectDefinition } from '../app-definition/schema';
import { HttpError } from '../http/http-error';
import { jsonObjectBody } from '../http/json-object';
import { quoteIdent } from '../storage/sql';
import { rowMetadata } from './row-metadata';
import {
  defaultValueOf,
  fieldTypeOf,
  fromStored,
  isRequired,
  storedFields,
  toStored,
  type SqlValue,
} from './fields';
import { relationIdOf } from './relations';

/** A row as stored (column name → SQLite value). */
export type DbRow = Record<string, unknown> & { id: number };

/** Keys a client may send back with a row that are not fields: ignored on writes. */
const IGNORED_INPUT_KEYS = new Set(['id', '__metadata']);

/** The SELECT list of an object: `id` and its declared fields. */
export function selectList(object: ObjectDefinition): string {
  return ['id', ...storedFields(object).map(([name]) => name)].map(quoteIdent).join(', ');
}

/**
 * The JSON form of a stored row: `id`, every field with its JSON type (a many-to-one field as
 * the related row's id, a collection as `null`, as Backand answered shallow reads), and
 * `__metadata: {id, fields, descriptives, dates}` unless excluded (see {@link rowMetadata}).
 */
export function toOutputRow(
  object: ObjectDefinition,
  row: DbRow,
  withMetadata = true,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: Number(row.id) };
  for (const [name, spec] of Object.entries(object.fields)) {
    out[name] =
      typeof spec !== 'string' && spec.type === 'collection'
        ? null
        : fromStored(fieldTypeOf(spec), row[name]);
  }
  if (withMetadata) out['__metadata'] = rowMetadata(object, out);
  return out;
}

/**
 * Checks a create/update body against the object's fields and converts it to stored values.
 * Fields left out of a create take their `defaultValue`. Unknown fields, wrong types, and
 * missing (create) or nulled (update) required fields are `400` errors naming the field.
 */
export function toStoredValues(
  objectName: string,
  object: ObjectDefinition,
  body: unknown,
  mode: 'create' | 'update',
): Record<string, SqlValue> {
  const input = jsonObjectBody(body, `The body must be a JSON object of "${objectName}" fields`);
  const values: Record<string, SqlValue> = {};
  for (const [name, value] of Object.entries(input)) {
    if (IGNORED_INPUT_KEYS.has(name)) continue;
    const spec = Object.prototype.hasOwnProperty.call(object.fields, name)
      ? object.fields[name]
      : undefined;
    if (!spec) {
      throw new HttpError(400, `Unknown field "${name}" for "${objectName}"`, { field: name });
    }
    if (value === undefined) continue;
    if (typeof spec !== 'string' && spec.type === 'collection') {
      // A row read back (shallow: null) may carry it; its rows are written through their own object.
      if (value === null) continue;
      throw new HttpError(
        400,
        `Field "${name}" of "${objectName}" is a collection: set "${spec.via}" of the "${spec.object}" rows instead`,
        { field: name },
      );
    }
    values[name] =
      typeof spec !== 'string' && spec.type === 'object'
        ? relationIdOf(objectName, name, value)
        : toStored(objectName, name, fieldTypeOf(spec), value);
  }
  if (mode === 'create') {
    for (const [name, spec] of storedFields(object)) {
      const fallback = defaultValueOf(spec);
      if (values[name] === undefined && fallback !== undefined) {
        values[name] = toStored(objectName, name, fieldTypeOf(spec), fallback);
      }
    }
  }
  for (const [name, spec] of storedFields(object)) {
    if (!isRequired(spec)) continue;
    const missing =
      mode === 'create'
        ? values[name] === undefined || values[name] === null
        : values[name] === null;
    if (missing) {
      throw new HttpError(400, `Field "${name}" of "${objectName}" is required`, { field: name });
    }
  }
  return values;
}

/** Parses a row id from a URL segment. @throws HttpError 400 when it is not a positive integer. */
export function parseId(objectName: string, raw: string): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
    throw new HttpError(
      400,
      `Invalid id "${raw.slice(0, 40)}" for "${objectName}": expected a positive integer`,
    );
  }
  return Number(raw);
}

/**
 * A row as realtime events carry it: its fields, and `__metadata` only `{id}` (field
 * descriptions would repeat in every event). Live lists keep the rows of a REST list.
 */
export function eventRow(row: Record<string, unknown>): Record<string, unknown> {
  const meta = row['__metadata'];
  if (!meta || typeof meta !== 'object') return row;
  return { ...row, __metadata: { id: (meta as { id?: unknown }).id } };
}
