import type { ObjectDefinition } from '../app-definition/schema';
import { buildOrderBy, buildWhere } from '../objects/list-query';
import type { ReadScope } from '../objects/nosql/nosql-list';
import type { SqlValue } from '../objects/fields';
import { selectList, toOutputRow, type DbRow } from '../objects/rows';
import { quoteIdent } from '../storage/sql';
import type { StatementCache } from '../storage/statement-cache';
import type { LiveQuerySpec } from './live-query-request';

/**
 * One change of a live list's window, in the order a client applies them: every `leave` first,
 * then `enter` / `change` by ascending `index` (the row's position in the new window).
 */
export type LiveChange =
  | { op: 'enter' | 'change'; id: number; index: number; row: Record<string, unknown> }
  | { op: 'leave'; id: number };

/**
 * One distinct live query for one audience: page 1 (`pageSize` rows) of a list, compiled once to
 * the same SQL as `GET /1/objects/{name}`, and the ids of its current window in order.
 * A write is matched by running that SQL restricted to the written row's id.
 */
export class LiveQuery {
  /** The ids in the window, in list order. */
  private window: number[] = [];
  private readonly select: string;
  private readonly membership: string;
  private readonly windowIds: string;
  private readonly windowRows: string;
  private readonly params: SqlValue[];
  /** The order is `id` ascending alone (no sort given): positions follow from ids. */
  private readonly byId: boolean;

  /**
   * @param handle the name clients know it by (`query` in acks and deltas).
   * @param ownerOnly as in `buildWhere`: the reader's user name for "own" access, else undefined.
   * @param scope the reader, for the object's pre-defined filter.
   */
  constructor(
    readonly handle: string,
    readonly key: string,
    readonly spec: LiveQuerySpec,
    private readonly object: ObjectDefinition,
    ownerOnly: string | null | undefined,
    private readonly sql: StatementCache,
    scope: ReadScope,
  ) {
    // The reader's scope brings the object's pre-defined filter into the list's own SQL.
    const where = buildWhere(spec.object, object, spec, ownerOnly, scope);
    const orderBy = buildOrderBy(spec.object, object, spec);
    const table = quoteIdent(spec.object);
    this.params = where.params;
    this.select = `SELECT ${selectList(object)} FROM ${table}`;
    const and = where.sql ? `${where.sql} AND` : 'WHERE';
    this.membership = `${this.select} ${and} "id" = ?`;
    const tail = `${where.sql} ${orderBy} LIMIT ?`;
    this.windowIds = `SELECT "id" FROM ${table} ${tail}`;
    this.windowRows = `${this.select} ${tail}`;
    this.byId = spec.sort.length === 0;
    // Prepared now: a bad query fails the subscribe, not a later write.
    sql.get(this.membership);
    sql.get(this.windowIds);
  }

  /** Rows in the window now. */
  get size(): number {
    return this.window.length;
  }

  /** The rows of the window, read now (the window is reset from them). */
  load(): Record<string, unknown>[] {
    const rows = this.sql.get(this.windowRows).all(...this.params, this.spec.pageSize) as DbRow[];
    this.window = rows.map((r) => Number(r.id));
    return rows.map((r) => toOutputRow(this.object, r));
  }

  /**
   * Re-reads which rows are in the window and returns the rows that entered or left since the
   * last write this query matched. On one node that is nothing; in a cluster, a write committed
   * on another node may be read here before its notice arrives (which then changes nothing), so
   * a new subscriber's read must not move the window without telling the current holders.
   */
  resync(): LiveChange[] {
    const next = this.readWindow();
    const before = new Set(this.window);
    const after = new Set(next);
    const changes: LiveChange[] = this.window
      .filter((id) => !after.has(id))
      .map((id) => ({ op: 'leave' as const, id }));
    const fetched = this.rowsById(next.filter((n) => !before.has(n)));
    next.forEach((n, index) => {
      const r = fetched.get(n);
      if (r) changes.push({ op: 'enter', id: n, index, row: toOutputRow(this.object, r) });
    });
    this.window = next;
    return changes;
  }

  /**
   * Re-reads the whole window, for when writes may have been missed (a node of the cluster died
   * after a commit, before its notice went out): every row that left, then every row of the
   * window, `enter` when new and `change` otherwise, so a client's list ends equal to the
   * database whatever it missed.
   */
  refresh(): LiveChange[] {
    const rows = this.sql.get(this.windowRows).all(...this.params, this.spec.pageSize) as DbRow[];
    const next = rows.map((r) => Number(r.id));
    const before = new Set(this.window);
    const after = new Set(next);
    const changes: LiveChange[] = this.window
      .filter((id) => !after.has(id))
      .map((id) => ({ op: 'leave' as const, id }));
    rows.forEach((r, index) => {
      const id = next[index]!;
      const op = before.has(id) ? ('change' as const) : ('enter' as const);
      changes.push({ op, id, index, row: toOutputRow(this.object, r) });
    });
    this.window = next;
    return changes;
  }

  /**
   * Matches a committed write (create, update or delete of row `id`) and moves the window: the
   * changes to send, empty when the list did not change.
   */
  onWrite(id: number): LiveChange[] {
    const row = this.sql.get(this.membership).get(...this.params, id) as DbRow | undefined;
    const at = this.window.indexOf(id);
    if (!row && at === -1) return [];
    const next = this.nextWindow(id, at, row !== undefined);
    if (next === null) return [];
    return this.diff(next, id, row);
  }

  /** The window after a write, or `null` when it is unchanged and the row is not in it. */
  private nextWindow(id: number, at: number, matches: boolean): number[] | null {
    const full = this.window.length >= this.spec.pageSize;
    if (!this.byId) return this.readWindow();
    if (matches && at !== -1) return this.window;
    if (matches) {
      let pos = this.window.findIndex((other) => other > id);
      if (pos === -1) pos = this.window.length;
      if (full && pos >= this.window.length) return null;
      const next = [...this.window.slice(0, pos), id, ...this.window.slice(pos)];
      return next.slice(0, this.spec.pageSize);
    }
    // It left: a full window takes the next row in its place.
    return full ? this.readWindow() : this.window.filter((other) => other !== id);
  }

  private diff(next: number[], id: number, row: DbRow | undefined): LiveChange[] {
    const before = new Set(this.window);
    const after = new Set(next);
    const changes: LiveChange[] = [];
    for (const old of this.window) if (!after.has(old)) changes.push({ op: 'leave', id: old });
    const entering = next.filter((n) => !before.has(n) && n !== id);
    const fetched = this.rowsById(entering);
    next.forEach((n, index) => {
      if (n === id && row) {
        changes.push({
          op: before.has(n) ? 'change' : 'enter',
          id: n,
          index,
          row: toOutputRow(this.object, row),
        });
      } else if (!before.has(n)) {
        const r = fetched.get(n);
        if (r) changes.push({ op: 'enter', id: n, index, row: toOutputRow(this.object, r) });
      }
    });
    this.window = next;
    return changes;
  }

  private readWindow(): number[] {
    const rows = this.sql.get(this.windowIds).all(...this.params, this.spec.pageSize) as {
      id: number;
    }[];
    return rows.map((r) => Number(r.id));
  }

  private rowsById(ids: number[]): Map<number, DbRow> {
    const found = new Map<number, DbRow>();
    if (!ids.length) return found;
    const rows = this.sql
      .get(`${this.select} WHERE "id" IN (${ids.map(() => '?').join(', ')})`)
      .all(...ids) as DbRow[];
    for (const r of rows) found.set(Number(r.id), r);
    return found;
  }
}
