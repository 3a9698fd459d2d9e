import { z } from 'zod';
import { reportSchema } from './report-config.js';
import { metricsSchema } from './metrics-config.js';
import { cronSchema, timeZoneSchema } from './cron-expression.js';
import { identifierSchema } from './identifier.js';
import { replicasSchema } from './replicas-schema.js';
import { sslSchema } from './ssl-schema.js';
import { timerMs, timerSeconds } from './timer-bounds.js';

export { sslSchema };

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const dbSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  database: identifierSchema,
  user: z.string().min(1),
  password: z.string(),
  /** DB_POOL_MAX: the platform's pool size (the application's; the performance review advises on it). */
  poolMax: positiveInt,
  /** dbkeeper's own pool: at most min(poolMax, this). It needs one connection per running job. */
  workerConnections: positiveInt,
  /** Seconds to wait for a free pool connection (DB_POOL_TIMEOUT). */
  poolTimeoutSeconds: timerSeconds(),
  connectTimeoutMs: timerMs(),
  /** Attempts at start-up before giving up; backoff doubles from connectBackoffMs. */
  connectRetries: nonNegativeInt,
  connectBackoffMs: timerMs(),
  ssl: sslSchema,
});

export const guardsSchema = z.strictObject({
  /** DDL/metadata lock wait: fail fast instead of queueing in front of the application. */
  lockWaitTimeoutSeconds: timerSeconds(),
  innodbLockWaitTimeoutSeconds: timerSeconds(),
  /** Per-statement time limit (MariaDB max_statement_time; MySQL max_execution_time, SELECT only). 0 = off. */
  statementTimeoutSeconds: timerSeconds({ allowZero: true }),
  /** Host clock vs the server's: above this, writing jobs end failed (ClockSkew) and do nothing; others warn. */
  maxClockSkewSeconds: positiveInt,
  /** Client-side bound of a job statement = its server limit + this margin (a stalled link never answers; the
   * server's own limit fires first on a live one). */
  clientTimeoutMarginSeconds: positiveInt.max(3_600),
  /** Client-side bound of each of dbkeeper's own queries: run rows, GET_LOCK/RELEASE_LOCK, heartbeat ping, KILL. */
  bookkeepingTimeoutSeconds: positiveInt.max(3_600),
  /** How often the named lock's connection is pinged; a ping unanswered within bookkeepingTimeoutSeconds aborts the
   * job. */
  lockHeartbeatSeconds: positiveInt.max(3_600),
  /** After a client-side or drain timeout: how long to wait for the KILLed statement to leave the server (the lock is
   * kept meanwhile). */
  killWaitSeconds: positiveInt.max(86_400),
});

/** Keys every job has, beside its own, with the job's defaults: on, at its own schedule, catching up or not. */
export function jobBaseShape(defaults: { schedule: string; catchUp: boolean }) {
  return {
    enabled: z.boolean().default(true),
    schedule: cronSchema.default(defaults.schedule),
    timezone: timeZoneSchema.optional(),
    catchUp: z.boolean().default(defaults.catchUp),
  };
}

/** What the config needs of a job: its name, default schedule and section schema (a Job is one; passed in, so
 * config never imports the job contract or the registry). */
export interface ConfigurableJob {
  name: string;
  schedule: string;
  configSchema: z.ZodObject;
}

/** A job's section: its config.ts schema (which carries the base keys and every default), strict. A schema without
 * the base keys (a test's job) gets them with the job's `schedule` and catch-up on. */
export function jobSectionSchema(job: ConfigurableJob): z.ZodObject {
  const base = jobBaseShape({ schedule: job.schedule, catchUp: true });
  const shape = job.configSchema.shape as Record<string, unknown>;
  const missing = Object.fromEntries(Object.entries(base).filter(([key]) => !(key in shape)));
  return job.configSchema.extend(missing).strict();
}

export function buildConfigSchema(jobs: readonly ConfigurableJob[]) {
  const jobShapes: Record<string, z.ZodType> = {};
  for (const job of jobs) jobShapes[job.name] = jobSectionSchema(job);
  return z.strictObject({
    environment: z.string().min(1).max(40),
    timezone: timeZoneSchema,
    /** Where dbkeeper keeps its own tables; null = the connected database. */
    schema: identifierSchema.nullable(),
    db: dbSchema,
    guards: guardsSchema,
    replicas: replicasSchema,
    /** DB_SLOW_QUERY_TIME: what the platform calls a slow query, in seconds. */
    slowQueryTimeSeconds: z.number().positive(),
    log: z.strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      /** LOG_FORMAT: json (NDJSON) or pretty (lines for a person); null = pretty on a terminal, NDJSON otherwise. */
      format: z.enum(['json', 'pretty']).nullable().default(null),
    }),
    shutdown: z.strictObject({ drainSeconds: timerSeconds() }),
    /** `status --check`: how long after its slot a job may still be running or starting before it counts as late. */
    status: z
      .strictObject({
        graceSeconds: z
          .number()
          .int()
          .nonnegative()
          .max(31 * 86_400)
          .default(3600),
      })
      .prefault({}),
    report: reportSchema,
    metrics: metricsSchema,
    jobs: z.strictObject(jobShapes),
  });
}

export type DbConfig = z.infer<typeof dbSchema>;
export type SslConfig = z.infer<typeof sslSchema>;
export type GuardsConfig = z.infer<typeof guardsSchema>;
export type JobBaseConfig = z.infer<z.ZodObject<ReturnType<typeof jobBaseShape>>>;
/** A job's own keys (its planners take these; the base keys are the engine's). */
export type JobOwnConfig<S extends z.ZodType> = Omit<z.infer<S>, keyof JobBaseConfig>;
