import type { Server } from 'socket.io';
import type { AppDefinition } from '../app-definition/schema';
import { fieldTypeOf, storedFields, toStored, type SqlValue } from '../objects/fields';
import type { Viewer } from '../objects/nosql/nosql-scope';
import { securityFilter } from '../objects/security-filter';
import type { Db } from '../storage/database';
import { columnType, quoteIdent } from '../storage/sql';
import type { SocketData } from './user-sockets';

/**
 * Whether an object's pre-defined filter shows a row to a viewer. `row` is read from the
 * database as committed (by its id) when `committed`, else evaluated as the given values (a
 * deleted row, or a row as it was before an update): the filter's SQL runs against a one-row
 * table of that name, so it means exactly what it means for REST reads.
 * @throws HttpError 500 when the filter does not compile.
 */
export function rowVisibleTo(
  db: Db,
  app: AppDefinition,
  objectName: string,
  row: Record<string, unknown>,
  viewer: Viewer,
  committed: boolean,
): boolean {
  const filter = securityFilter(app, objectName, viewer);
  if (!filter) return true;
  const table = quoteIdent(objectName);
  if (committed) {
    const sql = `SELECT 1 FROM ${table} WHERE "id" = ? AND (${filter.sql})`;
    return db.prepare(sql).get(Number(row['id']), ...filter.params) !== undefined;
  }
  const object = app.objects[objectName]!;
  const fields = storedFields(object);
  const names = ['id', ...fields.map(([name]) => name)];
  const values: SqlValue[] = [Number(row['id'])];
  for (const [name, spec] of fields) {
    try {
      values.push(toStored(objectName, name, fieldTypeOf(spec), row[name]));
    } catch {
      values.push(null);
    }
  }
  // PostgreSQL gives a bound value no type of its own: each is cast to its column's type.
  const slots =
    db.dialect === 'postgres'
      ? ['CAST(? AS BIGINT)', ...fields.map(([, spec]) => `CAST(? AS ${castType(spec)})`)]
      : names.map(() => '?');
  const sql =
    `WITH ${table}(${names.map(quoteIdent).join(', ')}) AS (VALUES (${slots.join(', ')})) ` +
    `SELECT 1 FROM ${table} WHERE (${filter.sql})`;
  return db.prepare(sql).get(...values, ...filter.params) !== undefined;
}

/** The PostgreSQL type of a stored field, for a cast. */
function castType(spec: Parameters<typeof fieldTypeOf>[0]): string {
  return columnType(fieldTypeOf(spec), 'postgres').replace(/ COLLATE .*$/, '');
}

/**
 * The audience of automatic row events of objects with a pre-defined filter: of the sockets in
 * the rooms that may read the object, only those whose user the filter shows the row to. Each
 * distinct user (name, role, id) is checked once per event.
 */
export class RowAudience {
  constructor(
    private readonly io: Server,
    private readonly app: AppDefinition,
    private readonly db: Db,
  ) {}

  /** Whether events of the object need a check per reader. */
  filtered(objectName: string): boolean {
    return this.app.objects[objectName]?.predefinedFilter !== undefined;
  }

  /**
   * Sends an automatic event (and `deleted` to the sockets that lost sight of an updated row).
   * `asWritten`: judge `row` by its values, not by the committed row (on another node of a
   * cluster, the row may have changed again by the time the event arrives).
   */
  emit(
    objectName: string,
    event: 'created' | 'updated' | 'deleted',
    id: number,
    row: Record<string, unknown>,
    rooms: string[],
    before?: { row: Record<string, unknown>; rooms: string[] },
    asWritten = false,
  ): void {
    const now = this.sockets(objectName, rooms, { ...row, id }, event !== 'deleted' && !asWritten);
    if (before) {
      const was = this.sockets(objectName, before.rooms, { ...before.row, id }, false);
      const lost = [...was].filter((s) => !now.has(s));
      if (lost.length) {
        this.io
          .to(lost)
          .emit(`${objectName}.deleted`, { id: String(id), objectName, event: 'deleted' });
      }
    }
    if (!now.size) return;
    const data: Record<string, unknown> = { id: String(id), objectName, event };
    if (event !== 'deleted') data['row'] = row;
    this.io.to([...now]).emit(`${objectName}.${event}`, data);
  }

  private sockets(
    objectName: string,
    rooms: string[],
    row: Record<string, unknown>,
    committed: boolean,
  ): Set<string> {
    const out = new Set<string>();
    const verdicts = new Map<string, boolean>();
    const nsp = this.io.of('/');
    for (const room of rooms) {
      for (const socketId of nsp.adapter.rooms.get(room) ?? []) {
        if (out.has(socketId)) continue;
        const identity = (nsp.sockets.get(socketId)?.data as SocketData | undefined)?.identity;
        if (!identity) continue;
        const key = JSON.stringify([
          identity.kind,
          identity.username,
          identity.role,
          identity.userId,
        ]);
        let visible = verdicts.get(key);
        if (visible === undefined) {
          try {
            visible = rowVisibleTo(this.db, this.app, objectName, row, identity, committed);
          } catch {
            visible = false; // a broken filter shows nothing
          }
          verdicts.set(key, visible);
        }
        if (visible) out.add(socketId);
      }
    }
    return out;
  }
}
