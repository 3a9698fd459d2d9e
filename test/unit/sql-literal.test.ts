import fc from 'fast-check';
import mysql from 'mysql2';
import { describe, expect, it } from 'vitest';
import { commentedOut, printedSql, printedStatement, sqlString } from '../../src/db/sql-literal.js';
import type { IndexDef } from '../../jobs/index-review/facts.js';
import { addIndexesSql, redefineIndexSql } from '../../jobs/index-review/sql.js';

/** How the server reads a '…' literal starting at `start` (MySQL manual, "String Literals"). */
function readLiteral(sql: string, start: number, noBackslashEscapes: boolean): { value: string; end: number } {
  const escapes: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };
  let value = '';
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && !noBackslashEscapes) {
      const n = sql[i + 1]!;
      value += escapes[n] ?? n;
      i += 2;
    } else if (c === "'" && sql[i + 1] === "'") {
      value += "'";
      i += 2;
    } else if (c === "'") return { value, end: i + 1 };
    else {
      value += c;
      i += 1;
    }
  }
  throw new Error('unterminated literal');
}

const WRAP = [
  'SET @dbkeeper_saved_sql_mode = @@SESSION.sql_mode;',
  "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES');",
];

describe('printed string literals', () => {
  it('doubles quotes and changes nothing else', () => {
    expect(sqlString("p' , DROP PRIMARY KEY -- ")).toBe("'p'' , DROP PRIMARY KEY -- '");
    expect(sqlString('line\nnext ü')).toBe("'line\nnext ü'");
    expect(sqlString('a\\b')).toBe("'a\\b'");
  });

  it('a literal without backslash reads back the same in both modes and ends where it should', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !s.includes('\\')),
        (v) => {
          const lit = sqlString(v);
          for (const mode of [false, true])
            expect(readLiteral(`${lit} rest`, 0, mode)).toEqual({ value: v, end: lit.length });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("mysql2's escape() does not: the quote ends the literal under NO_BACKSLASH_ESCAPES (why it is not used)", () => {
    const lit = mysql.escape("p' , DROP PRIMARY KEY -- ");
    expect(readLiteral(lit, 0, false).value).toBe("p' , DROP PRIMARY KEY -- ");
    expect(readLiteral(lit, 0, true)).toEqual({ value: 'p\\', end: 4 });
  });

  it('a statement whose literal holds a backslash is printed between an explicit NO_BACKSLASH_ESCAPES and the restore', () => {
    const plain = printedStatement((l) => `SET @x = ${l("it's")}`);
    expect(plain).toEqual({ sql: "SET @x = 'it''s'", needsNoBackslashEscapes: false });
    expect(printedSql(plain)).toBe("SET @x = 'it''s'");
    const back = printedStatement((l) => `SET @x = ${l("a\\' b")}`);
    expect(printedSql(back).split('\n')).toEqual([
      ...WRAP,
      "SET @x = 'a\\'' b';",
      'SET SESSION sql_mode = @dbkeeper_saved_sql_mode;',
    ]);
    expect(readLiteral(back.sql, 'SET @x = '.length, true).value).toBe("a\\' b");
  });

  it('comments out every line, so a line break in a literal cannot end the comment', () => {
    expect(commentedOut("undo: ALTER … COMMENT 'a\nDROP TABLE x'")).toBe(
      "-- undo: ALTER … COMMENT 'a\n-- DROP TABLE x'",
    );
  });
});

const ix = (over: Partial<IndexDef>): IndexDef => ({
  name: 'ix',
  type: 'BTREE',
  primary: false,
  unique: false,
  columns: [{ name: 'a', subPart: null, descending: false }],
  hidden: false,
  comment: '',
  bytes: null,
  ordinal: 1,
  ...over,
});

describe('index rollback statements', () => {
  it('hostile comments: quotes doubled, no backslash escape; a backslash brings the mode switch', () => {
    expect(addIndexesSql('s', 't', [ix({ comment: "p' , DROP PRIMARY KEY -- " })], null)).toBe(
      "ALTER TABLE `s`.`t` ADD INDEX `ix` (`a`) COMMENT 'p'' , DROP PRIMARY KEY -- ', ALGORITHM=INPLACE, LOCK=NONE",
    );
    expect(addIndexesSql('s', 't', [ix({ comment: 'C:\\new' })], null).split('\n')).toEqual([
      ...WRAP,
      "ALTER TABLE `s`.`t` ADD INDEX `ix` (`a`) COMMENT 'C:\\new', ALGORITHM=INPLACE, LOCK=NONE;",
      'SET SESSION sql_mode = @dbkeeper_saved_sql_mode;',
    ]);
    expect(
      redefineIndexSql('s', 't', ix({ comment: "o'k" }), [{ name: 'b', subPart: null, descending: false }], null),
    ).toBe("ALTER TABLE `s`.`t` DROP INDEX `ix`, ADD INDEX `ix` (`b`) COMMENT 'o''k', ALGORITHM=INPLACE, LOCK=NONE");
  });

  it('names from the server are quoted whatever they contain (backticks doubled, a dot kept in the name)', () => {
    expect(
      addIndexesSql(
        's',
        'we`ird t.able',
        [ix({ name: 'ix `q`.é', columns: [{ name: 'col umn', subPart: 4, descending: true }] })],
        null,
      ),
    ).toBe('ALTER TABLE `s`.`we``ird t.able` ADD INDEX `ix ``q``.é` (`col umn`(4) DESC), ALGORITHM=INPLACE, LOCK=NONE');
  });
});
