import type { ObjectDefinition } from '../../app-definition/schema';
import { canonicalUsername } from '../../auth/username';
import { HttpError } from '../../http/http-error';
import { quoteIdent } from '../../storage/sql';
import { toStored, type SqlValue } from '../fields';
import { parseWithin, WITHIN_UNITS, withinSql } from '../point';
import { compileSubquery } from './nosql-query';
import {
  isPlainObject,
  resolveField,
  type FieldRef,
  type Fragment,
  type NoSqlBudget,
} from './nosql-scope';

/** The most values an `$in` / `$nin` list may hold. */
const MAX_IN_VALUES = 1000;

const COMPARISONS: Readonly<Record<string, string>> = {
  $lt: '<',
  $lte: '<=',
  $gt: '>',
  $gte: '>=',
};

/** The operators a field condition may use (beside the `$within…` family). */
export const NOSQL_OPERATORS = [
  '$eq',
  '$ne',
  '$neq',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$between',
  '$exists',
  '$like',
  '$in',
  '$nin',
  '$not',
  ...Object.keys(WITHIN_UNITS),
] as const;

/**
 * Compiles a NoSQL expression (the `q` of a query) on one object to a SQL condition. Field
 * names are resolved against the definition (never copied from the input) and quoted; every
 * value is a bound parameter.
 *
 * @example
 * compileExpression(budget, 'employees', def, { age: { $lt: 25 }, $or: [{ city: 'Boston' }, { city: 'Paris' }] })
 * // → { sql: '("age" < ? AND (("city" IS NOT DISTINCT FROM ?) OR ("city" IS NOT DISTINCT FROM ?)))', params: [25, 'Boston', 'Paris'] }
 * @throws HttpError 400 naming what is wrong; 403/404 for a sub-query on an object the viewer
 *   may not read or that does not exist.
 */
export function compileExpression(
  budget: NoSqlBudget,
  objectName: string,
  object: ObjectDefinition,
  expr: unknown,
  depth = 0,
): Fragment {
  budget.depth(depth);
  if (!isPlainObject(expr)) {
    throw new HttpError(400, `A NoSQL expression on "${objectName}" must be a JSON object`);
  }
  const parts: Fragment[] = [];
  for (const [key, value] of Object.entries(expr)) {
    if (key === '$or' || key === '$and') {
      if (!Array.isArray(value) || value.length === 0) {
        throw new HttpError(400, `"${key}" takes a non-empty array of expressions`);
      }
      const items = value.map((e) => compileExpression(budget, objectName, object, e, depth + 1));
      parts.push(join(items, key === '$or' ? ' OR ' : ' AND '));
    } else if (key === '$not') {
      const inner = compileExpression(budget, objectName, object, value, depth + 1);
      parts.push({ sql: `NOT COALESCE(${inner.sql}, FALSE)`, params: inner.params });
    } else if (key.startsWith('$')) {
      throw new HttpError(
        400,
        key === '$union'
          ? '"$union" combines whole queries: use it at the top of a query, not inside "q"'
          : `Unknown NoSQL operator "${key.slice(0, 40)}" (use "$or", "$and", "$not" or a field name)`,
      );
    } else {
      const field = resolveField(objectName, object, key);
      parts.push(condition(budget, objectName, object, field, value, depth + 1));
    }
  }
  return parts.length ? join(parts, ' AND ') : { sql: '1 = 1', params: [] };
}

function join(parts: Fragment[], op: string): Fragment {
  return {
    sql: parts.length === 1 ? parts[0]!.sql : `(${parts.map((p) => `(${p.sql})`).join(op)})`,
    params: parts.flatMap((p) => p.params),
  };
}

/** `{field: value}` or `{field: {$op: operand, …}}` (several operators are ANDed). */
function condition(
  budget: NoSqlBudget,
  objectName: string,
  object: ObjectDefinition,
  field: FieldRef,
  value: unknown,
  depth: number,
): Fragment {
  budget.depth(depth);
  const col = quoteIdent(field.name);
  // An owner's filter compares as SQL does (NULL equals nothing: a guest's {{sys::username}}
  // matches no row); a client's {"field": null} finds the rows without a value.
  const eq = budget.scope.trusted ? '=' : 'IS NOT DISTINCT FROM';
  const ne = budget.scope.trusted ? '<>' : 'IS DISTINCT FROM';
  const typed = (v: unknown): SqlValue => {
    const stored = storedValue(objectName, object, field, v);
    budget.bind(1);
    return stored;
  };
  if (!isPlainObject(value)) {
    if (Array.isArray(value)) {
      throw new HttpError(400, `"${field.name}" is compared with an array: use {"$in": [...]}`, {
        field: field.name,
      });
    }
    return { sql: `${col} ${eq} ?`, params: [typed(value)] };
  }
  const ops = Object.entries(value);
  if (ops.length === 0) {
    throw new HttpError(400, `The condition on "${field.name}" is empty`, { field: field.name });
  }
  const parts = ops.map(([op, operand]): Fragment => {
    const needValue = (): SqlValue => {
      const v = typed(operand);
      if (v === null) {
        throw new HttpError(400, `"${op}" on "${field.name}" needs a value, not null`, {
          field: field.name,
        });
      }
      return v;
    };
    if (COMPARISONS[op]) return { sql: `${col} ${COMPARISONS[op]} ?`, params: [needValue()] };
    if (WITHIN_UNITS[op] !== undefined) {
      if (field.type !== 'point') {
        throw new HttpError(400, `"${op}" needs a point field; "${field.name}" is ${field.type}`, {
          field: field.name,
        });
      }
      const { center, distance } = parseWithin(field.name, op, operand);
      const within = withinSql(col, center, distance * WITHIN_UNITS[op]!);
      budget.bind(within.params.length);
      return within;
    }
    switch (op) {
      case '$eq':
        return { sql: `${col} ${eq} ?`, params: [typed(operand)] };
      case '$ne':
      case '$neq':
        return { sql: `${col} ${ne} ?`, params: [typed(operand)] };
      case '$between': {
        if (!Array.isArray(operand) || operand.length !== 2) {
          throw new HttpError(400, `"$between" on "${field.name}" takes [low, high]`, {
            field: field.name,
          });
        }
        const [low, high] = operand.map((v) => {
          const t = typed(v);
          if (t === null) throw new HttpError(400, `"$between" on "${field.name}" needs values`);
          return t;
        });
        return { sql: `${col} BETWEEN ? AND ?`, params: [low!, high!] };
      }
      case '$exists':
        if (typeof operand !== 'boolean') {
          throw new HttpError(400, `"$exists" on "${field.name}" takes true or false`, {
            field: field.name,
          });
        }
        return { sql: operand ? `${col} IS NOT NULL` : `${col} IS NULL`, params: [] };
      case '$like': {
        if (typeof operand !== 'string' && typeof operand !== 'number') {
          throw new HttpError(400, `"$like" on "${field.name}" takes a string pattern`, {
            field: field.name,
          });
        }
        budget.bind(1);
        // The pattern's % and _ are wildcards, as in SQL; it is still a bound value.
        return { sql: `CAST(${col} AS TEXT) LIKE ?`, params: [String(operand)] };
      }
      case '$in':
      case '$nin':
        return membership(budget, objectName, object, field, op, operand, typed, depth);
      case '$not': {
        if (!isPlainObject(operand)) return { sql: `${col} ${ne} ?`, params: [typed(operand)] };
        const inner = condition(budget, objectName, object, field, operand, depth + 1);
        return { sql: `NOT COALESCE(${inner.sql}, FALSE)`, params: inner.params };
      }
      default:
        throw new HttpError(
          400,
          `Unknown operator "${op.slice(0, 40)}" on "${field.name}" (use ${NOSQL_OPERATORS.join(', ')})`,
          { field: field.name },
        );
    }
  });
  return join(parts, ' AND ');
}

function membership(
  budget: NoSqlBudget,
  objectName: string,
  object: ObjectDefinition,
  field: FieldRef,
  op: '$in' | '$nin',
  operand: unknown,
  typed: (v: unknown) => SqlValue,
  depth: number,
): Fragment {
  const col = quoteIdent(field.name);
  let list: Fragment;
  if (isPlainObject(operand)) {
    list = compileSubquery(budget, operand, depth + 1);
  } else if (Array.isArray(operand)) {
    if (operand.length > MAX_IN_VALUES) {
      throw new HttpError(400, `"${op}" on "${field.name}" takes at most ${MAX_IN_VALUES} values`);
    }
    if (operand.length === 0) return { sql: op === '$in' ? '0 = 1' : '1 = 1', params: [] };
    list = { sql: operand.map(() => '?').join(', '), params: operand.map(typed) };
  } else {
    throw new HttpError(400, `"${op}" on "${field.name}" takes an array or a sub-query`, {
      field: field.name,
    });
  }
  const test = `${col} IN (${list.sql})`;
  // NOT IN is unknown (so false) for NULLs: a row without the value is "not in".
  return { sql: op === '$in' ? test : `NOT COALESCE(${test}, FALSE)`, params: list.params };
}

/**
 * A value as the field stores it (so it compares like stored values): strings for text
 * fields (numbers are accepted and written as text), typed numbers, 0/1 booleans, ISO dates,
 * owner names in canonical form.
 */
function storedValue(
  objectName: string,
  object: ObjectDefinition,
  field: FieldRef,
  value: unknown,
): SqlValue {
  if (value === null || value === undefined) return null;
  if (isPlainObject(value) || Array.isArray(value)) {
    if (field.type !== 'json' && field.type !== 'point') {
      throw new HttpError(400, `"${field.name}" is compared with an object: use an operator`, {
        field: field.name,
      });
    }
  }
  let v = value;
  if ((field.type === 'string' || field.type === 'text') && typeof v !== 'string') {
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      throw new HttpError(400, `Invalid value for "${field.name}": expected a string`, {
        field: field.name,
      });
    }
    v = String(v);
  }
  const stored = toStored(objectName, field.name, field.type, v);
  return field.name === object.ownerField && typeof stored === 'string'
    ? canonicalUsername(stored)
    : stored;
}
