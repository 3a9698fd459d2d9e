import { z } from 'zod';

/** A plain SQL identifier: what a schema, table, column, index or partition may be named here. */
export const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,63}$/;

export function isPlainIdentifier(name: string): boolean {
  return PLAIN_IDENTIFIER.test(name);
}

export const identifierSchema = z
  .string()
  .regex(PLAIN_IDENTIFIER, 'must be a plain identifier (a letter or _, then letters, digits, _ or $; at most 64 characters)');
