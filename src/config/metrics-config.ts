import { z } from 'zod';

/** Off unless DBKEEPER_METRICS_PORT or DBKEEPER_METRICS_TEXTFILE is set: prom-client is not even loaded then. */
export const metricsSchema = z
  .strictObject({
    /** DBKEEPER_METRICS_PORT: HTTP listener for /metrics and /healthz; 0 = a free port (logged); null = none. */
    port: z.number().int().min(0).max(65535).nullable().default(null),
    /** DBKEEPER_METRICS_HOST: the address the listener binds to. */
    host: z.string().min(1).default('127.0.0.1'),
    /** DBKEEPER_METRICS_TEXTFILE: a `.prom` file for node_exporter's textfile collector, rewritten after each run. */
    textfile: z
      .string()
      .min(1)
      .regex(/\.prom$/, { message: 'must end in .prom (node_exporter reads only those)' })
      .nullable()
      .default(null),
  })
  .prefault({});

export type MetricsConfig = z.infer<typeof metricsSchema>;

export const metricsEnabled = (m: MetricsConfig): boolean => m.port !== null || m.textfile !== null;
