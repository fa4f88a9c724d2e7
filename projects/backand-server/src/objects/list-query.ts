import type { FieldType, ObjectDefinition } from '../app-definition/schema';
import { canonicalUsername } from '../auth/username';
import { HttpError } from '../http/http-error';
import { escapeLike, quoteIdent } from '../storage/sql';
import { fieldTypeOf, textFields, toStored, type SqlValue } from './fields';
import type { FilterItem, ListParams } from './list-params';
import { noSqlListWhere, type ReadScope } from './nosql/nosql-list';
import { securityFilter } from './security-filter';

/** The most values one list query binds (SQLite allows 32766 in a statement). */
export const MAX_BOUND_VALUES = 10_000;

/** A WHERE clause and its bound values. */
export interface SqlWhere {
  sql: string;
  params: SqlValue[];
}

/** The type of a field of an object, `int` for `id`. @throws HttpError 400 for unknown fields. */
export function fieldType(
  objectName: string,
  object: ObjectDefinition,
  field: string,
  usage: string,
): FieldType {
  if (field === 'id') return 'int';
  const spec = Object.prototype.hasOwnProperty.call(object.fields, field)
    ? object.fields[field]
    : undefined;
  if (!spec) {
    throw new HttpError(400, `Unknown field "${field}" in ${usage} of "${objectName}"`, { field });
  }
  if (typeof spec !== 'string' && spec.type === 'collection') {
    // Virtual: no column. Its rows are filtered through their own object's `via` field.
    throw new HttpError(
      400,
      `Field "${field}" of "${objectName}" is a collection and cannot be used in ${usage}: use "${spec.via}" of "${spec.object}"`,
      { field },
    );
  }
  return fieldTypeOf(spec);
}

/**
 * Builds the WHERE clause of a list: the filters (or the NoSQL filter's `q`), the free-text
 * search, for "own" access the owner restriction, and the object's pre-defined filter for
 * `scope.viewer`. Identifiers come from the definition; every value is a bound parameter.
 * @param scope the reader: needed for NoSQL filters and for objects with a pre-defined filter
 *   (without it such a list fails with a 500 rather than show rows the filter hides).
 */
export function buildWhere(
  objectName: string,
  object: ObjectDefinition,
  params: Pick<ListParams, 'filter' | 'search'> & Pick<Partial<ListParams>, 'nosql'>,
  ownerOnly: string | null | undefined,
  scope?: ReadScope,
): SqlWhere {
  const clauses: string[] = [];
  const values: SqlValue[] = [];
  if (object.predefinedFilter !== undefined || params.nosql) {
    if (!scope) {
      throw new HttpError(
        500,
        `Reading "${objectName}" here needs the reader (pre-defined or NoSQL filter)`,
      );
    }
    for (const part of [
      params.nosql ? noSqlListWhere(scope, objectName, object, params.nosql) : null,
      securityFilter(scope.app, objectName, scope.viewer),
    ]) {
      if (!part) continue;
      clauses.push(`(${part.sql})`);
      values.push(...part.params);
    }
  }
  for (const item of params.filter) {
    const clause = filterClause(objectName, object, item);
    clauses.push(clause.sql);
    values.push(...clause.params);
    if (values.length > MAX_BOUND_VALUES) {
      throw new HttpError(
        400,
        `The filter of "${objectName}" has too many values (at most ${MAX_BOUND_VALUES} in all)`,
      );
    }
  }
  if (params.search) {
    const fields = textFields(object);
    if (fields.length === 0) clauses.push('0 = 1');
    else {
      clauses.push(`(${fields.map((f) => `${quoteIdent(f)} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
      values.push(...fields.map(() => `%${escapeLike(params.search)}%`));
    }
  }
  if (ownerOnly !== undefined) {
    // A guest owns nothing.
    if (ownerOnly === null || !object.ownerField) clauses.push('0 = 1');
    else {
      clauses.push(`${quoteIdent(object.ownerField)} = ?`);
      values.push(canonicalUsername(ownerOnly));
    }
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params: values };
}

/** Builds the ORDER BY clause; `id` ascending breaks ties so pages are stable. */
export function buildOrderBy(
  objectName: string,
  object: ObjectDefinition,
  params: Pick<ListParams, 'sort'>,
): string {
  const keys = params.sort.map((s) => {
    fieldType(objectName, object, s.fieldName, 'sort');
    return `${quoteIdent(s.fieldName)} ${s.order === 'desc' ? 'DESC' : 'ASC'}`;
  });
  if (!params.sort.some((s) => s.fieldName === 'id')) keys.push('"id" ASC');
  return `ORDER BY ${keys.join(', ')}`;
}

function filterClause(objectName: string, object: ObjectDefinition, item: FilterItem): SqlWhere {
  const type = fieldType(objectName, object, item.fieldName, 'filter');
  const col = quoteIdent(item.fieldName);
  // Owners are stored as canonical user names: a filter on the owner field names a user in
  // any spelling of the name.
  const userName = item.fieldName === object.ownerField;
  const typed = (v: unknown): SqlValue => {
    if (v === null || v === undefined) return null;
    const stored = toStored(objectName, item.fieldName, type, v);
    return userName && typeof stored === 'string' ? canonicalUsername(stored) : stored;
  };
  const text = (v: unknown): string => {
    if (v === null || v === undefined || typeof v === 'object') {
      throw new HttpError(
        400,
        `Filter "${item.operator}" on "${item.fieldName}" needs a string or number value`,
        { field: item.fieldName },
      );
    }
    return escapeLike(userName ? canonicalUsername(String(v)) : String(v));
  };
  const like = (pattern: string, negate: boolean): SqlWhere => ({
    sql: negate
      ? `(${col} IS NULL OR CAST(${col} AS TEXT) NOT LIKE ? ESCAPE '\\')`
      : `CAST(${col} AS TEXT) LIKE ? ESCAPE '\\'`,
    params: [pattern],
  });
  const compare = (op: string): SqlWhere => {
    const value = typed(item.value);
    if (value === null) {
      throw new HttpError(400, `Filter "${item.operator}" on "${item.fieldName}" needs a value`, {
        field: item.fieldName,
      });
    }
    return { sql: `${col} ${op} ?`, params: [value] };
  };
  switch (item.operator) {
    case 'equals':
      return { sql: `${col} IS NOT DISTINCT FROM ?`, params: [typed(item.value)] };
    case 'notEquals':
      return { sql: `${col} IS DISTINCT FROM ?`, params: [typed(item.value)] };
    case 'greaterThan':
      return compare('>');
    case 'greaterThanOrEqualsTo':
      return compare('>=');
    case 'lessThan':
      return compare('<');
    case 'lessThanOrEqualsTo':
      return compare('<=');
    case 'empty':
      return { sql: `(${col} IS NULL OR ${col} = '')`, params: [] };
    case 'notEmpty':
      return { sql: `(${col} IS NOT NULL AND ${col} <> '')`, params: [] };
    case 'startsWith':
      return like(`${text(item.value)}%`, false);
    case 'endsWith':
      return like(`%${text(item.value)}`, false);
    case 'contains':
      return like(`%${text(item.value)}%`, false);
    case 'notContains':
      return like(`%${text(item.value)}%`, true);
    case 'in': {
      const list = Array.isArray(item.value)
        ? item.value
        : typeof item.value === 'string'
          ? item.value.split(',').map((s) => s.trim())
          : item.value === undefined || item.value === null
            ? []
            : [item.value];
      if (list.length === 0) return { sql: '0 = 1', params: [] };
      if (list.length > 1000) {
        throw new HttpError(400, `Filter "in" on "${item.fieldName}" takes at most 1000 values`);
      }
      return { sql: `${col} IN (${list.map(() => '?').join(', ')})`, params: list.map(typed) };
    }
  }
}
