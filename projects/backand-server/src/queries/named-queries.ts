import type { Statement } from 'better-sqlite3';
import { AppDefinitionError } from '../app-definition/app-definition-error';
import type { AppDefinition } from '../app-definition/schema';
import type { CallInfo } from '../app-context';
import { HttpError } from '../http/http-error';
import { inRoles } from '../objects/permissions';
import type { Db } from '../storage/database';

/** Placeholders bound from the caller's identity; a call's `parameters` cannot override them. */
const IDENTITY_PARAMS = new Set(['username', 'role', 'userId']);

interface PreparedQuery {
  statement: Statement;
  names: string[];
  roles: readonly string[] | undefined;
}

/**
 * The app's named queries, prepared at start. `:name` placeholders are bound from the call's
 * `parameters`; `:username`, `:role` and `:userId` from the caller. Without `roles` a query is
 * for admins only.
 */
export class NamedQueries {
  private readonly queries = new Map<string, PreparedQuery>();

  /** @throws AppDefinitionError naming `queries.<name>.sql` when a query does not compile. */
  constructor(db: Db, app: AppDefinition, source?: string) {
    for (const [name, query] of Object.entries(app.queries)) {
      let statement: Statement;
      try {
        statement = db.prepare(query.sql);
      } catch (err) {
        throw AppDefinitionError.fromProblems(source, [
          { path: `queries.${name}.sql`, message: `does not compile: ${(err as Error).message}` },
        ]);
      }
      const names = [
        ...new Set([...query.sql.matchAll(/[:@$]([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!)),
      ];
      this.queries.set(name, { statement, names, roles: query.roles });
    }
  }

  /**
   * Runs a query for a caller: the rows of a reading query, or `{changes}` for a writing one.
   * @throws 404 unknown query, 403 role not allowed, 400 missing or non-scalar parameter.
   */
  run(name: string, call: CallInfo): unknown {
    const query = this.queries.get(name);
    if (!query) throw new HttpError(404, `Unknown query "${String(name).slice(0, 60)}"`);
    const { identity } = call;
    if (!inRoles(identity, query.roles ?? [])) {
      throw new HttpError(403, `No permission to run query "${name}"`);
    }
    const bound: Record<string, string | number | bigint | null> = {};
    for (const param of query.names) {
      if (IDENTITY_PARAMS.has(param)) {
        bound[param] =
          param === 'username'
            ? identity.username
            : param === 'role'
              ? identity.role
              : identity.userId;
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(call.parameters, param)) {
        throw new HttpError(400, `Missing parameter "${param}" of query "${name}"`, {
          parameter: param,
        });
      }
      bound[param] = scalar(name, param, call.parameters[param]);
    }
    if (query.statement.reader) return query.statement.all(bound);
    return { changes: query.statement.run(bound).changes };
  }
}

function scalar(query: string, param: string, value: unknown): string | number | null {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new HttpError(
    400,
    `Parameter "${param}" of query "${query}" must be a string, number, boolean or null`,
    {
      parameter: param,
    },
  );
}
