import { z } from 'zod';
import { jobBaseShape, type JobOwnConfig } from '../../src/config/config-schema.js';
import { identifierSchema } from '../../src/config/identifier.js';

export const partitionsDefaults = { schedule: '30 4 1 * *', catchUp: true };

/** A `tables` entry: a name (the section's policy), or a name with its own column, premake, retention, pastRetention.
 */
const tableEntry = z.union([
  identifierSchema,
  z
    .object({
      name: identifierSchema,
      column: identifierSchema.optional(),
      premakeMonths: z.number().int().min(1).max(36).optional(),
      retentionMonths: z.number().int().min(1).max(240).optional(),
      pastRetention: z.enum(['drop', 'archive']).optional(),
    })
    .strict(),
]);

/** `jobs.partitions`: every key has its default here. */
export const partitionsConfigSchema = z
  .object({
    ...jobBaseShape(partitionsDefaults),
    /** Tables partitioned by month on UNIX_TIMESTAMP(column), in the connected database. */
    tables: z
      .array(tableEntry)
      .min(1)
      .default(() => ['api_call_logs']),
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
    /** Before each ALTER: wait up to this long for sessions holding the table (metadata locks, or long transactions
     * where the server has no lock view), then skip the table's statements for this run; 0 = no pre-check. */
    mdlWaitSeconds: z.number().int().min(0).max(600).default(10),
    /** Coarse pre-check (MariaDB without the metadata_lock_info plugin): transactions open this long count. */
    longTransactionSeconds: z.number().int().min(1).max(86_400).default(5),
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
    c.tables.forEach((entry, i) => {
      const t = typeof entry === 'string' ? entry : entry.name;
      if (seen.has(t)) ctx.addIssue({ code: 'custom', path: ['tables', i], message: `table ${t} is listed twice` });
      seen.add(t);
      if (typeof entry === 'string') return;
      const premake = entry.premakeMonths ?? c.premakeMonths;
      const retention = entry.retentionMonths ?? c.retentionMonths;
      if (retention < premake) {
        ctx.addIssue({
          code: 'custom',
          path: ['tables', i, 'retentionMonths'],
          message: `tables[${i}] (${t}): retentionMonths (${retention}) must be at least premakeMonths (${premake})`,
        });
      }
    });
  });

export type PartitionsConfig = JobOwnConfig<typeof partitionsConfigSchema>;

/** One table's effective policy: its own keys from its `tables` entry, the section's for the rest. */
export interface PartitionTableTarget {
  table: string;
  column: string;
  premakeMonths: number;
  retentionMonths: number;
  pastRetention: 'drop' | 'archive';
  maxDropsPerRun: number;
  pmaxRowThreshold: number;
}

export function partitionTargets(c: PartitionsConfig): PartitionTableTarget[] {
  return c.tables.map((entry) => {
    const own = typeof entry === 'string' ? { name: entry } : entry;
    return {
      table: own.name,
      column: own.column ?? c.column,
      premakeMonths: own.premakeMonths ?? c.premakeMonths,
      retentionMonths: own.retentionMonths ?? c.retentionMonths,
      pastRetention: own.pastRetention ?? c.pastRetention,
      maxDropsPerRun: c.maxDropsPerRun,
      pmaxRowThreshold: c.pmaxRowThreshold,
    };
  });
}
