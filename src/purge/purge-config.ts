import { z } from 'zod';
import { timeZoneSchema } from '../config/cron-expression.js';
import { identifierSchema } from '../config/identifier.js';
import { MAX_TIMER_MS, timerMs, timerSeconds } from '../config/timer-bounds.js';

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
      targetMs: timerMs(),
      /** After each chunk, rest this fraction of its duration: room for the application's commits. 0 = back to back. */
      restRatio: z.number().min(0).max(10),
    }),
    /** Caps per run; the next run continues where this one stopped. */
    maxRowsPerRun: positiveInt,
    maxRunSeconds: timerSeconds(),
    throttle: z.strictObject({
      maxThreadsRunning: positiveInt,
      maxReplicaLagSeconds: positiveInt,
      /** How long to wait before looking again while over a threshold. */
      pollMs: timerMs(),
    }),
    retry: z.strictObject({
      /** Retries of one chunk on lock-wait timeout (1205) or deadlock (1213). */
      maxRetries: nonNegativeInt,
      backoffMs: timerMs(),
    }),
  })
  .superRefine((c, ctx) => {
    if (c.chunk.minRows > c.chunk.maxRows) ctx.addIssue({ code: 'custom', path: ['chunk', 'minRows'], message: 'must be <= chunk.maxRows' });
    if (c.chunk.startRows < c.chunk.minRows || c.chunk.startRows > c.chunk.maxRows)
      ctx.addIssue({ code: 'custom', path: ['chunk', 'startRows'], message: 'must be between chunk.minRows and chunk.maxRows' });
    // Retry n waits backoffMs * 2^n: the last wait must still fit a Node timer.
    if (c.retry.backoffMs <= MAX_TIMER_MS && c.retry.backoffMs * 2 ** c.retry.maxRetries > MAX_TIMER_MS)
      ctx.addIssue({ code: 'custom', path: ['retry', 'maxRetries'], message: `with retry.backoffMs ${c.retry.backoffMs} the last wait (backoffMs * 2^maxRetries) must be at most ${MAX_TIMER_MS} ms` });
    const seen = new Set<string>();
    c.targets.forEach((t, i) => {
      const key = t.table.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'table'], message: `${t.table} is listed twice` });
      seen.add(key);
    });
  });

export type PurgeConfig = z.infer<typeof purgeConfigSchema>;
export type PurgeTarget = z.infer<typeof purgeTargetSchema>;
