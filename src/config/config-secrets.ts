import type { Config } from './load-config.js';
import { replicaNodes } from './replica-nodes.js';

/** Values that never appear in a log line, a report or an .eml: the DB and SMTP passwords, and the SMTP_URL
 * password both as written in the URL and decoded. */
export function configSecrets(config: Config): string[] {
  const out = [config.db.password, config.report.smtp.password, ...replicaNodes(config).map((n) => n.password)];
  if (config.report.smtp.url) {
    try {
      const inUrl = new URL(config.report.smtp.url).password;
      out.push(inUrl);
      out.push(decodeURIComponent(inUrl));
    } catch {
      /* validated at start-up */
    }
  }
  return out.filter((s): s is string => typeof s === 'string' && s !== '');
}

/** Config paths whose value is a secret (SMTP_URL: only its password part). */
const SECRET_PATHS = new Set(['db.password', 'report.smtp.password', 'replicas.read.password']);
export const MASK = '********';

/** A leaf value as it may be shown: a secret replaced by the mask (an empty or unset one stays as it is). */
export function maskedValue(path: string, value: unknown): unknown {
  if (SECRET_PATHS.has(path)) return typeof value === 'string' && value !== '' ? MASK : value;
  // An array leaf: each node's password masked, the rest shown.
  if (path === 'replicas.nodes' && Array.isArray(value)) {
    return value.map((n: Record<string, unknown>) =>
      typeof n.password === 'string' && n.password !== '' ? { ...n, password: MASK } : n,
    );
  }
  if (path === 'report.smtp.url' && typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.password !== '') url.password = MASK;
      return url.toString();
    } catch {
      return MASK;
    }
  }
  return value;
}
