import mysql from 'mysql2';
import { isPlainIdentifier } from '../config/identifier.js';

export class IdentifierError extends Error {
  constructor(what: string, name: string) {
    super(`${what} ${JSON.stringify(name)} is not a plain identifier; refusing to build SQL with it`);
    this.name = 'IdentifierError';
  }
}

/** Validate, then escape: the only way an identifier enters SQL text in dbkeeper. */
export function quoteId(name: string, what = 'identifier'): string {
  if (!isPlainIdentifier(name)) throw new IdentifierError(what, name);
  return mysql.escapeId(name);
}

export function quoteTable(schema: string, table: string): string {
  return `${quoteId(schema, 'schema')}.${quoteId(table, 'table')}`;
}
