import mysql from 'mysql2';
import { printedSql, printedStatement } from '../../src/db/sql-literal.js';
import type { IndexColumn, IndexDef } from './facts.js';

/** Keywords that hide an index from the optimizer and show it again (see hideIndexKeywords in dialect.ts). */
export type HideKeywords = { hide: string; show: string } | null;

/** Names here come from information_schema: whatever the server accepted, quoted with backticks doubled
 * (a dot stays part of the name). Never validated against the config's identifier rule. */
const quoteId = (name: string): string => mysql.escapeId(name, true);
const quoteTable = (schema: string, table: string): string => `${quoteId(schema)}.${quoteId(table)}`;

function columnSql(c: IndexColumn): string {
  if (c.name === null) throw new Error('an expression index part cannot be re-created from information_schema');
  return `${quoteId(c.name)}${c.subPart !== null ? `(${c.subPart})` : ''}${c.descending ? ' DESC' : ''}`;
}

/** `ADD … INDEX name (cols)` with the exact original definition (type, prefix lengths, order, comment, hidden state).
 * The comment goes through `literal` (quotes doubled, never backslash escapes: see sql-literal.ts). */
function addIndexClause(
  ix: IndexDef,
  hide: HideKeywords,
  columns: IndexColumn[],
  literal: (value: string) => string,
): string {
  const type = ix.type.toUpperCase();
  const kind = ix.unique
    ? 'UNIQUE INDEX'
    : type === 'FULLTEXT'
      ? 'FULLTEXT INDEX'
      : type === 'SPATIAL'
        ? 'SPATIAL INDEX'
        : 'INDEX';
  const using = type === 'HASH' ? ' USING HASH' : '';
  const comment = ix.comment ? ` COMMENT ${literal(ix.comment)}` : '';
  const hidden = ix.hidden && hide ? ` ${hide.hide}` : '';
  return `ADD ${kind} ${quoteId(ix.name)}${using} (${columns.map(columnSql).join(', ')})${comment}${hidden}`;
}

/** Online where the server can: fails instead of blocking writes. FULLTEXT/SPATIAL builds cannot run with LOCK=NONE. */
function onlineSuffix(indexes: IndexDef[]): string {
  return indexes.some((ix) => ['FULLTEXT', 'SPATIAL'].includes(ix.type.toUpperCase()))
    ? ''
    : ', ALGORITHM=INPLACE, LOCK=NONE';
}

export function dropIndexesSql(schema: string, table: string, indexes: IndexDef[]): string {
  return `ALTER TABLE ${quoteTable(schema, table)} ${indexes.map((ix) => `DROP INDEX ${quoteId(ix.name)}`).join(', ')}${onlineSuffix(indexes)}`;
}

export function addIndexesSql(schema: string, table: string, indexes: IndexDef[], hide: HideKeywords): string {
  return printedSql(
    printedStatement(
      (literal) =>
        `ALTER TABLE ${quoteTable(schema, table)} ${indexes.map((ix) => addIndexClause(ix, hide, ix.columns, literal)).join(', ')}${onlineSuffix(indexes)}`,
    ),
  );
}

/** The safe first step: the optimizer stops using the indexes, writes still maintain them, undo is instant. */
export function hideIndexesSql(
  schema: string,
  table: string,
  indexes: IndexDef[],
  hide: HideKeywords,
  show = false,
): string | null {
  if (!hide) return null;
  const word = show ? hide.show : hide.hide;
  return `ALTER TABLE ${quoteTable(schema, table)} ${indexes.map((ix) => `ALTER INDEX ${quoteId(ix.name)} ${word}`).join(', ')}`;
}

/** Drop and re-create under the same name with other columns, in one statement. */
export function redefineIndexSql(
  schema: string,
  table: string,
  from: IndexDef,
  columns: IndexColumn[],
  hide: HideKeywords,
): string {
  return printedSql(
    printedStatement(
      (literal) =>
        `ALTER TABLE ${quoteTable(schema, table)} DROP INDEX ${quoteId(from.name)}, ${addIndexClause(from, hide, columns, literal)}${onlineSuffix([from])}`,
    ),
  );
}

export function describeColumns(columns: IndexColumn[]): string {
  return columns
    .map(
      (c) => `${c.name ?? '(expression)'}${c.subPart !== null ? `(${c.subPart})` : ''}${c.descending ? ' DESC' : ''}`,
    )
    .join(', ');
}
