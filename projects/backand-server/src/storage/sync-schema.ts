import type { AppDefinition } from '../app-definition/schema';
import { AppDefinitionError } from '../app-definition/app-definition-error';
import { fieldTypeOf, isUnique, storedFields } from '../objects/fields';
import { lockSchema, type Db } from './database';
import { columnType, idColumn, quoteIdent, tableColumns } from './sql';

/**
 * Creates a table for every object of the definition and adds the columns of fields that were
 * added since the table was created (rows are kept; removed fields keep their column, unused).
 * A many-to-one field gets an INTEGER column and an index; a collection field has no column.
 * Returns the columns added, as `object.field`. Safe when several processes start at once on
 * one database: each syncs in its turn (SQLite's write lock; an advisory lock on PostgreSQL) and
 * finds what the one before made.
 */
export function syncSchema(db: Db, app: AppDefinition): string[] {
  const added: string[] = [];
  const run = db.transaction(() => {
    lockSchema(db);
    for (const [name, object] of Object.entries(app.objects)) {
      const table = quoteIdent(name);
      db.exec(`CREATE TABLE IF NOT EXISTS ${table} (${idColumn(db.dialect)})`);
      const existing = new Set(tableColumns(db, name));
      for (const [field, spec] of storedFields(object)) {
        if (!existing.has(field)) {
          db.exec(
            `ALTER TABLE ${table} ADD COLUMN ${quoteIdent(field)} ${columnType(fieldTypeOf(spec), db.dialect)}`,
          );
          added.push(`${name}.${field}`);
        }
        // Embedding (deep), filters and delete rules look rows up by the related id.
        if (typeof spec !== 'string' && spec.type === 'object') {
          db.exec(
            `CREATE INDEX IF NOT EXISTS ${quoteIdent(`_backand_${name}_${field}`)} ` +
              `ON ${table} (${quoteIdent(field)})`,
          );
        }
      }
      for (const [field, spec] of Object.entries(object.fields)) {
        if (!isUnique(spec)) continue;
        try {
          db.exec(
            `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(`_backand_${name}_${field}_unique`)} ` +
              `ON ${table} (${quoteIdent(field)})`,
          );
        } catch (err) {
          throw AppDefinitionError.fromProblems(undefined, [
            {
              path: `objects.${name}.fields.${field}.unique`,
              message: `cannot be enforced: existing rows hold the same value twice (${(err as Error).message})`,
            },
          ]);
        }
      }
      if (object.ownerField) {
        db.exec(
          `CREATE INDEX IF NOT EXISTS ${quoteIdent(`_backand_${name}_${object.ownerField}`)} ` +
            `ON ${table} (${quoteIdent(object.ownerField)})`,
        );
      }
    }
  });
  // IMMEDIATE: nodes starting at once on one file take turns (a deferred transaction that
  // reads, then writes, fails with SQLITE_BUSY instead of waiting).
  run.immediate();
  return added;
}
