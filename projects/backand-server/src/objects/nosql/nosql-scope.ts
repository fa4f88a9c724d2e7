import type { AppDefinition, FieldType, ObjectDefinition } from '../../app-definition/schema';
import { HttpError } from '../../http/http-error';
import { fieldTypeOf, storedFields, type SqlValue } from '../fields';
import { MAX_BOUND_VALUES } from '../list-query';

/** Who reads: what permissions, pre-defined filters and `{{sys::…}}` tokens are evaluated for. */
export interface Viewer {
  kind: 'user' | 'anonymous' | 'master';
  username: string | null;
  role: string;
  userId: string | null;
}

/** What a NoSQL query is compiled against. */
export interface NoSqlScope {
  app: AppDefinition;
  viewer: Viewer;
  /**
   * Written by the app's owner (a pre-defined filter): its sub-queries read without the
   * viewer's permissions. Never set for anything a client sends.
   */
  trusted?: boolean;
}

/** The deepest nesting of expressions and sub-queries one query may have. */
export const MAX_NOSQL_DEPTH = 32;
/** The most sub-queries and union parts one query may hold. */
export const MAX_NOSQL_SELECTS = 16;

/** A compiled fragment and its bound values. */
export interface Fragment {
  sql: string;
  params: SqlValue[];
}

/** A field of an object as a query names it: its declared name and type. */
export interface FieldRef {
  name: string;
  type: FieldType;
}

/**
 * The state of one compilation: the scope, and the budgets that keep a hostile query small
 * (bound values, nesting, sub-queries).
 */
export class NoSqlBudget {
  private bound = 0;
  private selects = 0;

  constructor(readonly scope: NoSqlScope) {}

  /** Counts bound values. @throws HttpError 400 past {@link MAX_BOUND_VALUES}. */
  bind(n: number): void {
    this.bound += n;
    if (this.bound > MAX_BOUND_VALUES) {
      throw new HttpError(
        400,
        `The query has too many values (at most ${MAX_BOUND_VALUES} in all)`,
      );
    }
  }

  /** Counts a sub-query or union part. */
  select(): void {
    if (++this.selects > MAX_NOSQL_SELECTS) {
      throw new HttpError(400, `The query has too many sub-queries (at most ${MAX_NOSQL_SELECTS})`);
    }
  }

  /** @throws HttpError 400 when `depth` is past {@link MAX_NOSQL_DEPTH}. */
  depth(depth: number): void {
    if (depth > MAX_NOSQL_DEPTH) {
      throw new HttpError(
        400,
        `The query is nested too deeply (at most ${MAX_NOSQL_DEPTH} levels)`,
      );
    }
  }
}

/**
 * An object of the app by the name a query uses: exactly, else the one whose name matches
 * ignoring case (the docs' examples write `Employees` for `employees`).
 * @throws HttpError 404 for an unknown object.
 */
export function resolveObject(
  app: AppDefinition,
  name: unknown,
): { name: string; object: ObjectDefinition } {
  if (typeof name !== 'string' || name === '') {
    throw new HttpError(400, '"object" must name an object of the app');
  }
  const found = lookup(Object.keys(app.objects), name);
  if (!found) throw new HttpError(404, `Unknown object "${name.slice(0, 60)}"`);
  return { name: found, object: app.objects[found]! };
}

/**
 * A field of an object by the name a query uses (`id` included), exactly or ignoring case.
 * @throws HttpError 400 naming the field when the object has none such.
 */
export function resolveField(objectName: string, object: ObjectDefinition, key: string): FieldRef {
  if (key === 'id' || key.toLowerCase() === 'id') return { name: 'id', type: 'int' };
  const stored = new Map(storedFields(object));
  const found = lookup([...stored.keys()], key);
  if (!found) {
    throw new HttpError(400, `Unknown field "${key.slice(0, 60)}" of "${objectName}"`, {
      field: key.slice(0, 60),
    });
  }
  return { name: found, type: fieldTypeOf(stored.get(found)!) };
}

function lookup(names: string[], name: string): string | undefined {
  if (names.includes(name)) return name;
  const lower = name.toLowerCase();
  const matches = names.filter((n) => n.toLowerCase() === lower);
  return matches.length === 1 ? matches[0] : undefined;
}

/** Whether a value is a plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
