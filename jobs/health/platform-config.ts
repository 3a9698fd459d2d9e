import { z } from 'zod';
import { identifierSchema } from '../../src/config/identifier.js';

/** A literal value compared with a column (a status code or word): bound as a `?` value, never SQL text. */
const literalValue = z.union([z.number(), z.string().max(255)]);
const percent = z.number().min(0).max(100);
/** Bounds of one window statement: the server's time limit, and the rows read back for the percentiles. */
const timeLimitSeconds = z.number().int().min(1).max(3_600).default(30);

/** `jobs.health.apiResponse`: p50/p95/p99 and the error share of the platform's API calls over the 24 h before the
 * server's time. Names match the platform's `api_call_logs`; a missing table is a figure "n/a", never an error. */
export const apiResponseConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** null = the connected database. */
    schema: identifierSchema.nullable().default(null),
    table: identifierSchema.default('api_call_logs'),
    timeColumn: identifierSchema.default('created_at'),
    durationColumn: identifierSchema.default('duration_ms'),
    statusColumn: identifierSchema.default('status_code'),
    /** A call is an error when its status is at least this (null: only `errorStatusValues`). */
    errorStatusAtLeast: z.number().int().nullable().default(500),
    /** Further statuses counted as errors, e.g. [429]. */
    errorStatusValues: z
      .array(literalValue)
      .max(100)
      .default(() => []),
    p95MsWarn: z.number().nonnegative().default(200),
    p95MsFail: z.number().nonnegative().default(1000),
    errorPercentWarn: percent.default(1),
    errorPercentFail: percent.default(5),
    /** Above this many calls in the window, the percentiles come from a sample of about this many spread over it. */
    maxRows: z.number().int().min(100).max(5_000_000).default(200_000),
    timeLimitSeconds,
  })
  .superRefine((c, ctx) => {
    if (c.errorStatusAtLeast === null && c.errorStatusValues.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['errorStatusAtLeast'],
        message: 'errorStatusAtLeast is null and errorStatusValues is empty: nothing would count as an error',
      });
    }
    if (c.p95MsWarn > c.p95MsFail)
      ctx.addIssue({
        code: 'custom',
        path: ['p95MsWarn'],
        message: `p95MsWarn (${c.p95MsWarn}) must not exceed p95MsFail (${c.p95MsFail})`,
      });
    if (c.errorPercentWarn > c.errorPercentFail) {
      ctx.addIssue({
        code: 'custom',
        path: ['errorPercentWarn'],
        message: `errorPercentWarn (${c.errorPercentWarn}) must not exceed errorPercentFail (${c.errorPercentFail})`,
      });
    }
  });

/** `jobs.health.bookingSuccess`: the share of bookings in the window whose status is a success value. Off until a
 * table is named; every key is a name or a literal value, never SQL text. */
export const bookingSuccessConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    schema: identifierSchema.nullable().default(null),
    table: identifierSchema.nullable().default(null),
    timeColumn: identifierSchema.nullable().default(null),
    statusColumn: identifierSchema.nullable().default(null),
    successValues: z
      .array(literalValue)
      .max(100)
      .default(() => []),
    /** Optional: count only rows whose `filterColumn` is one of `filterValues` (e.g. endpoint = '/v1/bookings'). */
    filterColumn: identifierSchema.nullable().default(null),
    filterValues: z
      .array(literalValue)
      .max(100)
      .default(() => []),
    /** Lower is worse: warn below `successPercentWarn`, fail below `successPercentFail`. */
    successPercentWarn: percent.default(99.9),
    successPercentFail: percent.default(99),
    timeLimitSeconds,
  })
  .superRefine((c, ctx) => {
    if (c.enabled) {
      for (const key of ['table', 'timeColumn', 'statusColumn'] as const) {
        if (c[key] === null)
          ctx.addIssue({ code: 'custom', path: [key], message: `required when bookingSuccess.enabled is true` });
      }
      if (c.successValues.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['successValues'],
          message: 'required when bookingSuccess.enabled is true (at least one value)',
        });
    }
    if ((c.filterColumn === null) !== (c.filterValues.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['filterColumn'], message: 'filterColumn and filterValues go together' });
    }
    if (c.successPercentWarn < c.successPercentFail) {
      ctx.addIssue({
        code: 'custom',
        path: ['successPercentWarn'],
        message:
          `successPercentWarn (${c.successPercentWarn}) must not be below ` +
          `successPercentFail (${c.successPercentFail}): lower is worse`,
      });
    }
  });

export type ApiResponseConfig = z.infer<typeof apiResponseConfigSchema>;
export type BookingSuccessConfig = z.infer<typeof bookingSuccessConfigSchema>;

/** The keys `jobs.health` gains for the platform's own targets. */
export const platformTargetsConfigShape = {
  apiResponse: apiResponseConfigSchema.prefault({}),
  bookingSuccess: bookingSuccessConfigSchema.prefault({}),
};
