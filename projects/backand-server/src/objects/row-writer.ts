import type { CallInfo, AppContext } from '../app-context';
import type { ObjectDefinition } from '../app-definition/schema';
import { isAdmin } from '../auth/identity';
import { canonicalUsername } from '../auth/username';
import { HttpError } from '../http/http-error';
import { quoteIdent } from '../storage/sql';
import type { StatementCache } from '../storage/statement-cache';
import { DeleteRules, type CascadedRow } from './delete-rules';
import { allowsRow, ownsRow, type Access } from './permissions';
import { stampTimes } from './timestamps';
import { RelatedRows } from './related-rows';
import { selectList, toOutputRow, toStoredValues, type DbRow } from './rows';
import { securityFilter } from './security-filter';

/**
 * The SQL of row writes, each checked against the row as it is when it runs. Call them inside a
 * transaction: they read, check and write in one step.
 */
export class RowWriter {
  private readonly related: RelatedRows;
  private readonly deleteRules: DeleteRules;

  constructor(
    private readonly ctx: Pick<AppContext, 'users' | 'app'>,
    private readonly sql: StatementCache,
  ) {
    this.related = new RelatedRows(ctx.app, sql);
    this.deleteRules = new DeleteRules(ctx.app, sql);
  }

  /** Inserts a row (in the caller's transaction): its id, JSON form and plain form. */
  insert(name: string, object: ObjectDefinition, input: unknown, call: CallInfo) {
    const values = toStoredValues(name, object, input, 'create');
    if (object.ownerField && (!isAdmin(call.identity) || values[object.ownerField] == null)) {
      values[object.ownerField] = call.identity.username;
    }
    this.canonicalOwner(name, object, values, call);
    if (name === 'users') this.defaultRole(values, call);
    stampTimes(object, values);
    this.related.assertWritable(name, object, values, call);
    const columns = Object.keys(values);
    // The stored row comes back with the insert: no second statement to read it.
    const returning = `RETURNING ${selectList(object)}`;
    const sql = columns.length
      ? `INSERT INTO ${quoteIdent(name)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ${returning}`
      : `INSERT INTO ${quoteIdent(name)} DEFAULT VALUES ${returning}`;
    const stored = this.sql.get(sql).get(...Object.values(values)) as DbRow;
    const id = Number(stored['id']);
    return { id, row: toOutputRow(object, stored), plain: toOutputRow(object, stored, false) };
  }

  /** Updates a row (in the caller's transaction), checked against the row as it is now. */
  modify(
    name: string,
    object: ObjectDefinition,
    access: Access,
    id: number,
    input: unknown,
    call: CallInfo,
  ) {
    const before = this.readChecked(name, object, access, id, call, 'update');
    const values = toStoredValues(name, object, input, 'update');
    this.guardProtectedFields(name, object, values, before, call);
    this.canonicalOwner(name, object, values, call);
    stampTimes(object, values, before);
    this.related.assertWritable(name, object, values, call, before);
    const columns = Object.keys(values);
    const stored = columns.length
      ? (this.sql
          .get(
            `UPDATE ${quoteIdent(name)} SET ${columns.map((c) => `${quoteIdent(c)} = ?`).join(', ')} WHERE id = ? RETURNING ${selectList(object)}`,
          )
          .get(...Object.values(values), id) as DbRow | undefined)
      : undefined;
    const row = toOutputRow(object, stored ?? this.mustFind(name, object, id));
    return { row, old: toOutputRow(object, before, false) };
  }

  /**
   * Deletes a row (in the caller's transaction), checked against the row as it is now, and
   * follows the delete rules of the fields pointing at it: `cascaded` lists the rows deleted
   * with it (their JSON forms), for their `deleted` events after the commit.
   * @throws HttpError 409 when a `restrict` rule holds it back (nothing is deleted).
   */
  erase(name: string, object: ObjectDefinition, access: Access, id: number, call: CallInfo) {
    const before = this.readChecked(name, object, access, id, call, 'delete');
    const cascaded = this.deleteRules.apply(name, id);
    this.sql.get(`DELETE FROM ${quoteIdent(name)} WHERE id = ?`).run(id);
    for (const gone of [{ object: name, row: before }, ...cascaded]) {
      if (gone.object === 'users') this.eraseAccount(Number(gone.row.id));
    }
    return {
      row: toOutputRow(object, before),
      old: toOutputRow(object, before, false),
      cascaded: cascaded.map((c: CascadedRow) => ({
        object: c.object,
        id: Number(c.row.id),
        row: toOutputRow(this.ctx.app.objects[c.object]!, c.row),
      })),
    };
  }

  /** A deleted user cannot sign in again, and their sessions end. */
  private eraseAccount(id: number): void {
    this.sql.get(`DELETE FROM _backand_credentials WHERE user_id = ?`).run(id);
    this.sql.get(`DELETE FROM _backand_user_tokens WHERE user_id = ?`).run(id);
    this.sql.get(`DELETE FROM _backand_reset_tokens WHERE user_id = ?`).run(id);
    this.sql
      .get(`UPDATE _backand_refresh_tokens SET revoked_at = ? WHERE user_id = ?`)
      .run(new Date().toISOString(), id);
  }

  /** A row the caller may write. @throws 404 when missing, 403 when not theirs to write. */
  readChecked(
    name: string,
    object: ObjectDefinition,
    access: Access,
    id: number,
    call: CallInfo,
    op: 'update' | 'delete',
  ): DbRow {
    const row = this.mustFindVisible(name, object, id, call);
    if (!allowsRow(access, object, call.identity.username, row)) {
      throw new HttpError(403, `No permission to ${op} this row of "${name}"`);
    }
    return row;
  }

  /**
   * A row that the object's pre-defined filter shows the caller.
   * @throws 404, the same as for a missing row, when it is missing or the filter hides it.
   */
  mustFindVisible(name: string, object: ObjectDefinition, id: number, call: CallInfo): DbRow {
    const filter = securityFilter(this.ctx.app, name, call.identity);
    if (!filter) return this.mustFind(name, object, id);
    const row = this.sql
      .get(`SELECT ${selectList(object)} FROM ${quoteIdent(name)} WHERE id = ? AND (${filter.sql})`)
      .get(id, ...filter.params) as DbRow | undefined;
    if (!row) throw new HttpError(404, `No row with id ${id} in "${name}"`);
    return row;
  }

  mustFind(name: string, object: ObjectDefinition, id: number): DbRow {
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

  /**
   * A user made through the `users` object gets the app's default role (`signUpRole`), as one
   * who signs up does; only an admin may give another one.
   */
  private defaultRole(values: Record<string, unknown>, call: CallInfo): void {
    const role = values['role'];
    if (role === null || role === undefined || role === '') {
      values['role'] = this.ctx.app.signUpRole;
    } else if (!isAdmin(call.identity) && role !== this.ctx.app.signUpRole) {
      throw new HttpError(403, "Only an admin may set a user's role", { field: 'role' });
    }
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
}
