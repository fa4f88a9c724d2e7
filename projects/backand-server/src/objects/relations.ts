import type {
  AppDefinition,
  CollectionFieldSpec,
  FieldSpec,
  ObjectDefinition,
  ObjectFieldSpec,
} from '../app-definition/schema';
import { HttpError } from '../http/http-error';
import type { SqlValue } from './fields';

/** Whether a field is a relation (many-to-one `object` or one-to-many `collection`). */
export function isRelation(spec: FieldSpec): spec is ObjectFieldSpec | CollectionFieldSpec {
  return typeof spec !== 'string' && (spec.type === 'object' || spec.type === 'collection');
}

/** The many-to-one fields of an object. */
export function objectFields(object: ObjectDefinition): Array<[string, ObjectFieldSpec]> {
  return Object.entries(object.fields).filter(
    (e): e is [string, ObjectFieldSpec] => typeof e[1] !== 'string' && e[1].type === 'object',
  );
}

/** The one-to-many fields of an object. */
export function collectionFields(object: ObjectDefinition): Array<[string, CollectionFieldSpec]> {
  return Object.entries(object.fields).filter(
    (e): e is [string, CollectionFieldSpec] =>
      typeof e[1] !== 'string' && e[1].type === 'collection',
  );
}

/** A many-to-one field of some object that points at a given object. */
export interface Reference {
  /** The object holding the field (the "many" side). */
  object: string;
  field: string;
  onDelete: ObjectFieldSpec['onDelete'];
}

/** Every many-to-one field of the app that points at `target` (self-references included). */
export function referencesTo(app: AppDefinition, target: string): Reference[] {
  const out: Reference[] = [];
  for (const [name, object] of Object.entries(app.objects)) {
    for (const [field, spec] of objectFields(object)) {
      if (spec.object === target) out.push({ object: name, field, onDelete: spec.onDelete });
    }
  }
  return out;
}

/**
 * The id a client wrote into a many-to-one field: a positive integer (or its string), `null`
 * or `""` for none, or a related row as read with `deep` (`{id}` or `{__metadata: {id}}`).
 * @throws HttpError 400 naming the field.
 */
export function relationIdOf(objectName: string, field: string, value: unknown): SqlValue {
  if (value === null || value === '') return null;
  let id: unknown = value;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const row = value as Record<string, unknown>;
    const meta = row['__metadata'];
    id =
      row['id'] ??
      (meta && typeof meta === 'object' ? (meta as Record<string, unknown>)['id'] : undefined);
  }
  const n = typeof id === 'string' && /^\d{1,15}$/.test(id.trim()) ? Number(id.trim()) : id;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 1) return n;
  throw new HttpError(
    400,
    `Invalid value for field "${field}" of "${objectName}": expected the id of a related row (a positive integer), a row with an "id", or null`,
    { field },
  );
}
