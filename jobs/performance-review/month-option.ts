import { z } from 'zod';

/** `--month`: a calendar month as YYYY-MM (checked by the CLI before any lock or run row). */
export const monthOptionSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be YYYY-MM with a month 01-12, e.g. 2026-10' });
