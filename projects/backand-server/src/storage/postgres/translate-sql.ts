/** A statement as PostgreSQL takes it: `$n` placeholders, and how to bind named parameters. */
export interface TranslatedSql {
  text: string;
  /** For named parameters (`:name`, `@name`): the name bound to each `$n`, in order. */
  names?: string[];
  /** Whether the statement returns rows: a query, or a write with `RETURNING`. */
  reader: boolean;
}

const READERS = new Set(['SELECT', 'WITH', 'VALUES', 'SHOW', 'EXPLAIN', 'TABLE']);

/**
 * Turns the server's SQL (written once for SQLite and PostgreSQL) into PostgreSQL's form:
 * - positional `?` become `$1…$n`; named `:name` / `@name` become `$k` (one per name);
 * - a bare identifier in mixed case (`firstName`) is quoted: the server's columns keep the case
 *   of the definition's field names, which PostgreSQL would otherwise fold to lower case.
 *   All-capital words (keywords) and lower-case words are left alone.
 * - `LIKE` is `ILIKE`: case-insensitive, as SQLite's and MySQL's (Backand's) are;
 * - a name in backticks (MySQL's quoting, which SQLite takes too, and Backand's saved queries
 *   use) is quoted the standard way.
 * Text in quotes and comments is never touched, and `::` casts stay casts.
 */
export function translateSql(sql: string): TranslatedSql {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  let firstWord: string | undefined;
  let returning = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (; j < n; j++) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j++;
          else break;
        }
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '`') {
      const j = sql.indexOf('`', i + 1);
      const end = j === -1 ? n : j;
      out += `"${sql.slice(i + 1, end).replace(/"/g, '""')}"`;
      i = end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j === -1 ? n : j;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j === -1 ? n : j + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '?') {
      out += `$${++positional}`;
      i++;
    } else if (c === ':' && sql[i + 1] === ':') {
      out += '::';
      i += 2;
    } else if ((c === ':' || c === '@') && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      let k = names.indexOf(name);
      if (k === -1) k = names.push(name) - 1;
      out += `$${k + 1}`;
      i += 1 + name.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))![0];
      firstWord ??= word.toUpperCase();
      if (word.toUpperCase() === 'RETURNING') returning = true;
      const mixed = /[a-z]/.test(word) && /[A-Z]/.test(word);
      // A function call keeps its name as written (PostgreSQL's are case-insensitive).
      const call = sql[i + word.length] === '(';
      out += mixed && !call ? `"${word}"` : word.toUpperCase() === 'LIKE' ? 'ILIKE' : word;
      i += word.length;
    } else if (/[0-9]/.test(c)) {
      const number = /^[0-9][A-Za-z0-9_.]*/.exec(sql.slice(i))![0];
      out += number;
      i += number.length;
    } else {
      out += c;
      i++;
    }
  }
  return {
    text: out,
    ...(names.length ? { names } : {}),
    reader: returning || READERS.has(firstWord ?? ''),
  };
}
