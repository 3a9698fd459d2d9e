import type { PrivilegeNeed, PrivilegeProbe } from './privileges.js';
import { replicaStatusStatement, type Dialect } from './dialect.js';
import { grantObjectText } from './grant-text.js';

/** Access errors: table/column access (1142/1143), schema access (1044), a global privilege (1227), routines (1370). */
const ACCESS_ERRNOS = new Set([1044, 1142, 1143, 1227, 1370]);
/** Raised after the privilege check: not partitioned (1505), no such partition (1507). */
const PARTITION_REFUSALS = [1505, 1507] as const;
const NO_SUCH_PARTITION = '`dbkeeper_no_such_partition`';

/** A harmless statement that proves the need: it reads no row, writes nothing, and fails only on access (or after the
 * check, for ALTER/DROP: a partition that does not exist). Null when none exists. */
export function probeFor(need: PrivilegeNeed, d: Dialect): PrivilegeProbe | null {
  if (need.probe !== undefined) return need.probe;
  const o = need.object;
  if (o.kind === 'global') {
    if (need.privilege === 'PROCESS')
      return { sql: "SELECT COUNT(*) AS n FROM information_schema.INNODB_METRICS WHERE NAME = 'dbkeeper_probe'" };
    if (need.privilege === 'SLAVE MONITOR' || need.privilege === 'REPLICATION CLIENT')
      return { sql: replicaStatusStatement(d) };
    return null;
  }
  if (o.kind === 'schema') return null;
  const t = grantObjectText(o);
  switch (need.privilege) {
    case 'SELECT':
      return { sql: `SELECT 1 FROM ${t} LIMIT 0` };
    case 'INSERT':
      return { sql: `EXPLAIN INSERT INTO ${t} () VALUES ()` };
    case 'DELETE':
      return { sql: `EXPLAIN DELETE FROM ${t} WHERE FALSE` };
    case 'ALTER':
      return {
        sql:
          `ALTER TABLE ${t} REORGANIZE PARTITION ${NO_SUCH_PARTITION} ` +
          `INTO (PARTITION ${NO_SUCH_PARTITION} VALUES LESS THAN MAXVALUE)`,
        okErrnos: PARTITION_REFUSALS,
      };
    case 'DROP':
      return { sql: `ALTER TABLE ${t} DROP PARTITION ${NO_SUCH_PARTITION}`, okErrnos: PARTITION_REFUSALS };
    default:
      return null;
  }
}

export type ProbeOutcome =
  { kind: 'granted' } | { kind: 'missing'; serverMessage: string } | { kind: 'unknown'; serverMessage: string };

interface ServerError {
  errno?: number;
  message?: string;
}

/** What an error of the probe says about this privilege: an access error naming another privilege (ALTER for a
 * DROP PARTITION probe) is not this one's. */
export function judgeProbeError(need: PrivilegeNeed, probe: PrivilegeProbe, err: unknown): ProbeOutcome {
  const e = (err ?? {}) as ServerError;
  const message = String(e.message ?? err);
  if (e.errno !== undefined && probe.okErrnos?.includes(e.errno)) return { kind: 'granted' };
  if (e.errno !== undefined && ACCESS_ERRNOS.has(e.errno)) {
    const denied = /^(.*?) command denied/i.exec(message)?.[1];
    if (
      e.errno === 1142 &&
      denied &&
      !denied
        .toUpperCase()
        .split(/\s*,\s*/)
        .includes(need.privilege.toUpperCase())
    )
      return { kind: 'granted' };
    return { kind: 'missing', serverMessage: message };
  }
  return { kind: 'unknown', serverMessage: message };
}

type Query = (sql: string) => Promise<unknown>;

export async function runProbe(query: Query, need: PrivilegeNeed, probe: PrivilegeProbe): Promise<ProbeOutcome> {
  try {
    await query(probe.sql);
    return { kind: 'granted' };
  } catch (err) {
    return judgeProbeError(need, probe, err);
  }
}
