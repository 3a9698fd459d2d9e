/** A gauge sample as the registry sets it: full name (`dbkeeper_…`), help, labels, value. */
export interface MetricSample {
  name: string;
  help: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus metric and label name grammar (no colons: those are for recording rules). */
export const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
