import { HttpError } from '../http/http-error';

/** A `{{name}}` token (Backand's parameter and `{{sys::…}}` placeholders). */
const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What a `{{sys::…}}` token stands for: the caller's user name, role or user id. */
export const SYS_TOKENS: Readonly<Record<string, 'username' | 'role' | 'userId'>> = {
  'sys::username': 'username',
  'sys::role': 'role',
  'sys::id': 'userId',
  'sys::userid': 'userId',
};

/** The caller values `{{sys::…}}` tokens take. */
export interface TokenIdentity {
  username: string | null;
  role: string;
  userId: string | null;
}

/** The caller's value for a `{{sys::…}}` token, `undefined` for any other token. */
export function sysTokenValue(token: string, identity: TokenIdentity): string | null | undefined {
  const key = SYS_TOKENS[token.toLowerCase()];
  return key === undefined ? undefined : identity[key];
}

/**
 * Rewrites the `{{token}}` placeholders of SQL text into bound parameters: `replace(token)`
 * gives the parameter's SQL (`?` or `:name`). A token alone in a string literal
 * (`'{{name}}'`, as the docs write them) becomes the parameter; a token inside a longer
 * literal (`'%{{name}}%'`) becomes a concatenation (`('%' || :name || '%')`). So a value is
 * never spliced into the SQL text. MySQL-style double-quoted strings are read as literals when
 * they hold a token; backtick identifiers are left alone.
 */
export function sqlTemplate(sql: string, replace: (token: string) => string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = literalEnd(sql, i, c);
      const literal = sql.slice(i, end);
      out += c === '`' || !literal.includes('{{') ? literal : rewriteLiteral(literal, c, replace);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      out += sql.slice(i, end < 0 ? sql.length : end);
      i = end < 0 ? sql.length : end;
    } else if (c === '{' && sql[i + 1] === '{') {
      const end = sql.indexOf('}}', i);
      if (end < 0) throw new SyntaxError('an unclosed "{{" token');
      out += replace(sql.slice(i + 2, end).trim());
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just past the literal opened by `quote` at `start` (doubled quotes escape). */
function literalEnd(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  throw new SyntaxError(`an unclosed ${quote} string`);
}

function rewriteLiteral(
  literal: string,
  quote: string,
  replace: (token: string) => string,
): string {
  const body = literal
    .slice(1, -1)
    .split(quote + quote)
    .join(quote);
  const parts: string[] = [];
  let last = 0;
  for (const m of body.matchAll(TOKEN)) {
    if (m.index > last) parts.push(sqlString(body.slice(last, m.index)));
    parts.push(replace(m[1]!));
    last = m.index + m[0].length;
  }
  if (last < body.length) parts.push(sqlString(body.slice(last)));
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Replaces the `{{token}}` placeholders in the string values of a JSON value (a NoSQL query):
 * a string that is one token becomes the token's value (a string, number, boolean or null);
 * a token inside a longer string is written into it as text. Keys are never touched, and a
 * value is never read as query structure, so a parameter cannot smuggle in an operator.
 * @throws HttpError 400 for a missing parameter or one that is not a scalar.
 */
export function resolveTokens(
  value: unknown,
  lookup: (token: string) => unknown,
  where: string,
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
    if (whole) return scalarToken(whole[1]!, lookup(whole[1]!), where);
    return value.replace(TOKEN, (_, token: string) => {
      const v = scalarToken(token, lookup(token), where);
      return v === null ? '' : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveTokens(v, lookup, where));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty: a "__proto__" key stays a key (and is then refused as an unknown field).
      Object.defineProperty(out, k, {
        value: resolveTokens(v, lookup, where),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

function scalarToken(
  token: string,
  value: unknown,
  where: string,
): string | number | boolean | null {
  if (value === undefined) {
    throw new HttpError(400, `Missing parameter "${token.slice(0, 60)}" of ${where}`, {
      parameter: token,
    });
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new HttpError(
    400,
    `Parameter "${token.slice(0, 60)}" of ${where} must be a string, number, boolean or null`,
    { parameter: token },
  );
}
