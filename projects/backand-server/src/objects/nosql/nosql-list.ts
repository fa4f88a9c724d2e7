import type { ObjectDefinition } from '../../app-definition/schema';
import { HttpError } from '../../http/http-error';
import { resolveTokens, sysTokenValue } from '../../queries/query-template';
import type { SqlValue } from '../fields';
import { compileExpression } from './nosql-expression';
import { compileQuery, queryRows } from './nosql-query';
import { isPlainObject, NoSqlBudget, type Fragment, type NoSqlScope } from './nosql-scope';

/** The reader of a list and what its tokens resolve from. */
export interface ReadScope extends NoSqlScope {
  /** The call's `parameters`: what `{{name}}` tokens in a client's filter stand for. */
  parameters?: Record<string, unknown>;
}

/** The keys that make a list filter a whole query (answered by {@link runNoSqlList}). */
const QUERY_ONLY_KEYS = [
  'fields',
  'groupBy',
  'aggregate',
  'aggregation',
  'order',
  'orderBy',
  'limit',
];

/**
 * The NoSQL form of a list's `filter` parameter: a JSON object that is not a
 * `{fieldName, operator, value}` filter — `{"q": {…}}`, a whole query, or a bare expression.
 */
export function noSqlFilterOf(value: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(value) || 'fieldName' in value || 'operator' in value) return undefined;
  return value;
}

/** Whether a NoSQL list filter is a whole query (fields, groupBy, aggregate, orderBy, limit). */
export function isWholeQuery(filter: Record<string, unknown>): boolean {
  return QUERY_ONLY_KEYS.some((k) => k in filter);
}

/**
 * The `{{name}}` and `{{sys::…}}` tokens of a client's query: from the call's `parameters`
 * and the reader. Always bound values (see `resolveTokens`).
 */
export function clientTokens(scope: ReadScope, where: string): (value: unknown) => unknown {
  return (value) =>
    resolveTokens(
      value,
      (token) => {
        const sys = sysTokenValue(token, scope.viewer);
        if (sys !== undefined) return sys;
        const params = scope.parameters ?? {};
        return Object.prototype.hasOwnProperty.call(params, token) ? params[token] : undefined;
      },
      where,
    );
}

/** The WHERE condition of a list's NoSQL filter (`q`, or the filter itself as the expression). */
export function noSqlListWhere(
  scope: ReadScope,
  objectName: string,
  object: ObjectDefinition,
  filter: Record<string, unknown>,
): Fragment {
  checkObject(objectName, filter);
  const hasQ = 'q' in filter;
  const { object: _named, ...bare } = filter;
  const expr = hasQ ? filter['q'] : bare;
  if (hasQ && Object.keys(filter).some((k) => k !== 'q' && k !== 'object')) {
    throw new HttpError(400, 'A NoSQL list filter holds "q" (and optionally "object")');
  }
  const resolved = clientTokens(scope, `the filter of "${objectName}"`)(expr);
  return compileExpression(
    new NoSqlBudget({ app: scope.app, viewer: scope.viewer }),
    objectName,
    object,
    resolved,
  );
}

/**
 * A list answered by a whole NoSQL query (`fields`, `groupBy`, `aggregate`, `orderBy`,
 * `limit`) on the listed object: `{totalRows, data}` paged over its answer.
 */
export function runNoSqlList(
  run: (sql: string, params: SqlValue[]) => Record<string, unknown>[],
  scope: ReadScope,
  objectName: string,
  filter: Record<string, unknown>,
  page: { pageSize: number; pageNumber: number; withMetadata: boolean; withTotal: boolean },
): Record<string, unknown> {
  checkObject(objectName, filter);
  const resolved = clientTokens(
    scope,
    `the filter of "${objectName}"`,
  )({ ...filter, object: objectName });
  const query = compileQuery(new NoSqlBudget({ app: scope.app, viewer: scope.viewer }), resolved);
  const rows = run(`SELECT * FROM (${query.sql}) AS q LIMIT ? OFFSET ?`, [
    ...query.params,
    page.pageSize,
    (page.pageNumber - 1) * page.pageSize,
  ]);
  const data = queryRows(rows, query.columns).map((row) =>
    page.withMetadata && row['id'] !== undefined
      ? { ...row, __metadata: { id: String(row['id']) } }
      : row,
  );
  if (!page.withTotal) return { data };
  const [count] = run(`SELECT COUNT(*) AS n FROM (${query.sql}) AS q`, query.params);
  return { totalRows: Number(count?.['n'] ?? 0), data };
}

function checkObject(objectName: string, filter: Record<string, unknown>): void {
  const named = filter['object'];
  if (
    named !== undefined &&
    (typeof named !== 'string' || named.toLowerCase() !== objectName.toLowerCase())
  ) {
    throw new HttpError(400, `The filter's "object" must be "${objectName}" (the object listed)`);
  }
}
