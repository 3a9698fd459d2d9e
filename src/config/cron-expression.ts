import { validate } from 'node-cron';
import { z } from 'zod';

export const cronSchema = z.string().refine((expr) => validate(expr), {
  message: 'is not a valid cron expression (5 or 6 fields, e.g. "15 3 * * *")',
});

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .refine(isValidTimeZone, { message: 'is not an IANA time zone (e.g. "Etc/UTC", "Europe/Berlin")' });
