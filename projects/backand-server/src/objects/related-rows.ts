import type { CallInfo } from '../app-context';
import type { AppDefinition, ObjectDefinition } from '../app-definition/schema';
import { HttpError } from '../http/http-error';
import { quoteIdent } from '../storage/sql';
import type { StatementCache } from '../storage/statement-cache';
import type { SqlValue } from './fields';
import { buildWhere } from './list-query';
import { accessFor } from './permissions';
import { collectionFields, objectFields } from './relations';
import type { RelationParams } from './relation-params';
import { selectList, toOutputRow, type DbRow } from './rows';

/** The most related rows one answer embeds (`deep` and `relatedObjects` together). */
export const MAX_EMBEDDED_ROWS = 2000;

/** Values bound in one lookup query (well under SQLite's and the filter's limits). */
const CHUNK = 500;

/** A row read from the database and its JSON form, which embedding fills in. */
export interface ReadRow {
  db: DbRow;
  out: Record<string, unknown>;
}

/**
 * Reads the rows related to rows already read, with the caller's read permission on every
 * related object and row: `deep` embedding, the `relatedObjects` map, and the check that a
 * written relation names a row the caller may read. One query per relation per level (per
 * 500 ids), never one per row.
 */
export class RelatedRows {
  constructor(
    private readonly app: AppDefinition,
    private readonly sql: StatementCache,
  ) {}

  /**
   * Fills in the relations of `rows` (of object `name`) for `deep`: a many-to-one field becomes
   * the related row (or `null`), a collection the array of its rows, down `level - 1` hops.
   * Rows the caller may not read stay out: a many-to-one field shows `null`, a collection
   * leaves them out, and a relation to an object the caller's role may not read is `null`.
   * @throws HttpError 400 when more than {@link MAX_EMBEDDED_ROWS} rows would be embedded.
   */
  embed(name: string, rows: ReadRow[], call: CallInfo, params: RelationParams): void {
    const budget = { left: MAX_EMBEDDED_ROWS };
    let frontier = new Map<string, ReadRow[]>([[name, rows]]);
    for (let hop = 1; hop < params.level && frontier.size > 0; hop++) {
      const next = new Map<string, Map<number, ReadRow>>();
      const reach = (object: string, db: DbRow): Record<string, unknown> => {
        let seen = next.get(object);
        if (!seen) next.set(object, (seen = new Map()));
        const id = Number(db.id);
        let read = seen.get(id);
        if (!read) {
          read = { db, out: toOutputRow(this.def(object), db, params.withMetadata) };
          seen.set(id, read);
        }
        return read.out;
      };
      for (const [objectName, group] of frontier) {
        const object = this.def(objectName);
        for (const [field, spec] of objectFields(object)) {
          const ids = distinct(group.map((r) => r.db[field]));
          const found = this.readable(spec.object, 'id', ids, call, budget);
          const byId = new Map(found?.map((r) => [Number(r.id), r]));
          for (const row of group) {
            const related = byId.get(Number(row.db[field]));
            row.out[field] = related ? reach(spec.object, related) : null;
          }
        }
        for (const [field, spec] of collectionFields(object)) {
          const ids = distinct(group.map((r) => r.db.id));
          const found = this.readable(spec.object, spec.via, ids, call, budget);
          const byParent = new Map<number, Array<Record<string, unknown>>>();
          for (const child of found ?? []) {
            const parent = Number(child[spec.via]);
            let list = byParent.get(parent);
            if (!list) byParent.set(parent, (list = []));
            list.push(reach(spec.object, child));
          }
          for (const row of group) {
            row.out[field] = found === null ? null : (byParent.get(Number(row.db.id)) ?? []);
          }
        }
      }
      frontier = new Map([...next].map(([object, seen]) => [object, [...seen.values()]]));
    }
  }

  /**
   * The `relatedObjects` map of `rows`: for each object their many-to-one fields point at (and
   * the caller's role may read), the rows they point at that the caller may read, by id:
   * `{"users": {"1": {…}}}`.
   */
  relatedObjects(
    name: string,
    rows: DbRow[],
    call: CallInfo,
    withMetadata: boolean,
  ): Record<string, Record<string, Record<string, unknown>>> {
    const budget = { left: MAX_EMBEDDED_ROWS };
    const wanted = new Map<string, Set<SqlValue>>();
    for (const [field, spec] of objectFields(this.def(name))) {
      let ids = wanted.get(spec.object);
      if (!ids) wanted.set(spec.object, (ids = new Set()));
      for (const row of rows) ids.add(row[field] as SqlValue);
    }
    const out: Record<string, Record<string, Record<string, unknown>>> = {};
    for (const [target, ids] of wanted) {
      const found = this.readable(target, 'id', distinct([...ids]), call, budget);
      if (found === null) continue;
      const byId: Record<string, Record<string, unknown>> = {};
      for (const row of found) {
        byId[String(row.id)] = toOutputRow(this.def(target), row, withMetadata);
      }
      out[target] = byId;
    }
    return out;
  }

  /**
   * Checks the many-to-one values of a write: each must name a row the caller may read. A
   * missing row and one the caller may not read get the same `400`, so that a write cannot
   * probe which rows exist.
   */
  assertWritable(
    name: string,
    object: ObjectDefinition,
    values: Record<string, SqlValue>,
    call: CallInfo,
    before?: DbRow,
  ): void {
    for (const [field, spec] of objectFields(object)) {
      const id = values[field];
      // Re-sending the value the row already has (a row read back) is not a new link.
      if (id === undefined || id === null || (before && Number(before[field]) === id)) continue;
      const found = this.readable(spec.object, 'id', [id], call, { left: 1 });
      if (!found?.length) {
        throw new HttpError(
          400,
          `Invalid value for field "${field}" of "${name}": no row ${String(id)} of "${spec.object}" that you may read`,
          { field },
        );
      }
    }
  }

  /**
   * The rows of `target` whose `column` is one of `values` and that the caller may read, in id
   * order; `null` when the caller's role may not read `target` at all.
   */
  private readable(
    target: string,
    column: string,
    values: SqlValue[],
    call: CallInfo,
    budget: { left: number },
  ): DbRow[] | null {
    const object = this.def(target);
    const access = accessFor(object, call.identity, 'read');
    if (access === 'none') return null;
    const out: DbRow[] = [];
    for (let i = 0; i < values.length; i += CHUNK) {
      const where = buildWhere(
        target,
        object,
        {
          filter: [{ fieldName: column, operator: 'in', value: values.slice(i, i + CHUNK) }],
          search: '',
        },
        access === 'own' ? call.identity.username : undefined,
        // Pre-defined filters hide embedded rows as they hide listed ones.
        { app: this.app, viewer: call.identity, parameters: call.parameters },
      );
      const rows = this.sql
        .get(
          `SELECT ${selectList(object)} FROM ${quoteIdent(target)} ${where.sql} ORDER BY "id" LIMIT ?`,
        )
        .all(...where.params, budget.left + 1) as DbRow[];
      if (rows.length > budget.left) {
        throw new HttpError(
          400,
          `The related rows of this answer exceed ${MAX_EMBEDDED_ROWS}: ask for a lower "level" or a smaller "pageSize", or read "${target}" by itself with a filter`,
        );
      }
      budget.left -= rows.length;
      out.push(...rows);
    }
    return out;
  }

  private def(name: string): ObjectDefinition {
    return this.app.objects[name]!;
  }
}

/** The distinct non-null values, as bound parameters. */
function distinct(values: unknown[]): SqlValue[] {
  const out = new Set<number>();
  for (const v of values) if (v !== null && v !== undefined) out.add(Number(v));
  return [...out];
}
