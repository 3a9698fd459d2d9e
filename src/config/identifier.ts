import { z } from 'zod';

/** MySQL and MariaDB limit every schema, table, column, index and partition name to 64 characters. */
export const MAX_IDENTIFIER_CHARS = 64;

/**
 * Why the server would refuse `name` as an identifier, or null when it is legal: 1–64 characters,
 * no NUL, no trailing space. Anything else (a leading digit, spaces, backticks, dots, quotes) is legal
 * and is quoted by quoteId.
 */
export function identifierProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if ([...name].length > MAX_IDENTIFIER_CHARS) return `must be at most ${MAX_IDENTIFIER_CHARS} characters`;
  if (name.includes('\u0000')) return 'must not contain a NUL character';
  if (name.endsWith(' ')) return 'must not end with a space';
  return null;
}

export function isLegalIdentifier(name: string): boolean {
  return identifierProblem(name) === null;
}

/** A schema, table, column, index or partition name from config: any name the server accepts. */
export const identifierSchema = z.string().superRefine((name, ctx) => {
  const problem = identifierProblem(name);
  if (problem)
    ctx.addIssue({
      code: 'custom',
      message: `${problem} (a legal MySQL/MariaDB name: 1-64 characters, no NUL, no trailing space)`,
    });
});
