import type { FieldType } from '../../app-definition/schema';
import { HttpError } from '../../http/http-error';
import { quoteIdent } from '../../storage/sql';
import { fromStored, type SqlValue } from '../fields';
import { readRestriction } from '../security-filter';
import { compileExpression } from './nosql-expression';
import {
  isPlainObject,
  resolveField,
  resolveObject,
  type FieldRef,
  type Fragment,
  type NoSqlBudget,
} from './nosql-scope';

/** The most rows a NoSQL query answers (its `limit` may ask for fewer). */
export const MAX_NOSQL_ROWS = 1000;

/** A column of a query's answer: its name, and the field type its values convert from. */
export interface QueryColumn {
  name: string;
  type: FieldType | null;
}

/** A compiled SELECT and the columns it answers. */
export interface CompiledQuery extends Fragment {
  columns: QueryColumn[];
  /** The object read (the first part's, for a union). */
  object: string;
}

const QUERY_KEYS = new Set([
  'object',
  'q',
  'fields',
  'groupBy',
  'aggregate',
  'aggregation',
  'order',
  'orderBy',
  'limit',
]);

const AGGREGATES: Readonly<Record<string, string>> = {
  $sum: 'SUM',
  $avg: 'AVG',
  $min: 'MIN',
  $max: 'MAX',
  $count: 'COUNT',
  $concat: 'GROUP_CONCAT',
};

/**
 * Compiles a whole NoSQL query — `{object, q, fields, groupBy, aggregate, orderBy, limit}` or
 * `{$union: [query, …]}` — to one parameterised SELECT. Every object read (sub-queries and
 * union parts included) is restricted to what the viewer may read: its read permission
 * (`403` when none, only the viewer's rows for "own") and its pre-defined filter.
 */
export function compileQuery(budget: NoSqlBudget, query: unknown): CompiledQuery {
  if (!isPlainObject(query)) throw new HttpError(400, 'A NoSQL query must be a JSON object');
  if ('$union' in query) {
    const parts = query['$union'];
    if (Object.keys(query).length !== 1 || !Array.isArray(parts) || parts.length === 0) {
      throw new HttpError(
        400,
        '"$union" takes a non-empty array of queries, and nothing beside it',
      );
    }
    const compiled = parts.map((part) => {
      budget.select();
      return compileSelect(budget, part, 1, true);
    });
    const width = compiled[0]!.columns.length;
    if (compiled.some((c) => c.columns.length !== width)) {
      throw new HttpError(400, 'Every query of a "$union" must answer the same number of fields');
    }
    // A column keeps its type only when every part agrees on it.
    const columns = compiled[0]!.columns.map((col, i) => ({
      name: col.name,
      type: compiled.every((c) => c.columns[i]!.type === col.type) ? col.type : null,
    }));
    return {
      sql: `${compiled.map((c) => `SELECT * FROM (${c.sql}) AS q`).join(' UNION ')} LIMIT ${MAX_NOSQL_ROWS}`,
      params: compiled.flatMap((c) => c.params),
      columns,
      object: compiled[0]!.object,
    };
  }
  return compileSelect(budget, query, 0, true);
}

/**
 * Compiles the sub-query of an `$in` / `$nin`: one field (`id` when it names none).
 * @throws HttpError 400 when it answers more than one field.
 */
export function compileSubquery(
  budget: NoSqlBudget,
  query: Record<string, unknown>,
  depth: number,
): Fragment {
  budget.select();
  const withField =
    query['fields'] === undefined && query['groupBy'] === undefined
      ? { ...query, fields: ['id'] }
      : query;
  const compiled = compileSelect(budget, withField, depth, false);
  if (compiled.columns.length !== 1) {
    throw new HttpError(
      400,
      'A sub-query of "$in" / "$nin" answers exactly one field ("fields": ["…"])',
    );
  }
  return compiled;
}

function compileSelect(
  budget: NoSqlBudget,
  query: unknown,
  depth: number,
  top: boolean,
): CompiledQuery {
  budget.depth(depth);
  if (!isPlainObject(query)) throw new HttpError(400, 'A NoSQL query must be a JSON object');
  for (const key of Object.keys(query)) {
    if (!QUERY_KEYS.has(key)) {
      throw new HttpError(
        400,
        `Unknown key "${key.slice(0, 40)}" in a NoSQL query (use ${[...QUERY_KEYS].join(', ')})`,
      );
    }
  }
  const { name, object } = resolveObject(budget.scope.app, query['object']);
  const field = (key: unknown, what: string): FieldRef => {
    if (typeof key !== 'string') throw new HttpError(400, `"${what}" takes field names`);
    return resolveField(name, object, key);
  };
  const names = (value: unknown, what: string): FieldRef[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
      throw new HttpError(400, `"${what}" takes an array of 1 to 100 field names`);
    }
    return value.map((v) => field(v, what));
  };
  const fields = names(query['fields'], 'fields');
  const groupBy = names(query['groupBy'], 'groupBy');
  const aggregates = parseAggregates(query['aggregate'] ?? query['aggregation'], field);

  const selected: FieldRef[] = fields ??
    groupBy ?? [
      { name: 'id', type: 'int' },
      ...Object.keys(object.fields).map((f) => resolveField(name, object, f)),
    ];
  for (const a of aggregates.keys()) {
    if (!selected.some((s) => s.name === a.name)) selected.push(a);
  }
  const columns: QueryColumn[] = [];
  // In a grouped query, a field neither grouped nor aggregated answers its smallest value in the
  // group (the same on SQLite and PostgreSQL, which takes no bare column there).
  const grouped = (f: FieldRef) => !groupBy || groupBy.some((g) => g.name === f.name);
  const select = selected.map((f) => {
    const fn =
      [...aggregates].find(([a]) => a.name === f.name)?.[1] ?? (grouped(f) ? undefined : 'MIN');
    const keepsType = fn === undefined || fn === 'MIN' || fn === 'MAX';
    columns.push({ name: f.name, type: keepsType ? f.type : null });
    const col = quoteIdent(f.name);
    // GROUP_CONCAT of text (PostgreSQL's GROUP_CONCAT, made at open, takes text).
    const arg = fn === 'GROUP_CONCAT' ? `CAST(${col} AS TEXT)` : col;
    return fn ? `${fn}(${arg}) AS ${col}` : col;
  });

  const where = compileExpression(budget, name, object, query['q'] ?? {}, depth + 1);
  const conditions = [where];
  if (!budget.scope.trusted) {
    const restriction = readRestriction(budget.scope.app, name, budget.scope.viewer);
    if (restriction) conditions.push(restriction);
  }
  let sql = `SELECT ${select.join(', ')} FROM ${quoteIdent(name)} WHERE ${conditions.map((c) => `(${c.sql})`).join(' AND ')}`;
  const params: SqlValue[] = conditions.flatMap((c) => c.params);
  if (groupBy) sql += ` GROUP BY ${groupBy.map((g) => quoteIdent(g.name)).join(', ')}`;
  const order = parseOrder(query['orderBy'] ?? query['order'], field, groupBy);
  if (order.length) sql += ` ORDER BY ${order.join(', ')}`;
  const limit = parseLimit(query['limit']);
  if (limit !== undefined || top) sql += ` LIMIT ${limit ?? MAX_NOSQL_ROWS}`;
  return { sql, params, columns, object: name };
}

function parseAggregates(
  value: unknown,
  field: (key: unknown, what: string) => FieldRef,
): Map<FieldRef, string> {
  const out = new Map<FieldRef, string>();
  if (value === undefined) return out;
  if (!isPlainObject(value))
    throw new HttpError(
      400,
      '"aggregate" maps field names to $sum, $avg, $min, $max, $count or $concat',
    );
  for (const [key, fn] of Object.entries(value)) {
    const name = typeof fn === 'string' ? fn.toLowerCase().replace(/^\$?/, '$') : '';
    const sql = Object.prototype.hasOwnProperty.call(AGGREGATES, name)
      ? AGGREGATES[name]
      : undefined;
    if (!sql) {
      throw new HttpError(
        400,
        `Unknown aggregate ${JSON.stringify(fn)?.slice(0, 40)} (use ${Object.keys(AGGREGATES).join(', ')})`,
      );
    }
    out.set(field(key, 'aggregate'), sql);
  }
  return out;
}

/** `[["Budget", "desc"], "name", {fieldName, order}]` → ORDER BY terms. */
function parseOrder(
  value: unknown,
  field: (key: unknown, what: string) => FieldRef,
  groupBy: FieldRef[] | undefined,
): string[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.length > 20) throw new HttpError(400, '"orderBy" takes at most 20 fields');
  return items.map((item) => {
    let key: unknown = item;
    let dir: unknown = 'asc';
    if (Array.isArray(item)) [key, dir = 'asc'] = item as unknown[];
    else if (isPlainObject(item)) {
      key = item['fieldName'] ?? item['field'];
      dir = item['order'] ?? 'asc';
    }
    const d = typeof dir === 'string' ? dir.toLowerCase() : '';
    if (d !== 'asc' && d !== 'desc')
      throw new HttpError(400, '"orderBy" directions are "asc" or "desc"');
    const name = field(key, 'orderBy').name;
    // A grouped query orders by a field it does not group by through its largest value.
    const col =
      groupBy && !groupBy.some((g) => g.name === name)
        ? `MAX(${quoteIdent(name)})`
        : quoteIdent(name);
    return `${col} ${d.toUpperCase()}`;
  });
}

function parseLimit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new HttpError(400, '"limit" takes a non-negative integer');
  }
  return Math.min(value, MAX_NOSQL_ROWS);
}

/** Converts the rows of a compiled query to their JSON form (booleans, JSON, points…). */
export function queryRows(
  rows: Record<string, unknown>[],
  columns: QueryColumn[],
): Record<string, unknown>[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      const col = columns.find((c) => c.name === key);
      out[key] = col?.type
        ? fromStored(col.type, value)
        : typeof value === 'bigint'
          ? Number(value)
          : value;
    }
    return out;
  });
}
