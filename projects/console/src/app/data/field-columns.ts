import type { FieldSpec, ObjectSummary } from '../api/console-types';

/** A column of the data panel: a field that holds a value in the row (not a collection). */
export interface FieldColumn {
  name: string;
  /** `string`, `text`, `int`, `float`, `boolean`, `datetime`, `json`, … or `object` (a relation). */
  type: string;
}

/** The type of a field spec (`"int"`, or `{type: "int", …}`; a relation is `object`). */
export function fieldType(spec: FieldSpec): string {
  if (typeof spec === 'string') return spec;
  if (spec.type) return spec.type;
  if (spec.object !== undefined) return 'object';
  if (spec.collection !== undefined) return 'collection';
  return 'string';
}

/** The columns of an object, in definition order, without collections. */
export function columnsOf(object: ObjectSummary): FieldColumn[] {
  return Object.entries(object.fields)
    .map(([name, spec]) => ({ name, type: fieldType(spec) }))
    .filter((column) => column.type !== 'collection');
}

/** How a value shows in a cell or an input. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The value to send for what was typed into a field's input: numbers for `int`, `float` and
 * relations, `true`/`false` for `boolean`, parsed JSON for `json`, `null` for an empty
 * non-text input.
 * @throws Error when the text does not fit the type (shown to the admin; nothing is sent).
 */
export function fromText(column: FieldColumn, text: string): unknown {
  const trimmed = text.trim();
  const textual = column.type === 'string' || column.type === 'text';
  if (trimmed === '' && !textual) return null;
  switch (column.type) {
    case 'int':
    case 'float':
    case 'object': {
      const n = Number(trimmed);
      if (!Number.isFinite(n)) throw new Error(`${column.name} must be a number`);
      return n;
    }
    case 'boolean':
      if (trimmed !== 'true' && trimmed !== 'false') {
        throw new Error(`${column.name} must be true or false`);
      }
      return trimmed === 'true';
    case 'json':
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        throw new Error(`${column.name} must be JSON`);
      }
    default:
      return text;
  }
}
