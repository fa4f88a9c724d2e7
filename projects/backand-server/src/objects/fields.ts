import type {
  FieldSpec,
  FieldType,
  ObjectDefinition,
  StoredFieldSpec,
} from '../app-definition/schema';
import { HttpError } from '../http/http-error';
import { parsePoint } from './point';

/** The stored type of a field spec: a many-to-one field stores the related row's id (`int`). */
export function fieldTypeOf(spec: StoredFieldSpec): FieldType {
  if (typeof spec === 'string') return spec;
  return spec.type === 'object' ? 'int' : spec.type;
}

/** The fields of an object that have a column (every field but collections), in order. */
export function storedFields(object: ObjectDefinition): Array<[string, StoredFieldSpec]> {
  const out: Array<[string, StoredFieldSpec]> = [];
  for (const [name, spec] of Object.entries(object.fields)) {
    if (typeof spec === 'string' || spec.type !== 'collection') out.push([name, spec]);
  }
  return out;
}

/** Whether a field spec is required. */
export function isRequired(spec: FieldSpec): boolean {
  return typeof spec !== 'string' && 'required' in spec && spec.required === true;
}

/** Whether a field spec asks for unique values. */
export function isUnique(spec: FieldSpec): boolean {
  return typeof spec !== 'string' && 'unique' in spec && spec.unique === true;
}

/** A field's declared `defaultValue`, or `undefined` when it has none. */
export function defaultValueOf(spec: FieldSpec): string | number | boolean | null | undefined {
  return typeof spec !== 'string' && 'defaultValue' in spec ? spec.defaultValue : undefined;
}

/** SQLite value types that better-sqlite3 binds. */
export type SqlValue = string | number | bigint | null;

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Checks a client value against a field type and converts it to what is stored.
 * Numeric strings are accepted for numbers (form inputs send them), `"true"/"false"` and 0/1
 * for booleans, ISO strings or epoch milliseconds for datetimes (stored as ISO strings).
 * @throws HttpError 400 naming the field.
 */
export function toStored(object: string, field: string, type: FieldType, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  const bad = (expected: string): never => {
    throw new HttpError(
      400,
      `Invalid value for field "${field}" of "${object}": expected ${expected}, got ${describe(value)}`,
      { field },
    );
  };
  switch (type) {
    case 'string':
    case 'text':
      return typeof value === 'string' ? value : bad('a string');
    case 'int': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && INT.test(value.trim())) {
        const n = Number(value.trim());
        if (Number.isSafeInteger(n)) return n;
      }
      return bad('an integer');
    }
    case 'float': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && FLOAT.test(value.trim())) return Number(value.trim());
      return bad('a number');
    }
    case 'boolean':
      if (value === true || value === 1 || value === 'true' || value === '1') return 1;
      if (value === false || value === 0 || value === 'false' || value === '0') return 0;
      return bad('a boolean');
    case 'datetime': {
      if (typeof value === 'number' && Number.isFinite(value)) return isoOrBad(value, bad);
      if (typeof value === 'string' && value.trim() !== '') return isoOrBad(value, bad);
      return bad('a date-time (ISO 8601 string or epoch milliseconds)');
    }
    case 'json':
      return JSON.stringify(value);
    case 'point': {
      const point = parsePoint(value);
      return point ? JSON.stringify(point) : bad('a point [latitude, longitude]');
    }
  }
}

function isoOrBad(value: string | number, bad: (expected: string) => never): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    return bad('a date-time (ISO 8601 string or epoch milliseconds)');
  return date.toISOString();
}

/** Converts a stored value back to its JSON form for a response. */
export function fromStored(type: FieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'boolean':
      return value === 1 || value === 1n || value === true;
    case 'json':
    case 'point':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    case 'int':
      return typeof value === 'bigint' ? Number(value) : value;
    default:
      return value;
  }
}

/** The field names of an object that free-text `search` looks at. */
export function textFields(object: ObjectDefinition): string[] {
  return storedFields(object)
    .filter(([, spec]) => ['string', 'text'].includes(fieldTypeOf(spec)))
    .map(([name]) => name);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
