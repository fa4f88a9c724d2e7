import type { ObjectDefinition } from '../app-definition/schema';
import { PendingEmits } from '../actions/pending-emits';
import type { AppContext, CallInfo } from '../app-context';
import type { Identity } from '../auth/identity';
import { actionArgs } from '../actions/action-args';
import { actionFiles } from '../files/action-files';
import { HttpError } from '../http/http-error';
import { quoteIdent } from '../storage/sql';
import { StatementCache } from '../storage/statement-cache';
import { buildOrderBy, buildWhere } from './list-query';
import type { ListParams } from './list-params';
import { RelatedRows, type ReadRow } from './related-rows';
import type { RelationParams } from './relation-params';
import { isWholeQuery, runNoSqlList, type ReadScope } from './nosql/nosql-list';
import { accessFor, allowsRow, inRoles, type Access, type Operation } from './permissions';
import { selectList, toOutputRow, toStoredValues, type DbRow } from './rows';
import { RowWriter } from './row-writer';
import { TriggerActions } from './trigger-actions';

/** A created row: its id and JSON form. */
export interface Created {
  id: number;
  row: Record<string, unknown>;
}

/**
 * CRUD on the app's objects with permissions, typed values, trigger actions and realtime
 * events. A write without actions is one synchronous transaction. With actions: the row is read
 * and checked, before* actions run (awaited), then one transaction re-reads the row, checks it
 * again and writes; after* actions run once it has committed. Emits (automatic and from actions)
 * go out only after the commit.
 */
export class ObjectService {
  private readonly sql: StatementCache;
  private readonly triggers: TriggerActions;
  private readonly rows: RowWriter;
  private readonly related: RelatedRows;

  constructor(private readonly ctx: AppContext) {
    this.sql = new StatementCache(ctx.db);
    this.triggers = new TriggerActions(ctx);
    this.rows = new RowWriter(ctx, this.sql);
    this.related = new RelatedRows(ctx.app, this.sql);
  }

  /** The definition of an object. @throws HttpError 404 for unknown objects. */
  definition(name: string): ObjectDefinition {
    const object = Object.prototype.hasOwnProperty.call(this.ctx.app.objects, name)
      ? this.ctx.app.objects[name]
      : undefined;
    if (!object) throw new HttpError(404, `Unknown object "${String(name).slice(0, 60)}"`);
    return object;
  }

  /**
   * A page of rows the caller may read: `{totalRows?, data}`, with `relatedObjects` and the
   * `deep` embedding when `relations` asks for them.
   */
  list(
    name: string,
    call: CallInfo,
    params: ListParams,
    relations?: RelationParams,
  ): Record<string, unknown> {
    const object = this.definition(name);
    const access = this.require(object, name, call, 'read');
    const scope = this.readScope(call);
    if (params.nosql && isWholeQuery(params.nosql)) {
      if (params.search || params.sort.length) {
        throw new HttpError(
          400,
          'A NoSQL query with fields, groupBy, aggregate, orderBy or limit takes no "search" or "sort"',
        );
      }
      return runNoSqlList(
        (sql, values) => this.sql.get(sql).all(...values) as DbRow[],
        scope,
        name,
        params.nosql,
        {
          pageSize: params.pageSize,
          pageNumber: params.pageNumber,
          withMetadata: !params.excludeMetadata,
          withTotal: !params.excludeTotalRows,
        },
      );
    }
    const where = buildWhere(
      name,
      object,
      params,
      access === 'own' ? call.identity.username : undefined,
      scope,
    );
    const orderBy = buildOrderBy(name, object, params);
    const table = quoteIdent(name);
    const rows = this.sql
      .get(`SELECT ${selectList(object)} FROM ${table} ${where.sql} ${orderBy} LIMIT ? OFFSET ?`)
      .all(...where.params, params.pageSize, (params.pageNumber - 1) * params.pageSize) as DbRow[];
    const read: ReadRow[] = rows.map((db) => ({
      db,
      out: toOutputRow(object, db, !params.excludeMetadata),
    }));
    const extra = this.withRelations(name, read, call, relations);
    const data = read.map((r) => r.out);
    if (params.excludeTotalRows) return { data, ...extra };
    const { n } = this.sql
      .get(`SELECT COUNT(*) AS n FROM ${table} ${where.sql}`)
      .get(...where.params) as { n: number };
    return { totalRows: n, data, ...extra };
  }

  /**
   * `GET /1/objects/{name}/{id}/{collection}`: a page of the collection's rows of one row (lazy
   * load), as a list of the collection's object filtered on its `via` field. The row must be
   * readable by the caller, and the list applies the collection object's own permissions.
   * @throws 404 for an unknown collection field, and as {@link getOne}.
   */
  listCollection(
    name: string,
    id: number,
    field: string,
    call: CallInfo,
    params: ListParams,
    relations?: RelationParams,
  ): Record<string, unknown> {
    const spec = Object.prototype.hasOwnProperty.call(this.definition(name).fields, field)
      ? this.definition(name).fields[field]
      : undefined;
    if (spec === undefined || typeof spec === 'string' || spec.type !== 'collection') {
      throw new HttpError(404, `"${String(field).slice(0, 60)}" is not a collection of "${name}"`);
    }
    this.getOne(name, id, call, false);
    const filter = [
      ...params.filter,
      { fieldName: spec.via, operator: 'equals' as const, value: id },
    ];
    return this.list(spec.object, call, { ...params, filter }, relations);
  }

  /**
   * One row (with its related rows for `deep`, and `relatedObjects` when asked).
   * @throws 404 when missing, 403 when the caller may not read it.
   */
  getOne(
    name: string,
    id: number,
    call: CallInfo,
    withMetadata = true,
    relations?: RelationParams,
  ): Record<string, unknown> {
    const object = this.definition(name);
    const access = this.require(object, name, call, 'read');
    const row = this.rows.mustFindVisible(name, object, id, call);
    if (!allowsRow(access, object, call.identity.username, row)) {
      throw new HttpError(403, `No permission to read this row of "${name}"`);
    }
    const read = { db: row, out: toOutputRow(object, row, withMetadata) };
    const extra = this.withRelations(name, [read], call, relations);
    return { ...read.out, ...extra };
  }

  /**
   * A row in its plain JSON form, for the server's own use (no permission applies): the
   * `dbRow` of a security action. `null` when missing.
   */
  plainRow(name: string, id: number): Record<string, unknown> | null {
    const object = this.definition(name);
    try {
      return toOutputRow(object, this.rows.mustFind(name, object, id), false);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return null;
      throw err;
    }
  }

  /** Embeds related rows (`deep`) in place; answers the `relatedObjects` entry when asked. */
  private withRelations(
    name: string,
    read: ReadRow[],
    call: CallInfo,
    relations: RelationParams | undefined,
  ): { relatedObjects?: Record<string, unknown> } {
    if (!relations) return {};
    const relatedObjects = relations.relatedObjects
      ? this.related.relatedObjects(
          name,
          read.map((r) => r.db),
          call,
          relations.withMetadata,
        )
      : undefined;
    if (relations.deep) this.related.embed(name, read, call, relations);
    return relatedObjects ? { relatedObjects } : {};
  }

  /**
   * Creates a row; returns its id and JSON form. Synchronous unless the object has create
   * actions: then a promise (before* actions, the insert, after* actions).
   */
  create(name: string, body: unknown, call: CallInfo): Created | Promise<Created> {
    const object = this.definition(name);
    this.require(object, name, call, 'create');
    toStoredValues(name, object, body, 'create');
    if (this.triggers.has(object, 'beforeCreate', 'duringCreate', 'afterCreate')) {
      return this.createWithActions(name, object, inputOf(body), call);
    }
    const { id, row } = this.ctx.db.transaction(() => this.rows.insert(name, object, body, call))();
    this.ctx.realtime.emitRowEvent(name, 'created', id, row);
    return { id, row };
  }

  /**
   * Registers a user as a row of `users` (a sign-up, or a user a `backandAuthOverride` lets in):
   * the `users` object's create actions run with `call` (the guest who signs up) as for any
   * create, and may change `userInput`, its role included (Backand's `userInput.Role` is read as
   * `role`); the row is written as the server, so neither the role nor the e-mail is checked
   * against `call`. `alsoWrite(id)` runs inside the insert's transaction (the credentials).
   * @throws HttpError 400 for bad values, 409 when the name is taken, 417 of a failing
   *   before/during action: nothing stored.
   */
  createUser(
    input: Record<string, unknown>,
    call: CallInfo,
    alsoWrite: (id: number) => void = () => undefined,
  ): Created | Promise<Created> {
    const object = this.definition('users');
    const as = { writer: { ...call, identity: serverIdentity(this.ctx) }, alsoWrite };
    if (this.triggers.has(object, 'beforeCreate', 'duringCreate', 'afterCreate')) {
      return this.createWithActions('users', object, input, call, as);
    }
    const { id, row } = this.ctx.db.transaction(() => {
      const written = this.rows.insert('users', object, input, as.writer);
      alsoWrite(written.id);
      return written;
    })();
    this.ctx.realtime.emitRowEvent('users', 'created', id, row);
    return { id, row };
  }

  /**
   * Updates the given fields of a row; returns its new JSON form. Synchronous unless the object
   * has update actions.
   */
  update(
    name: string,
    id: number,
    body: unknown,
    call: CallInfo,
  ): Record<string, unknown> | Promise<Record<string, unknown>> {
    const object = this.definition(name);
    const access = this.require(object, name, call, 'update');
    toStoredValues(name, object, body, 'update');
    if (this.triggers.has(object, 'beforeUpdate', 'duringUpdate', 'afterUpdate')) {
      return this.updateWithActions(name, object, access, id, inputOf(body), call);
    }
    const { row, old } = this.ctx.db.transaction(() =>
      this.rows.modify(name, object, access, id, body, call),
    )();
    this.announceUpdate(name, id, row, old);
    return row;
  }

  /** Deletes a row. Synchronous unless the object has delete actions. */
  remove(name: string, id: number, call: CallInfo): void | Promise<void> {
    const object = this.definition(name);
    const access = this.require(object, name, call, 'delete');
    if (this.triggers.has(object, 'beforeDelete', 'duringDelete', 'afterDelete')) {
      return this.removeWithActions(name, object, access, id, call);
    }
    const { row, cascaded } = this.ctx.db.transaction(() =>
      this.rows.erase(name, object, access, id, call),
    )();
    this.announceDelete(name, id, row, cascaded);
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
      const row = this.rows.mustFindVisible(name, object, id, call);
      if (!action.roles && !allowsRow(access, object, call.identity.username, row)) {
        throw new HttpError(
          403,
          `No permission to run action "${actionName}" on this row of "${name}"`,
        );
      }
      dbRow = toOutputRow(object, row, false);
    }
    const emits = new PendingEmits();
    const args = actionArgs(this.ctx, call, userInput, dbRow);
    const result = await this.ctx.actions.runAsync(action.name, action.code!, args, emits, {
      where: action.where,
      files: actionFiles(this.ctx, call, name, object, action.roles),
    });
    emits.flush(this.ctx.realtime, this.ctx.logger);
    return result;
  }

  /**
   * A create with trigger actions. `as.writer` writes the row instead of `call` (the server, for
   * a sign-up), and `as.alsoWrite` runs in the insert's transaction.
   */
  private async createWithActions(
    name: string,
    object: ObjectDefinition,
    body: Record<string, unknown>,
    call: CallInfo,
    as: { writer?: CallInfo; alsoWrite?: (id: number) => void } = {},
  ): Promise<Created> {
    const t = this.triggers;
    const { input, emits } = await t.before(name, object, 'beforeCreate', body, null, call);
    if (name === 'users') backandRoleSpelling(object, input);
    await t.prepareDuring(object, 'duringCreate');
    const { id, row, plain } = this.ctx.db.transaction(() => {
      const written = this.rows.insert(name, object, input, as.writer ?? call);
      as.alsoWrite?.(written.id);
      t.during(name, object, 'duringCreate', input, written.plain, call, emits);
      return written;
    })();
    this.ctx.realtime.emitRowEvent(name, 'created', id, row);
    emits.flush(this.ctx.realtime, this.ctx.logger);
    await t.after(name, object, 'afterCreate', input, plain, call);
    return { id, row };
  }

  private async updateWithActions(
    name: string,
    object: ObjectDefinition,
    access: Access,
    id: number,
    body: Record<string, unknown>,
    call: CallInfo,
  ): Promise<Record<string, unknown>> {
    const current = this.rows.readChecked(name, object, access, id, call, 'update');
    const t = this.triggers;
    const { input, emits } = await t.before(
      name,
      object,
      'beforeUpdate',
      body,
      toOutputRow(object, current, false),
      call,
    );
    await t.prepareDuring(object, 'duringUpdate');
    // The row may have changed or gone while the actions ran: modify() reads and checks it again.
    const { row, old } = this.ctx.db.transaction(() => {
      const written = this.rows.modify(name, object, access, id, input, call);
      t.during(name, object, 'duringUpdate', input, written.old, call, emits);
      return written;
    })();
    this.announceUpdate(name, id, row, old);
    emits.flush(this.ctx.realtime, this.ctx.logger);
    await t.after(name, object, 'afterUpdate', input, old, call);
    return row;
  }

  private async removeWithActions(
    name: string,
    object: ObjectDefinition,
    access: Access,
    id: number,
    call: CallInfo,
  ): Promise<void> {
    const current = this.rows.readChecked(name, object, access, id, call, 'delete');
    const dbRow = toOutputRow(object, current, false);
    const t = this.triggers;
    // As in Backand, delete actions get a null userInput.
    const { emits } = await t.before(name, object, 'beforeDelete', null, dbRow, call);
    await t.prepareDuring(object, 'duringDelete');
    const { row, old, cascaded } = this.ctx.db.transaction(() => {
      const erased = this.rows.erase(name, object, access, id, call);
      t.during(name, object, 'duringDelete', null, erased.old, call, emits);
      return erased;
    })();
    this.announceDelete(name, id, row, cascaded);
    emits.flush(this.ctx.realtime, this.ctx.logger);
    await t.after(name, object, 'afterDelete', null, old, call);
  }

  private announceUpdate(
    name: string,
    id: number,
    row: Record<string, unknown>,
    old: Record<string, unknown>,
  ): void {
    // A user's role or username may have changed: their sockets' audiences follow (first, so
    // the event below already reaches them in their new audiences).
    if (name === 'users') this.ctx.realtime.recheckUser(id);
    // The old row tells which sockets lose sight of it (owner changed): they get `deleted`.
    this.ctx.realtime.emitRowEvent(name, 'updated', id, row, old);
  }

  /**
   * After the commit: the row's `deleted` event, then one for each row deleted with it by a
   * cascade, each to the sockets that may read that row. Cascaded rows run no trigger actions.
   */
  private announceDelete(
    name: string,
    id: number,
    row: Record<string, unknown>,
    cascaded: Array<{ object: string; id: number; row: Record<string, unknown> }> = [],
  ): void {
    for (const gone of [{ object: name, id, row }, ...cascaded]) {
      if (gone.object === 'users') this.ctx.realtime.recheckUser(gone.id);
      this.ctx.realtime.emitRowEvent(gone.object, 'deleted', gone.id, gone.row);
    }
  }

  /** The reader of a call, for NoSQL filters and pre-defined filters. */
  private readScope(call: CallInfo): ReadScope {
    return { app: this.ctx.app, viewer: call.identity, parameters: call.parameters };
  }

  private require(object: ObjectDefinition, name: string, call: CallInfo, op: Operation) {
    const access = accessFor(object, call.identity, op);
    if (access === 'none') throw new HttpError(403, `No permission to ${op} "${name}"`);
    return access;
  }
}

/** A write's body as the `userInput` of its actions. */
function inputOf(body: unknown): Record<string, unknown> {
  return (body ?? {}) as Record<string, unknown>;
}

/** Who writes a sign-up's row: the server itself (full access, no user). */
function serverIdentity(ctx: AppContext): Identity {
  return {
    kind: 'master',
    username: null,
    role: 'Admin',
    userId: null,
    appName: ctx.app.appName,
    token: null,
  };
}

/**
 * Backand's documented sign-up action sets `userInput.Role`: read it as `role` (unless the app
 * declares a `Role` field of its own).
 */
function backandRoleSpelling(object: ObjectDefinition, input: Record<string, unknown>): void {
  if (!Object.prototype.hasOwnProperty.call(input, 'Role') || 'Role' in object.fields) return;
  input['role'] = input['Role'];
  delete input['Role'];
}
