import type { AppDefinition } from '../app-definition/schema';
import type { CallInfo } from '../app-context';
import { HttpError } from '../http/http-error';
import { compileQuery, queryRows } from '../objects/nosql/nosql-query';
import { isPlainObject, NoSqlBudget } from '../objects/nosql/nosql-scope';
import { inRoles } from '../objects/permissions';
import type { Db, Statement } from '../storage/db';
import { PgDatabase } from '../storage/postgres/pg-database';
import { StatementCache } from '../storage/statement-cache';
import { resolveTokens, sqlTemplate, SYS_TOKENS, sysTokenValue } from './query-template';

/** Placeholders bound from the caller's identity; a call's `parameters` cannot override them. */
const IDENTITY_PARAMS = new Set(['username', 'role', 'userId']);

type PreparedQuery = { roles: readonly string[] | undefined } & (
  | { kind: 'sql'; statement: Statement; names: string[] }
  | { kind: 'nosql'; query: Record<string, unknown> }
  | { kind: 'broken'; reason: string; path: string }
);

/**
 * The app's named queries, compiled at start. SQL queries bind `:name` placeholders and
 * `{{name}}` tokens (Backand's form) from the call's `parameters`, and `:username`, `:role`,
 * `:userId` (`{{sys::username}}`, `{{sys::role}}`, `{{sys::id}}`) from the caller — always as
 * bound values. NoSQL queries (`nosql`, or `sql` holding JSON) are compiled for each call with
 * the caller's read permissions and pre-defined filters. Without `roles` a query is for admins
 * only. A query that does not compile does not stop the server: it is listed in
 * {@link problems} (logged at start) and answers `500` naming it.
 */
export class NamedQueries {
  private readonly queries = new Map<string, PreparedQuery>();
  private readonly sql: StatementCache;
  /** The store's name, for messages: saved SQL is written in its dialect. */
  private readonly store: string;
  /** One line per query that does not compile, for the start-up log. */
  readonly problems: string[] = [];

  constructor(
    db: Db,
    private readonly app: AppDefinition,
    source?: string,
  ) {
    this.sql = new StatementCache(db, 100);
    this.store = db.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite';
    for (const [name, query] of Object.entries(app.queries)) {
      const roles = query.roles;
      const path = `queries.${name}.${query.nosql ? 'nosql' : 'sql'}`;
      try {
        const nosql = query.nosql ?? jsonQuery(query.sql!);
        if (nosql) {
          this.checkNoSql(nosql);
          this.queries.set(name, { kind: 'nosql', query: nosql, roles });
        } else {
          const sql = sqlTemplate(query.sql!, (token) => `:${tokenParam(token)}`);
          const statement = db.prepare(sql);
          if (db instanceof PgDatabase) db.check(sql);
          const names = [
            ...new Set([...sql.matchAll(/[:@$]([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!)),
          ];
          this.queries.set(name, { kind: 'sql', statement, names, roles });
        }
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        this.queries.set(name, { kind: 'broken', reason, path, roles });
        this.problems.push(
          `${source ? `${source}: ` : ''}${path} does not compile on ${this.store}: ${reason} (calls of query "${name}" answer 500 until it is fixed)`,
        );
      }
    }
  }

  /**
   * Runs a query for a caller: the rows of a reading query, or `{changes}` for a writing one.
   * @throws 404 unknown query, 403 role not allowed, 400 missing or non-scalar parameter,
   *   500 a query that does not compile.
   */
  run(name: string, call: CallInfo): unknown {
    const query = this.queries.get(name);
    if (!query) throw new HttpError(404, `Unknown query "${String(name).slice(0, 60)}"`);
    const { identity } = call;
    if (!inRoles(identity, query.roles ?? [])) {
      throw new HttpError(403, `No permission to run query "${name}"`);
    }
    if (query.kind === 'broken') {
      throw new HttpError(
        500,
        `Query "${name}" (${query.path}) does not compile on ${this.store}: ${query.reason}`,
      );
    }
    if (query.kind === 'nosql') {
      const resolved = resolveTokens(
        query.query,
        (token) => {
          const sys = sysTokenValue(token, identity);
          if (sys !== undefined) return sys;
          return Object.prototype.hasOwnProperty.call(call.parameters, token)
            ? call.parameters[token]
            : undefined;
        },
        `query "${name}"`,
      );
      const compiled = compileQuery(new NoSqlBudget({ app: this.app, viewer: identity }), resolved);
      const rows = this.sql.get(compiled.sql).all(...compiled.params) as Record<string, unknown>[];
      return queryRows(rows, compiled.columns);
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

  /** Compiles a NoSQL query once (as the master key, tokens as 0) to find its mistakes at start. */
  private checkNoSql(query: Record<string, unknown>): void {
    const sample = resolveTokens(query, () => 0, 'the query');
    const viewer = { kind: 'master', username: null, role: 'Admin', userId: null } as const;
    const compiled = compileQuery(new NoSqlBudget({ app: this.app, viewer }), sample);
    this.sql.get(compiled.sql);
  }
}

/** A query written as JSON text in `sql` (Backand's dashboard took NoSQL there too). */
function jsonQuery(sql: string): Record<string, unknown> | undefined {
  if (!sql.trimStart().startsWith('{')) return undefined;
  const parsed = JSON.parse(sql) as unknown;
  if (!isPlainObject(parsed)) throw new Error('a NoSQL query is a JSON object');
  return parsed;
}

/** The named parameter a `{{token}}` binds: `{{sys::username}}` → `username`, `{{x}}` → `x`. */
function tokenParam(token: string): string {
  const sys = SYS_TOKENS[token.toLowerCase()];
  if (sys) return sys;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) {
    throw new Error(`"{{${token.slice(0, 40)}}}" is not a parameter name (letters, digits and _)`);
  }
  return token;
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
