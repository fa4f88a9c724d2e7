import type { ActionTrigger, ObjectDefinition } from '../app-definition/schema';
import { isThenable } from '../actions/action-runner';
import { PendingEmits } from '../actions/pending-emits';
import { isAdmin } from '../auth/identity';
import { canonicalUsername } from '../auth/username';
import { userProfileOf, type AppContext, type CallInfo } from '../app-context';
import { HttpError } from '../http/http-error';
import { quoteIdent } from '../storage/sql';
import { StatementCache } from '../storage/statement-cache';
import { buildOrderBy, buildWhere } from './list-query';
import type { ListParams } from './list-params';
import { accessFor, allowsRow, inRoles, ownsRow, type Operation } from './permissions';
import { selectList, toOutputRow, toStoredValues, type DbRow } from './rows';

/**
 * CRUD on the app's objects with permissions, typed values, trigger actions and realtime
 * events. A write, its before* and after* actions run in one transaction; emits (automatic and
 * from actions) go out only after it commits.
 */
export class ObjectService {
  private readonly sql: StatementCache;

  constructor(private readonly ctx: AppContext) {
    this.sql = new StatementCache(ctx.db);
  }

  /** The definition of an object. @throws HttpError 404 for unknown objects. */
  definition(name: string): ObjectDefinition {
    const object = Object.prototype.hasOwnProperty.call(this.ctx.app.objects, name)
      ? this.ctx.app.objects[name]
      : undefined;
    if (!object) throw new HttpError(404, `Unknown object "${String(name).slice(0, 60)}"`);
    return object;
  }

  /** A page of rows the caller may read: `{totalRows?, data}`. */
  list(name: string, call: CallInfo, params: ListParams): Record<string, unknown> {
    const object = this.definition(name);
    const access = this.require(object, name, call, 'read');
    const where = buildWhere(
      name,
      object,
      params,
      access === 'own' ? call.identity.username : undefined,
    );
    const orderBy = buildOrderBy(name, object, params);
    const table = quoteIdent(name);
    const rows = this.sql
      .get(`SELECT ${selectList(object)} FROM ${table} ${where.sql} ${orderBy} LIMIT ? OFFSET ?`)
      .all(...where.params, params.pageSize, (params.pageNumber - 1) * params.pageSize) as DbRow[];
    const data = rows.map((r) => toOutputRow(object, r, !params.excludeMetadata));
    if (params.excludeTotalRows) return { data };
    const { n } = this.sql
      .get(`SELECT COUNT(*) AS n FROM ${table} ${where.sql}`)
      .get(...where.params) as { n: number };
    return { totalRows: n, data };
  }

  /** One row. @throws 404 when missing, 403 when the caller may not read it. */
  getOne(name: string, id: number, call: CallInfo, withMetadata = true): Record<string, unknown> {
    const object = this.definition(name);
    const access = this.require(object, name, call, 'read');
    const row = this.mustFind(name, object, id);
    if (!allowsRow(access, object, call.identity.username, row)) {
      throw new HttpError(403, `No permission to read this row of "${name}"`);
    }
    return toOutputRow(object, row, withMetadata);
  }

  /** Creates a row; returns its id and JSON form. */
  create(
    name: string,
    body: unknown,
    call: CallInfo,
  ): { id: number; row: Record<string, unknown> } {
    const object = this.definition(name);
    this.require(object, name, call, 'create');
    toStoredValues(name, object, body, 'create');
    const emits = new PendingEmits();
    const result = this.ctx.db.transaction(() => {
      const input = copy(body);
      this.trigger(object, 'beforeCreate', input, null, call, emits);
      const values = toStoredValues(name, object, input, 'create');
      if (object.ownerField && (!isAdmin(call.identity) || values[object.ownerField] == null)) {
        values[object.ownerField] = call.identity.username;
      }
      this.canonicalOwner(name, object, values, call);
      const columns = Object.keys(values);
      const sql = columns.length
        ? `INSERT INTO ${quoteIdent(name)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`
        : `INSERT INTO ${quoteIdent(name)} DEFAULT VALUES`;
      const id = Number(this.sql.get(sql).run(...Object.values(values)).lastInsertRowid);
      const row = this.mustFind(name, object, id);
      this.trigger(object, 'afterCreate', input, toOutputRow(object, row, false), call, emits);
      return { id, row: toOutputRow(object, row) };
    })();
    this.ctx.realtime.emitRowEvent(name, 'created', result.id, result.row);
    emits.flush(this.ctx.realtime, this.ctx.logger);
    return result;
  }

  /** Updates the given fields of a row; returns its new JSON form. */
  update(name: string, id: number, body: unknown, call: CallInfo): Record<string, unknown> {
    const object = this.definition(name);
    const access = this.require(object, name, call, 'update');
    toStoredValues(name, object, body, 'update');
    const emits = new PendingEmits();
    const { row, old } = this.ctx.db.transaction(() => {
      const before = this.mustFind(name, object, id);
      if (!allowsRow(access, object, call.identity.username, before)) {
        throw new HttpError(403, `No permission to update this row of "${name}"`);
      }
      const dbRow = toOutputRow(object, before, false);
      const input = copy(body);
      this.trigger(object, 'beforeUpdate', input, dbRow, call, emits);
      const values = toStoredValues(name, object, input, 'update');
      this.guardProtectedFields(name, object, values, before, call);
      this.canonicalOwner(name, object, values, call);
      const columns = Object.keys(values);
      if (columns.length) {
        this.sql
          .get(
            `UPDATE ${quoteIdent(name)} SET ${columns.map((c) => `${quoteIdent(c)} = ?`).join(', ')} WHERE id = ?`,
          )
          .run(...Object.values(values), id);
      }
      this.trigger(object, 'afterUpdate', input, dbRow, call, emits);
      return { row: toOutputRow(object, this.mustFind(name, object, id)), old: dbRow };
    })();
    // A user's role or username may have changed: their sockets' audiences follow (first, so
    // the event below already reaches them in their new audiences).
    if (name === 'users') this.ctx.realtime.recheckUser(id);
    // The old row tells which sockets lose sight of it (owner changed): they get `deleted`.
    this.ctx.realtime.emitRowEvent(name, 'updated', id, row, old);
    emits.flush(this.ctx.realtime, this.ctx.logger);
    return row;
  }

  /** Deletes a row. */
  remove(name: string, id: number, call: CallInfo): void {
    const object = this.definition(name);
    const access = this.require(object, name, call, 'delete');
    const emits = new PendingEmits();
    const row = this.ctx.db.transaction(() => {
      const before = this.mustFind(name, object, id);
      if (!allowsRow(access, object, call.identity.username, before)) {
        throw new HttpError(403, `No permission to delete this row of "${name}"`);
      }
      const dbRow = toOutputRow(object, before, false);
      this.trigger(object, 'beforeDelete', {}, dbRow, call, emits);
      this.sql.get(`DELETE FROM ${quoteIdent(name)} WHERE id = ?`).run(id);
      if (name === 'users') {
        this.sql.get(`DELETE FROM _backand_credentials WHERE user_id = ?`).run(id);
        this.sql
          .get(`UPDATE _backand_refresh_tokens SET revoked_at = ? WHERE user_id = ?`)
          .run(new Date().toISOString(), id);
      }
      this.trigger(object, 'afterDelete', {}, dbRow, call, emits);
      return toOutputRow(object, before);
    })();
    if (name === 'users') this.ctx.realtime.recheckUser(id);
    this.ctx.realtime.emitRowEvent(name, 'deleted', id, row);
    emits.flush(this.ctx.realtime, this.ctx.logger);
  }

  /**
   * Runs an on-demand action of an object, optionally on a row. Allowed to the action's `roles`
   * when it lists them, else to callers who may read the object (and the row, when given).
   */
  async runOnDemand(
    name: string,
    id: number | undefined,
    actionName: string,
    userInput: unknown,
    call: CallInfo,
  ): Promise<unknown> {
    const object = this.definition(name);
    const action = object.actions.find((a) => a.name === actionName && a.trigger === 'onDemand');
    if (!action) throw new HttpError(404, `Unknown on-demand action "${actionName}" of "${name}"`);
    const access = accessFor(object, call.identity, 'read');
    if (action.roles ? !inRoles(call.identity, action.roles) : access === 'none') {
      throw new HttpError(403, `No permission to run action "${actionName}" of "${name}"`);
    }
    let dbRow: Record<string, unknown> | null = null;
    if (id !== undefined) {
      const row = this.mustFind(name, object, id);
      if (!action.roles && !allowsRow(access, object, call.identity.username, row)) {
        throw new HttpError(
          403,
          `No permission to run action "${actionName}" on this row of "${name}"`,
        );
      }
      dbRow = toOutputRow(object, row, false);
    }
    const emits = new PendingEmits();
    const args = {
      userInput: userInput ?? {},
      dbRow,
      parameters: call.parameters,
      userProfile: userProfileOf(call),
    };
    const result = await this.ctx.actions.runAsync(action.name, action.code!, args, emits);
    emits.flush(this.ctx.realtime, this.ctx.logger);
    return result;
  }

  private require(object: ObjectDefinition, name: string, call: CallInfo, op: Operation) {
    const access = accessFor(object, call.identity, op);
    if (access === 'none') throw new HttpError(403, `No permission to ${op} "${name}"`);
    return access;
  }

  private mustFind(name: string, object: ObjectDefinition, id: number): DbRow {
    const row = this.sql
      .get(`SELECT ${selectList(object)} FROM ${quoteIdent(name)} WHERE id = ?`)
      .get(id) as DbRow | undefined;
    if (!row) throw new HttpError(404, `No row with id ${id} in "${name}"`);
    return row;
  }

  /**
   * Stores an owner (and the `users` object's email, its owner field) as a canonical user name,
   * so that every owner check, list filter, room and named query with `:username` compares one
   * form. A non-admin can only name themselves (checked before).
   */
  private canonicalOwner(
    name: string,
    object: ObjectDefinition,
    values: Record<string, unknown>,
    call: CallInfo,
  ): void {
    const owner = object.ownerField;
    const value = owner ? values[owner] : undefined;
    if (!owner || typeof value !== 'string') return;
    const canonical = canonicalUsername(
      isAdmin(call.identity) ? value : (call.identity.username ?? value),
    );
    if (name === 'users' && canonical === '') {
      throw new HttpError(400, '"email" must be a user name', { field: owner });
    }
    values[owner] = canonical;
  }

  /** Only admins change who owns a row, and a user's role. */
  private guardProtectedFields(
    name: string,
    object: ObjectDefinition,
    values: Record<string, unknown>,
    before: DbRow,
    call: CallInfo,
  ): void {
    if (isAdmin(call.identity)) return;
    const owner = object.ownerField;
    // Re-sending the current owner (e.g. a whole row read back) is not a change.
    const newOwner = owner ? values[owner] : undefined;
    if (
      owner &&
      owner in values &&
      !(typeof newOwner === 'string' && ownsRow(object, newOwner, before))
    ) {
      throw new HttpError(403, `Only an admin may change "${owner}" of "${name}"`, {
        field: owner,
      });
    }
    if (name === 'users' && 'role' in values && values['role'] !== before['role']) {
      throw new HttpError(403, "Only an admin may change a user's role", { field: 'role' });
    }
  }

  private trigger(
    object: ObjectDefinition,
    trigger: ActionTrigger,
    userInput: unknown,
    dbRow: Record<string, unknown> | null,
    call: CallInfo,
    emits: PendingEmits,
  ): void {
    for (const action of object.actions) {
      if (action.trigger !== trigger) continue;
      const args = {
        userInput,
        dbRow,
        parameters: call.parameters,
        userProfile: userProfileOf(call),
      };
      const result = this.ctx.actions.run(action.name, action.code!, args, emits);
      // A trigger runs inside the write's transaction, which cannot wait: log async failures.
      if (isThenable(result)) {
        Promise.resolve(result).catch((err: unknown) =>
          this.ctx.logger.error({ action: action.name, err }, 'asynchronous trigger action failed'),
        );
      }
    }
  }
}

function copy(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  return structuredClone(body) as Record<string, unknown>;
}
