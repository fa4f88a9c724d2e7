import type { Db, Statement } from './db';

/**
 * Prepared statements by SQL text, so hot queries are parsed once. Bounded: when full, the
 * oldest entry goes (SQL built from filters varies, e.g. with the length of an `in` list).
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly max = 500,
  ) {}

  /** The prepared statement for `sql`. */
  get(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= this.max) {
        this.statements.delete(this.statements.keys().next().value!);
      }
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
