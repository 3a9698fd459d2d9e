/** String literals in SQL that dbkeeper PRINTS for a person to run. Such a statement must mean the same in
 * every sql_mode: mysql2's escape() writes `\'`, which NO_BACKSLASH_ESCAPES reads as a backslash and the end of
 * the literal. Quotes are doubled here (the same in both modes); a backslash cannot be made mode-proof that way
 * (and hex literals are not allowed in COMMENT), so such a statement is printed after an explicit mode switch. */

/** `'…'` with every quote doubled; no other character is changed. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A printed statement, and whether its literals are only right with NO_BACKSLASH_ESCAPES on. */
export interface PrintedStatement {
  sql: string;
  needsNoBackslashEscapes: boolean;
}

/** Builds a statement from literal values: `statement((s) => \`… COMMENT ${s('it''s')}\`)`. */
export function printedStatement(build: (literal: (value: string) => string) => string): PrintedStatement {
  let needsNoBackslashEscapes = false;
  const sql = build((value) => {
    if (value.includes('\\')) needsNoBackslashEscapes = true;
    return sqlString(value);
  });
  return { sql, needsNoBackslashEscapes };
}

export const SAVE_SQL_MODE = 'SET @dbkeeper_saved_sql_mode = @@SESSION.sql_mode';
export const NO_BACKSLASH_ESCAPES_ON = "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')";
export const RESTORE_SQL_MODE = 'SET SESSION sql_mode = @dbkeeper_saved_sql_mode';

/** The text to print: the statement itself, or, when a literal holds a backslash, a `;`-separated script that
 * saves the session's sql_mode, turns NO_BACKSLASH_ESCAPES on, runs the statement and restores the mode. */
export function printedSql(st: PrintedStatement): string {
  if (!st.needsNoBackslashEscapes) return st.sql;
  return [SAVE_SQL_MODE, NO_BACKSLASH_ESCAPES_ON, st.sql, RESTORE_SQL_MODE].map((s) => `${s};`).join('\n');
}

/** A printed script as comment lines (every line, so a literal's line break cannot end the comment). */
export function commentedOut(text: string): string {
  return text
    .split('\n')
    .map((l) => `-- ${l}`)
    .join('\n');
}
