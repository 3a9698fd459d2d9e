// One look at one replica: its own status, the heartbeat it has, read_only. Reads only; bounded by the link.
import type { RowDataPacket } from 'mysql2/promise';
import { replicaNodeStatusStatement } from '../db/dialect.js';
import { isMissingTable } from '../db/missing-table.js';
import { heartbeatLag, readHeartbeat, type HeartbeatLag } from './heartbeat.js';
import { describeReplicaFailure, type ReplicaLink } from './replica-connection.js';
import { parseReplicaStatus, type ReplicaStatus } from './replica-status.js';

export interface ReplicaProbe {
  node: string;
  reachable: boolean;
  /** Why it could not be read (unreachable, no rights); null when it was. */
  error: string | null;
  status: ReplicaStatus | null;
  heartbeat: HeartbeatLag | null;
  /** The beat the replica has (the primary's clock text), null when none or not read. */
  beat?: string | null;
  /** Why there is no heartbeat figure, when there is none. */
  heartbeatNote: string | null;
  readOnly: boolean | null;
}

export interface ProbeClock {
  /** The primary's clock now ('YYYY-MM-DD HH:MM:SS.ffffff' UTC). */
  primaryNow(): Promise<string>;
  /** The beats the primary wrote in this run, oldest first; empty when no writer runs (dry run, read-only job). */
  written(): readonly string[];
}

export async function probeReplica(link: ReplicaLink, schema: string, clock: ProbeClock): Promise<ReplicaProbe> {
  const base = { node: link.node.name };
  /** Not reachable (connect or a status read failed): the link is reset so the next probe reconnects. */
  const unreachable = (err: unknown): ReplicaProbe => {
    link.reset();
    return {
      ...base,
      reachable: false,
      error: describeReplicaFailure(link.node, err),
      status: null,
      heartbeat: null,
      heartbeatNote: null,
      readOnly: null,
    };
  };
  let opened;
  try {
    opened = await link.open();
  } catch (err) {
    return unreachable(err);
  }
  const { q, dialect } = opened;
  try {
    const [statusRows] = await q.query<RowDataPacket[]>(replicaNodeStatusStatement(dialect));
    const status = parseReplicaStatus(statusRows);
    const [ro] = await q.query<RowDataPacket[]>('SELECT @@global.read_only AS ro');
    let heartbeat: HeartbeatLag | null = null;
    let heartbeatNote: string | null = null;
    let beatSeen: string | null = null;
    try {
      const beat = await readHeartbeat(q, schema);
      beatSeen = beat;
      // Read after the replica's copy: the age errs on the high side, never the low one.
      if (beat === null) heartbeatNote = 'no beat on the replica yet';
      else heartbeat = heartbeatLag(await clock.primaryNow(), clock.written(), beat);
    } catch (err) {
      if ((err as { fatal?: boolean }).fatal) throw err;
      heartbeatNote = isMissingTable(err)
        ? `no ${schema}.dbkeeper_heartbeat on the replica (not replicated?)`
        : `heartbeat not readable: ${(err as Error).message}`;
    }
    if (clock.written().length === 0 && heartbeat)
      heartbeatNote = 'no heartbeat written in this run: the age is since the last writing run';
    return {
      ...base,
      reachable: true,
      error: null,
      status,
      heartbeat,
      beat: beatSeen,
      heartbeatNote,
      readOnly: Number(ro[0]?.ro) === 1,
    };
  } catch (err) {
    return unreachable(err);
  }
}
