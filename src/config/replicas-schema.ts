// `replicas`: the read replicas writing jobs wait for and reviews read from. DB_READ_* name one (`replicas.read`),
// `replicas.nodes` more; every node is validated like the primary (TLS files, _FILE secrets).
import { z } from 'zod';
import { sslSchema } from './ssl-schema.js';
import { timerMs, timerSeconds } from './timer-bounds.js';

const port = z.number().int().min(1).max(65535);
const nodeName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - only');

/** DB_READ_*: unset fields fall back to the primary's (port: DB_PORT, user/password: DB_USERNAME/DB_PASSWORD,
 * TLS: the primary's DB_SSL_*); host null = no replica named by env. */
export const readReplicaSchema = z.strictObject({
  host: z.string().min(1).nullable(),
  port: port.nullable(),
  user: z.string().min(1).nullable(),
  password: z.string().nullable(),
  ssl: z.strictObject({
    mode: sslSchema.shape.mode.nullable(),
    ca: z.string().min(1).nullable(),
    cert: z.string().min(1).nullable(),
    key: z.string().min(1).nullable(),
  }),
});

/** One replica in `replicas.nodes`: the same keys as the primary's connection. */
export const replicaNodeSchema = z.strictObject({
  /** How reports label the node; default host:port. */
  name: nodeName.optional(),
  host: z.string().min(1),
  port: port.default(3306),
  user: z.string().min(1),
  password: z.string().default(''),
  ssl: sslSchema.default({ mode: 'preferred', ca: null, cert: null, key: null }),
});

export const replicasSchema = z.strictObject({
  read: readReplicaSchema,
  nodes: z.array(replicaNodeSchema),
  /** The one lag limit of every writing job: above it (or unknown) the purge pauses, DDL and OPTIMIZE wait. */
  maxLagSeconds: z.number().positive().max(86_400),
  /** How long partition DDL and OPTIMIZE wait for the replicas before a statement, then skip it (replica-lagging). */
  waitSeconds: timerSeconds({ allowZero: true }),
  /** How often lag is read again while waiting. */
  pollMs: timerMs(),
  /** A replica that cannot be reached: `wait` (fail closed: like a lagging one) or `ignore` (reported, not waited for).
   */
  whenUnreachable: z.enum(['wait', 'ignore']),
  /** How often the primary writes its clock into dbkeeper_heartbeat while a writing job runs. */
  heartbeatMs: timerMs(60_000),
  connectTimeoutMs: timerMs(),
});

export type ReplicasConfig = z.infer<typeof replicasSchema>;
export type ReplicaNodeConfig = z.infer<typeof replicaNodeSchema>;
