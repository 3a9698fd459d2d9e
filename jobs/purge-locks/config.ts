import { z } from 'zod';
import { timeZoneSchema } from '../../src/config/cron-expression.js';
import { jobBaseShape, type JobOwnConfig } from '../../src/config/config-schema.js';
import { identifierSchema } from '../../src/config/identifier.js';
import { MAX_TIMER_MS, timerMs, timerSeconds } from '../../src/config/timer-bounds.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** One table to purge. DATETIME columns hold wall-clock values: `datetimeZone` says in which zone the application wrote
 * them. */
export const purgeTargetSchema = z.strictObject({
  table: identifierSchema,
  expiryColumn: identifierSchema,
  /** Rows stay this long after they expire. */
  graceSeconds: nonNegativeInt,
  /** "server" = the server's global time_zone, read once per run; or an IANA zone. Ignored for TIMESTAMP columns. */
  datetimeZone: z.union([z.literal('server'), timeZoneSchema]),
});

export const purgeLocksDefaults = { schedule: '15 3 * * *', catchUp: true };

/** `jobs.purge-locks`: every key has its default here. */
export const purgeConfigSchema = z
  .object({
    ...jobBaseShape(purgeLocksDefaults),
    targets: z
      .array(purgeTargetSchema)
      .min(1)
      .default(() => [
        { table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'server' },
      ]),
    chunk: z
      .strictObject({
        minRows: positiveInt.default(100),
        startRows: positiveInt.default(1000),
        maxRows: positiveInt.max(100_000).default(5000),
        /** Chunk size adapts so a chunk takes about this long. */
        targetMs: timerMs().default(100),
        /** After each chunk, rest this fraction of its duration: room for the application's commits. 0 = back to back.
         */
        restRatio: z.number().min(0).max(10).default(0.25),
      })
      .prefault({}),
    /** Caps per run; the next run continues where this one stopped. */
    maxRowsPerRun: positiveInt.default(5000000),
    maxRunSeconds: timerSeconds().default(3600),
    throttle: z
      .strictObject({
        maxThreadsRunning: positiveInt.default(30),
        /** Moved: the one lag limit of every writing job is `replicas.maxLagSeconds`. */
        maxReplicaLagSeconds: z
          .never({
            error:
              'moved to replicas.maxLagSeconds (one limit for every writing job, default 1 s); set it there and remove this key',
          })
          .optional(),
        /** How long to wait before looking again while over a threshold. */
        pollMs: timerMs().default(1000),
      })
      .prefault({}),
    retry: z
      .strictObject({
        /** Retries of one chunk on lock-wait timeout (1205) or deadlock (1213). */
        maxRetries: nonNegativeInt.default(5),
        backoffMs: timerMs().default(200),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.chunk.minRows > c.chunk.maxRows)
      ctx.addIssue({ code: 'custom', path: ['chunk', 'minRows'], message: 'must be <= chunk.maxRows' });
    if (c.chunk.startRows < c.chunk.minRows || c.chunk.startRows > c.chunk.maxRows)
      ctx.addIssue({
        code: 'custom',
        path: ['chunk', 'startRows'],
        message: 'must be between chunk.minRows and chunk.maxRows',
      });
    // Retry n waits backoffMs * 2^n: the last wait must still fit a Node timer.
    if (c.retry.backoffMs <= MAX_TIMER_MS && c.retry.backoffMs * 2 ** c.retry.maxRetries > MAX_TIMER_MS)
      ctx.addIssue({
        code: 'custom',
        path: ['retry', 'maxRetries'],
        message: `with retry.backoffMs ${c.retry.backoffMs} the last wait (backoffMs * 2^maxRetries) must be at most ${MAX_TIMER_MS} ms`,
      });
    const seen = new Set<string>();
    c.targets.forEach((t, i) => {
      const key = t.table.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'table'], message: `${t.table} is listed twice` });
      seen.add(key);
    });
  });

export type PurgeConfig = JobOwnConfig<typeof purgeConfigSchema>;
export type PurgeTarget = z.infer<typeof purgeTargetSchema>;
