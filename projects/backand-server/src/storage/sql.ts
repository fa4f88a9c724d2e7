import type { FieldType } from '../app-definition/schema';

/** Quotes an identifier (table or column name) for SQLite. Names come from the definition only. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The SQLite column type used to store a field type. */
export function columnType(type: FieldType): string {
  switch (type) {
    case 'int':
    case 'boolean':
      return 'INTEGER';
    case 'float':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

/** Escapes `%`, `_` and `\` so that a value matches literally inside a `LIKE … ESCAPE '\'`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
