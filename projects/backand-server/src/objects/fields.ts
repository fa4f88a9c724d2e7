import type { FieldSpec, FieldType, ObjectDefinition } from '../app-definition/schema';
import { HttpError } from '../http/http-error';
import { parsePoint } from './point';

/** The type of a field spec. */
export function fieldTypeOf(spec: FieldSpec): FieldType {
  return typeof spec === 'string' ? spec : spec.type;
}

/** Whether a field spec is required. */
export function isRequired(spec: FieldSpec): boolean {
  return typeof spec !== 'string' && spec.required === true;
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
  return Object.entries(object.fields)
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
