import { translateSql } from './translate-sql';

describe('translateSql', () => {
  it('numbers positional parameters', () => {
    expect(translateSql('SELECT * FROM t WHERE a = ? AND b IN (?, ?)').text).toBe(
      'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)',
    );
  });

  it('leaves question marks and colons inside quotes and comments alone', () => {
    const sql = `SELECT '?', "a?b", 'it''s ?' FROM t -- what?\nWHERE x = ? /* :y ? */`;
    expect(translateSql(sql).text).toBe(
      `SELECT '?', "a?b", 'it''s ?' FROM t -- what?\nWHERE x = $1 /* :y ? */`,
    );
  });

  it('binds named parameters once per name, keeping casts', () => {
    const t = translateSql('SELECT :a::text, @b, :a FROM t WHERE c = :c_1');
    expect(t.text).toBe('SELECT $1::text, $2, $1 FROM t WHERE c = $3');
    expect(t.names).toEqual(['a', 'b', 'c_1']);
  });

  it('quotes mixed-case identifiers, not keywords, lower-case names or function calls', () => {
    expect(
      translateSql(
        'SELECT id, firstName, s.userId AS sessionId, COUNT(*), jsonExtract(x) FROM users',
      ).text,
    ).toBe(
      'SELECT id, "firstName", s."userId" AS "sessionId", COUNT(*), jsonExtract(x) FROM users',
    );
  });

  it('makes LIKE case-insensitive, as on SQLite', () => {
    expect(translateSql("SELECT 1 FROM t WHERE a LIKE ? AND b NOT like '%x%'").text).toBe(
      "SELECT 1 FROM t WHERE a ILIKE $1 AND b NOT ILIKE '%x%'",
    );
  });

  it('quotes names in backticks the standard way', () => {
    expect(translateSql('SELECT `name`, `a"b` FROM `items`').text).toBe(
      'SELECT "name", "a""b" FROM "items"',
    );
  });

  it('tells readers from writers', () => {
    expect(translateSql('select 1').reader).toBe(true);
    expect(translateSql('WITH x AS (SELECT 1) SELECT * FROM x').reader).toBe(true);
    expect(translateSql('  UPDATE t SET a = 1').reader).toBe(false);
    expect(translateSql('INSERT INTO t (a) VALUES (?) RETURNING id').reader).toBe(true);
    expect(translateSql('/* c */ DELETE FROM t').reader).toBe(false);
  });
});
