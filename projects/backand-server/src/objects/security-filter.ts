import type { AppDefinition, ObjectDefinition } from '../app-definition/schema';
import { canonicalUsername } from '../auth/username';
import { HttpError } from '../http/http-error';
import { resolveTokens, sqlTemplate, sysTokenValue } from '../queries/query-template';
import type { Db } from '../storage/database';
import { quoteIdent } from '../storage/sql';
import { compileExpression } from './nosql/nosql-expression';
import { isPlainObject, NoSqlBudget, type Fragment, type Viewer } from './nosql/nosql-scope';
import { accessForRole } from './permissions';

/** Filters found broken at start: reads of their object answer 500 with this reason. */
const broken = new WeakMap<ObjectDefinition, string>();

/** Whether a viewer bypasses pre-defined filters: only the master key (server-to-server). */
export function bypassesFilters(viewer: Viewer): boolean {
  return viewer.kind === 'master';
}

/**
 * The pre-defined (data security) filter of an object for a viewer, as a SQL condition on the
 * object's table and its bound values; `null` when the object has none or the viewer is the
 * master key. It applies to every role, `Admin` included (as in Backand: write
 * `'Admin' = '{{sys::role}}' OR …` to let admins see everything).
 *
 * - NoSQL form (`{"q": {…}}` or the expression itself): compiled like a client's `q`, with
 *   `"{{sys::username}}"`, `"{{sys::role}}"`, `"{{sys::id}}"` values bound; equality compares
 *   as SQL does, so a guest's missing user name matches no row. Its sub-queries are the app
 *   owner's and read without the viewer's permissions.
 * - SQL form (a string): the owner's SQL condition, checked at start; its tokens become bound
 *   parameters, never text.
 *
 * @throws HttpError 500 when the filter does not compile (the object answers no rows rather
 *   than all of them).
 */
export function securityFilter(
  app: AppDefinition,
  objectName: string,
  viewer: Viewer,
): Fragment | null {
  const object = app.objects[objectName];
  const filter = object?.predefinedFilter;
  if (!object || filter === undefined || bypassesFilters(viewer)) return null;
  const reason = broken.get(object);
  if (reason !== undefined) throw filterError(objectName, reason);
  try {
    return compileFilter(app, objectName, object, filter, viewer);
  } catch (err) {
    throw filterError(objectName, err instanceof Error ? err.message : String(err));
  }
}

function compileFilter(
  app: AppDefinition,
  objectName: string,
  object: ObjectDefinition,
  filter: string | Record<string, unknown>,
  viewer: Viewer,
): Fragment {
  const token = (name: string): string | null => {
    const value = sysTokenValue(name, viewer);
    if (value === undefined) {
      throw new Error(
        `unknown token "{{${name}}}" (use {{sys::username}}, {{sys::role}} or {{sys::id}})`,
      );
    }
    return value;
  };
  if (typeof filter === 'string') {
    const params: Array<string | null> = [];
    const sql = sqlTemplate(filter, (name) => {
      params.push(token(name));
      return '?';
    });
    return { sql, params };
  }
  const expr = isPlainObject(filter['q']) ? filter['q'] : filter;
  const resolved = resolveTokens(expr, token, `the pre-defined filter of "${objectName}"`);
  return compileExpression(
    new NoSqlBudget({ app, viewer, trusted: true }),
    objectName,
    object,
    resolved,
  );
}

function filterError(objectName: string, reason: string): HttpError {
  return new HttpError(
    500,
    `The pre-defined filter of "${objectName}" (objects.${objectName}.predefinedFilter) does not compile: ${reason}`,
  );
}

/**
 * What a viewer may read of an object, as one SQL condition: the owner restriction of "own"
 * access and the pre-defined filter; `null` when everything.
 * @throws HttpError 403 when the viewer may not read the object at all.
 */
export function readRestriction(
  app: AppDefinition,
  objectName: string,
  viewer: Viewer,
): Fragment | null {
  const object = app.objects[objectName]!;
  const admin = viewer.kind === 'master' || viewer.role === 'Admin';
  const access = admin ? 'all' : accessForRole(object, viewer.role, 'read');
  if (access === 'none') throw new HttpError(403, `No permission to read "${objectName}"`);
  const parts: Fragment[] = [];
  if (access === 'own') {
    parts.push(
      viewer.username === null || !object.ownerField
        ? { sql: '0 = 1', params: [] }
        : {
            sql: `${quoteIdent(object.ownerField)} = ?`,
            params: [canonicalUsername(viewer.username)],
          },
    );
  }
  const filter = securityFilter(app, objectName, viewer);
  if (filter) parts.push(filter);
  if (!parts.length) return null;
  return {
    sql: parts.map((p) => `(${p.sql})`).join(' AND '),
    params: parts.flatMap((p) => p.params),
  };
}

/**
 * Whether row `id` of an object, as committed now, passes the object's pre-defined filter for
 * a viewer (`true` when it has none).
 */
export function passesFilter(
  db: Db,
  app: AppDefinition,
  objectName: string,
  id: number,
  viewer: Viewer,
): boolean {
  const filter = securityFilter(app, objectName, viewer);
  if (!filter) return true;
  return (
    db
      .prepare(`SELECT 1 FROM ${quoteIdent(objectName)} WHERE "id" = ? AND (${filter.sql})`)
      .get(id, ...filter.params) !== undefined
  );
}

/**
 * Compiles every pre-defined filter once at start (for a sample signed-in user and a guest) and
 * remembers those that fail: the server starts, and reads of their objects answer 500 naming
 * the filter. Returns one problem per broken filter, for the start-up log.
 */
export function checkSecurityFilters(
  db: Db,
  app: AppDefinition,
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const samples: Viewer[] = [
    { kind: 'user', username: 'sample@example.test', role: 'User', userId: '1' },
    { kind: 'anonymous', username: null, role: app.anonymousRole, userId: null },
  ];
  for (const [name, object] of Object.entries(app.objects)) {
    if (object.predefinedFilter === undefined) continue;
    broken.delete(object);
    try {
      for (const viewer of samples) {
        const f = compileFilter(app, name, object, object.predefinedFilter, viewer);
        db.prepare(`SELECT 1 FROM ${quoteIdent(name)} WHERE (${f.sql}) LIMIT 0`).all(...f.params);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      broken.set(object, message);
      problems.push({
        path: `objects.${name}.predefinedFilter`,
        message: `does not compile: ${message}`,
      });
    }
  }
  return problems;
}
