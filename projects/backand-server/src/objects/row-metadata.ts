import type { FieldSpec, ObjectDefinition } from '../app-definition/schema';
import { defaultValueOf, fieldTypeOf, isRequired, isUnique, storedFields } from './fields';

/** What `__metadata.fields` says of one field, as Backand's answers did. */
export type FieldMetadata = Record<string, unknown>;

/** The `__metadata` of a row in a read answer (Backand's shape). */
export interface RowMetadata {
  id: string;
  /** Each field's declaration: `id` first (`{type: "int", unique: true}`). */
  fields: Readonly<Record<string, FieldMetadata>>;
  /** Display values of related rows (none: this server's rows carry no descriptive labels). */
  descriptives: Record<string, never>;
  /** Each `datetime` field that holds a value, as `YYYY-MM-DD hh:mm:ssZ`. */
  dates: Record<string, string>;
}

const fieldsCache = new WeakMap<ObjectDefinition, Readonly<Record<string, FieldMetadata>>>();

/** `__metadata.fields` of an object, built once per object definition. */
function fieldsOf(object: ObjectDefinition): Readonly<Record<string, FieldMetadata>> {
  let fields = fieldsCache.get(object);
  if (!fields) {
    const out: Record<string, FieldMetadata> = { id: { type: 'int', unique: true } };
    for (const [name, spec] of Object.entries(object.fields)) out[name] = describeField(spec);
    fields = Object.freeze(out);
    fieldsCache.set(object, fields);
  }
  return fields;
}

function describeField(spec: FieldSpec): FieldMetadata {
  if (typeof spec !== 'string' && spec.type === 'collection') {
    return { collection: spec.object, via: spec.via };
  }
  if (typeof spec !== 'string' && spec.type === 'object') return { object: spec.object };
  const out: FieldMetadata = { type: fieldTypeOf(spec) };
  if (isRequired(spec)) out['required'] = true;
  if (isUnique(spec)) out['unique'] = true;
  const fallback = defaultValueOf(spec);
  if (fallback !== undefined) out['defaultValue'] = fallback;
  return out;
}

/**
 * The `__metadata` of a row read through REST: `{id, fields, descriptives, dates}`, as
 * Backand's SDK documentation shows it. `row` is the row's JSON form.
 */
export function rowMetadata(object: ObjectDefinition, row: Record<string, unknown>): RowMetadata {
  const dates: Record<string, string> = {};
  for (const [name, spec] of storedFields(object)) {
    const value = row[name];
    if (fieldTypeOf(spec) === 'datetime' && typeof value === 'string') {
      dates[name] = value.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    }
  }
  return { id: String(row['id']), fields: fieldsOf(object), descriptives: {}, dates };
}
