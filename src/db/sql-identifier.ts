import mysql from 'mysql2';
import { identifierProblem } from '../config/identifier.js';

export class IdentifierError extends Error {
  constructor(what: string, name: string, problem: string) {
    super(`${what} ${JSON.stringify(name)} is not a legal identifier: ${problem}; refusing to build SQL with it`);
    this.name = 'IdentifierError';
  }
}

/**
 * The only way an identifier enters SQL text in dbkeeper: backticks, a backtick inside doubled, a dot
 * kept as part of the name. Every name the server accepts passes (names read from information_schema
 * always do); an illegal one throws before any SQL is built.
 */
export function quoteId(name: string, what = 'identifier'): string {
  const problem = identifierProblem(name);
  if (problem) throw new IdentifierError(what, name, problem);
  return mysql.escapeId(name, true);
}

export function quoteTable(schema: string, table: string): string {
  return `${quoteId(schema, 'schema')}.${quoteId(table, 'table')}`;
}
