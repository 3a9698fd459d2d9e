import type { RowDataPacket } from 'mysql2/promise';
import { readStatusNumber } from '../../src/db/global-status.js';
import { replicaLagField, replicaStatusStatement, statisticsHiddenExpression } from '../../src/db/dialect.js';
import type { JobDb } from '../../src/db/job-db.js';
import type { PurgeConfig, PurgeTarget } from './config.js';
import { cutoffSampleInstants, zoneWallClock, type WallClock } from './cutoff.js';
import type { IndexFact, PurgeFacts, ReplicaFacts, TargetFacts } from './facts.js';

type Db = Pick<JobDb, 'query' | 'dialect' | 'database'>;

/** Reads what the planner needs: tables, columns, indexes, the zone's wall clocks, replica status. */
export async function collectPurgeFacts(db: Db, config: PurgeConfig, now: Date): Promise<PurgeFacts> {
  const targets: TargetFacts[] = [];
  for (const target of config.targets) targets.push(await collectTarget(db, target, now));
  return { database: db.database, targets, replica: await readReplica(db) };
}

async function collectTarget(db: Db, target: PurgeTarget, now: Date): Promise<TargetFacts> {
  const tables = await db.query<RowDataPacket[]>(
    "SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'",
    [db.database, target.table],
  );
  const facts: TargetFacts = { target, table: null, columns: [], indexes: [], wallClockSamples: null, zoneLabel: null };
  if (tables.length === 0) return facts;
  facts.table = { engine: tables[0]!.engine === null ? null : String(tables[0]!.engine) };
  const columns = await db.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [db.database, target.table],
  );
  facts.columns = columns.map((c) => ({ name: String(c.name), dataType: String(c.dataType).toLowerCase() }));
  facts.indexes = await readIndexes(db, target.table);

  const col = facts.columns.find((c) => c.name.toLowerCase() === target.expiryColumn.toLowerCase());
  if (col?.dataType === 'datetime') {
    const instants = cutoffSampleInstants(new Date(now.getTime() - target.graceSeconds * 1000));
    if (target.datetimeZone === 'server') {
      const r = await serverWallClocks(db, instants);
      facts.wallClockSamples = r.samples;
      facts.zoneLabel = r.label;
    } else {
      facts.wallClockSamples = instants.map((i) => zoneWallClock(i, target.datetimeZone));
      facts.zoneLabel = target.datetimeZone;
    }
  }
  return facts;
}

async function readIndexes(db: Db, table: string): Promise<IndexFact[]> {
  const rows = await db.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS name, COLUMN_NAME AS col, ${statisticsHiddenExpression(db.dialect)} AS hidden
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [db.database, table],
  );
  const byName = new Map<string, IndexFact>();
  for (const r of rows) {
    const name = String(r.name);
    const fact = byName.get(name) ?? { name, columns: [], usable: true };
    fact.columns.push(String(r.col));
    if (Number(r.hidden) === 1) fact.usable = false;
    byName.set(name, fact);
  }
  return [...byName.values()];
}

/** The server's global zone, read once: the server converts each instant (works for SYSTEM without tz tables).
 * The label says what "server" resolved to: the global time_zone, or the system zone behind SYSTEM. */
async function serverWallClocks(db: Db, instants: Date[]): Promise<{ samples: (WallClock | null)[]; label: string }> {
  const exprs = instants.map(
    (_, i) => `DATE_FORMAT(CONVERT_TZ(?, '+00:00', @@global.time_zone), '%Y-%m-%d %H:%i:%s.%f') AS w${i}`,
  );
  const rows = await db.query<RowDataPacket[]>(
    `SELECT @@global.time_zone AS tz, @@system_time_zone AS sys, ${exprs.join(', ')}`,
    instants,
  );
  const row = rows[0]!;
  const tz = String(row.tz);
  const label =
    tz === 'SYSTEM'
      ? `"server" = global time_zone SYSTEM = system_time_zone ${String(row.sys)}`
      : `"server" = global time_zone ${tz}`;
  return { samples: instants.map((_, i) => (row[`w${i}`] === null ? null : String(row[`w${i}`]))), label };
}

/** Lag when the connected server is itself a replica; a primary cannot see its replicas' lag from here. */
export async function readReplica(db: Db): Promise<ReplicaFacts> {
  let rows: RowDataPacket[];
  try {
    rows = await db.query<RowDataPacket[]>(replicaStatusStatement(db.dialect));
  } catch (err) {
    return { kind: 'not-visible', reason: (err as Error).message };
  }
  if (rows.length === 0) return { kind: 'not-a-replica' };
  const field = replicaLagField(db.dialect);
  let lag: number | null = 0;
  for (const r of rows) {
    const v = r[field];
    // NULL lag = replication stopped or broken: unknown, which the throttle treats as over the threshold.
    if (v === null || v === undefined) lag = null;
    else if (lag !== null) lag = Math.max(lag, Number(v));
  }
  return { kind: 'replica', lagSeconds: lag };
}

export async function readThreadsRunning(db: Pick<JobDb, 'query'>): Promise<number> {
  return readStatusNumber(db, 'Threads_running');
}
