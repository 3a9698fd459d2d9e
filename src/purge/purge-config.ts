import { z } from 'zod';
import { timeZoneSchema } from '../config/cron-expression.js';
import { identifierSchema } from '../config/identifier.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** One table to purge. DATETIME columns hold wall-clock values: `datetimeZone` says in which zone the application wrote them. */
export const purgeTargetSchema = z.strictObject({
  table: identifierSchema,
  expiryColumn: identifierSchema,
  /** Rows stay this long after they expire. */
  graceSeconds: nonNegativeInt,
  /** "server" = the server's global time_zone, read once per run; or an IANA zone. Ignored for TIMESTAMP columns. */
  datetimeZone: z.union([z.literal('server'), timeZoneSchema]),
});

export const purgeConfigSchema = z
  .object({
    targets: z.array(purgeTargetSchema).min(1),
    chunk: z.strictObject({
      minRows: positiveInt,
      startRows: positiveInt,
      maxRows: positiveInt.max(100_000),
      /** Chunk size adapts so a chunk takes about this long. */
      targetMs: positiveInt,
      /** After each chunk, rest this fraction of its duration: room for the application's commits. 0 = back to back. */
      restRatio: z.number().min(0).max(10),
    }),
    /** Caps per run; the next run continues where this one stopped. */
    maxRowsPerRun: positiveInt,
    maxRunSeconds: positiveInt,
    throttle: z.strictObject({
      maxThreadsRunning: positiveInt,
      maxReplicaLagSeconds: positiveInt,
      /** How long to wait before looking again while over a threshold. */
      pollMs: positiveInt,
    }),
    retry: z.strictObject({
      /** Retries of one chunk on lock-wait timeout (1205) or deadlock (1213). */
      maxRetries: nonNegativeInt,
      backoffMs: positiveInt,
    }),
  })
  .superRefine((c, ctx) => {
    if (c.chunk.minRows > c.chunk.maxRows) ctx.addIssue({ code: 'custom', path: ['chunk', 'minRows'], message: 'must be <= chunk.maxRows' });
    if (c.chunk.startRows < c.chunk.minRows || c.chunk.startRows > c.chunk.maxRows)
      ctx.addIssue({ code: 'custom', path: ['chunk', 'startRows'], message: 'must be between chunk.minRows and chunk.maxRows' });
    const seen = new Set<string>();
    c.targets.forEach((t, i) => {
      const key = t.table.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'table'], message: `${t.table} is listed twice` });
      seen.add(key);
    });
  });

export type PurgeConfig = z.infer<typeof purgeConfigSchema>;
export type PurgeTarget = z.infer<typeof purgeTargetSchema>;
