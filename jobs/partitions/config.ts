import { z } from 'zod';
import { jobBaseShape, type JobOwnConfig } from '../../src/config/config-schema.js';
import { identifierSchema } from '../../src/config/identifier.js';

export const partitionsDefaults = { schedule: '30 4 1 * *', catchUp: true };

/** `jobs.partitions`: every key has its default here. */
export const partitionsConfigSchema = z
  .object({
    ...jobBaseShape(partitionsDefaults),
    /** Tables partitioned by month on UNIX_TIMESTAMP(column), in the connected database. */
    tables: z.array(identifierSchema).min(1).default(() => ['api_call_logs']),
    /** The TIMESTAMP column the partitions are keyed on (checked against the table's expression). */
    column: identifierSchema.default('created_at'),
    /** Months kept ready after the current one. */
    premakeMonths: z.number().int().min(1).max(36).default(3),
    /** Full months kept before the current one; older months are dropped or archived. */
    retentionMonths: z.number().int().min(1).max(240).default(6),
    /** At most this many months retired per table and run; the rest wait for the next run. */
    maxDropsPerRun: z.number().int().min(0).max(24).default(2),
    /** What happens to a month past retention. */
    pastRetention: z.enum(['drop', 'archive']).default('drop'),
    /** Rows found in the MAXVALUE tail above this: refuse to REORGANIZE it (the copy would block writes). */
    pmaxRowThreshold: z.number().int().min(0).max(1_000_000).default(10000),
    /** Seconds each ALTER may wait for its metadata lock before it is skipped as contended. */
    lockWaitTimeoutSeconds: z.number().int().min(1).max(60).default(3),
  })
  .superRefine((c, ctx) => {
    if (c.retentionMonths < c.premakeMonths) {
      ctx.addIssue({
        code: 'custom',
        path: ['retentionMonths'],
        message: `retentionMonths (${c.retentionMonths}) must be at least premakeMonths (${c.premakeMonths})`,
      });
    }
    const seen = new Set<string>();
    c.tables.forEach((t, i) => {
      if (seen.has(t)) ctx.addIssue({ code: 'custom', path: ['tables', i], message: `table ${t} is listed twice` });
      seen.add(t);
    });
  });

export type PartitionsConfig = JobOwnConfig<typeof partitionsConfigSchema>;
