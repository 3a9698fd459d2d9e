import { z } from 'zod';
import { jobBaseShape, type JobOwnConfig } from '../../src/config/config-schema.js';
import { identifierSchema } from '../../src/config/identifier.js';
import { timerSeconds } from '../../src/config/timer-bounds.js';

const tableList = z.array(identifierSchema);

export const tableMaintenanceDefaults = { schedule: '0 4 * * 0', catchUp: true };

/** `jobs.table-maintenance`: every key has its default here. */
export const tableMaintenanceConfigSchema = z
  .object({
    ...jobBaseShape(tableMaintenanceDefaults),
    /** Where the tables are; null = the connected database. */
    schema: identifierSchema.nullable().default(null),
    /** Tables whose statistics are refreshed every run. */
    analyzeTables: tableList.default(() => ['appointments', 'customers', 'calls']),
    /** Tables that may be rebuilt (OPTIMIZE) when the bloat estimate passes the threshold. */
    optimizeTables: tableList.default(() => ['appointments']),
    /** Rebuild when the estimated reclaimable share of the table's space reaches this, in percent. */
    bloatThresholdPercent: z.number().gt(0).lt(100).default(20),
    /** ...and the estimated space won reaches this many bytes (a small table is not worth a rebuild). */
    minReclaimBytes: z.number().int().nonnegative().default(67108864),
    /** Largest table (data + index bytes) rebuilt automatically. */
    maxRebuildBytes: z.number().int().positive().default(10737418240),
    /** false = `NO_WRITE_TO_BINLOG`: replicas do not repeat the statements. */
    writeToBinlog: z.boolean().default(true),
    /** MariaDB: `ANALYZE TABLE … PERSISTENT FOR ALL` for these tables (engine-independent statistics). */
    persistentForAll: tableList.default(() => []),
    /** Column statistics per table: MySQL 8 histograms, MariaDB `PERSISTENT FOR COLUMNS`. */
    histogramColumns: z.record(identifierSchema, z.array(identifierSchema).min(1)).default(() => ({})),
    /** MySQL histogram buckets (1..1024). */
    histogramBuckets: z.number().int().min(1).max(1024).default(100),
    /** Rows sampled (random primary-key ranges) per rebuild candidate for the size model; 0 = no model. */
    sampleRows: z.number().int().min(0).max(100_000).default(4000),
    /** No new sample range starts after this many seconds (each statement is bounded by the session guards too). */
    sampleSeconds: z.number().int().min(1).max(300).default(5),
    /** Seconds a rebuild may wait for its metadata lock (MariaDB `WAIT n`; the session's lock_wait_timeout on MySQL):
     * the application's queries on the table queue behind a waiting DDL, so it is short. */
    ddlLockWaitSeconds: z.number().int().min(1).max(60).default(2),
    /** Before a rebuild: wait up to this long for sessions holding the table (metadata locks, or long transactions
     * where the server has no lock view) to finish, then skip it as contended; 0 = no pre-check. */
    mdlWaitSeconds: z.number().int().min(0).max(600).default(10),
    /** Coarse pre-check (MariaDB without the metadata_lock_info plugin): transactions open this long count. */
    longTransactionSeconds: z.number().int().min(1).max(86_400).default(5),
    /** MariaDB: time limit of one OPTIMIZE statement in seconds (the session limit is meant for short statements); 0 =
     * none. */
    rebuildTimeoutSeconds: timerSeconds({ allowZero: true }).default(7200),
    /** With replicas configured: a rebuild predicted to take longer than this (it replays on each replica as one event
     * as long as itself) runs only with --maintenance-window. */
    maxReplicatedRebuildSeconds: timerSeconds().default(60),
    /** The speed a rebuild is predicted at before dbkeeper measured one of the table (conservative). */
    assumedRebuildBytesPerSecond: z.number().positive().default(10485760),
  })
  .superRefine((c, ctx) => {
    const dupes = (list: string[], field: string) => {
      const seen = new Set<string>();
      for (const [i, t] of list.entries()) {
        if (seen.has(t.toLowerCase()))
          ctx.addIssue({ code: 'custom', path: [field, i], message: `${field}: ${t} is listed twice` });
        seen.add(t.toLowerCase());
      }
    };
    dupes(c.analyzeTables, 'analyzeTables');
    dupes(c.optimizeTables, 'optimizeTables');
    if (c.analyzeTables.length === 0 && c.optimizeTables.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['analyzeTables'],
        message: 'analyzeTables and optimizeTables are both empty: nothing to maintain',
      });
    }
    const analyzed = new Set(c.analyzeTables.map((t) => t.toLowerCase()));
    for (const [i, t] of c.persistentForAll.entries()) {
      if (!analyzed.has(t.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['persistentForAll', i],
          message: `persistentForAll: ${t} is not in analyzeTables`,
        });
    }
    for (const t of Object.keys(c.histogramColumns)) {
      if (!analyzed.has(t.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['histogramColumns', t],
          message: `histogramColumns: ${t} is not in analyzeTables`,
        });
    }
  });

export type TableMaintenanceConfig = JobOwnConfig<typeof tableMaintenanceConfigSchema>;
