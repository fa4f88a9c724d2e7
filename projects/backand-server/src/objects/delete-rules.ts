import type { AppDefinition } from '../app-definition/schema';
import { HttpError } from '../http/http-error';
import { quoteIdent } from '../storage/sql';
import type { StatementCache } from '../storage/statement-cache';
import { referencesTo, type Reference } from './relations';
import { selectList, type DbRow } from './rows';

/** A row deleted because a row it pointed at was deleted (`"onDelete": "cascade"`). */
export interface CascadedRow {
  object: string;
  row: DbRow;
}

/** Ids bound in one statement. */
const CHUNK = 500;

/**
 * The delete rules of many-to-one fields. Deleting a row follows, for every field that points
 * at its object, that field's `onDelete`: `restrict` (the default) refuses while rows point at
 * it, `cascade` deletes them too (and, in turn, the rows pointing at those). Run inside the
 * delete's transaction: a refusal deletes nothing.
 */
export class DeleteRules {
  constructor(
    private readonly app: AppDefinition,
    private readonly sql: StatementCache,
  ) {}

  /**
   * Deletes the rows that cascade from deleting row `id` of `name` (not that row itself) and
   * returns them. @throws HttpError 409 when a `restrict` field points at a row being deleted
   * from a row that is not being deleted.
   */
  apply(name: string, id: number): CascadedRow[] {
    const doomed = new Set<string>([key(name, id)]);
    const cascaded: CascadedRow[] = [];
    const blockers: Array<{ ref: Reference; row: DbRow; target: string; targetId: number }> = [];
    let frontier = new Map<string, number[]>([[name, [id]]]);
    while (frontier.size > 0) {
      const next = new Map<string, number[]>();
      for (const [target, ids] of frontier) {
        for (const ref of referencesTo(this.app, target)) {
          for (const row of this.pointingAt(ref, ids)) {
            if (ref.onDelete === 'restrict') {
              blockers.push({ ref, row, target, targetId: Number(row[ref.field]) });
              continue;
            }
            const k = key(ref.object, row.id);
            if (doomed.has(k)) continue;
            doomed.add(k);
            cascaded.push({ object: ref.object, row });
            let list = next.get(ref.object);
            if (!list) next.set(ref.object, (list = []));
            list.push(Number(row.id));
          }
        }
      }
      frontier = next;
    }
    // A row that is itself being deleted does not hold its target back.
    const blocker = blockers.find((b) => !doomed.has(key(b.ref.object, b.row.id)));
    if (blocker) {
      throw new HttpError(
        409,
        `Cannot delete row ${blocker.targetId} of "${blocker.target}": rows of "${blocker.ref.object}" refer to it through "${blocker.ref.field}" ("onDelete": "restrict"); delete them or change their "${blocker.ref.field}" first`,
      );
    }
    for (const { object, row } of cascaded) {
      this.sql.get(`DELETE FROM ${quoteIdent(object)} WHERE id = ?`).run(row.id);
    }
    return cascaded;
  }

  /** The rows whose `ref.field` is one of `ids`. */
  private pointingAt(ref: Reference, ids: number[]): DbRow[] {
    const object = this.app.objects[ref.object]!;
    const out: DbRow[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      out.push(
        ...(this.sql
          .get(
            `SELECT ${selectList(object)} FROM ${quoteIdent(ref.object)} WHERE ${quoteIdent(ref.field)} IN (${chunk.map(() => '?').join(', ')})`,
          )
          .all(...chunk) as DbRow[]),
      );
    }
    return out;
  }
}

function key(object: string, id: unknown): string {
  return `${object}:${String(id)}`;
}
