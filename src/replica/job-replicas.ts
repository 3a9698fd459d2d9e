// What a job gets of the replicas (ctx.replicas): the limits, one look, a bounded wait, reads on a node.
import type { RowDataPacket } from 'mysql2/promise';
import type { Dialect } from '../db/dialect.js';
import type { ReplicaGate } from './replica-lag.js';
import type { ReplicaProbe } from './replica-probe.js';
import type { ReplicaWaitResult } from './wait-for-replicas.js';

/** A read-only handle on one replica, shaped like the part of JobDb that readers use. */
export interface ReplicaReader {
  node: string;
  dialect: Dialect;
  query<T = RowDataPacket[]>(sql: string, values?: unknown[]): Promise<T>;
}

export interface HeartbeatState {
  /** A writer runs in this run (a writing job, not a dry run, with replicas). */
  running: boolean;
  beats: number;
  /** The newest beat written ('YYYY-MM-DD HH:MM:SS.ffffff' UTC, the primary's clock). */
  lastWritten: string | null;
  failures: number;
  lastError: string | null;
}

export interface JobReplicas {
  /** Node names, in config order; empty = no replicas configured. */
  nodes: readonly string[];
  maxLagSeconds: number;
  waitSeconds: number;
  pollMs: number;
  whenUnreachable: 'wait' | 'ignore';
  probeAll(): Promise<ReplicaProbe[]>;
  /** One look at every node against maxLagSeconds; `applied`: a mark (from mark()) each node must have applied. */
  check(opts?: { applied?: string | null }): Promise<ReplicaGate>;
  /** Write a beat now (after a write the replicas must apply before the next); null without replicas or writer. */
  mark(): Promise<string | null>;
  /** Wait until every node is within maxLag, at most waitSeconds (defaults: the config's); ok at once without replicas.
   */
  waitForReplicas(opts: {
    signal: AbortSignal;
    maxLagSeconds?: number;
    waitSeconds?: number;
  }): Promise<ReplicaWaitResult>;
  /** Run reads on one node; rejects when it cannot be reached. */
  onNode<T>(node: string, fn: (reader: ReplicaReader) => Promise<T>): Promise<T>;
  heartbeat(): HeartbeatState;
}

const noGate: ReplicaGate = { ok: true, nodes: [], blocking: [], ignored: [] };

/** No replicas configured: every wait passes at once. */
export function noReplicas(
  limits: Pick<JobReplicas, 'maxLagSeconds' | 'waitSeconds' | 'pollMs' | 'whenUnreachable'> = {
    maxLagSeconds: 1,
    waitSeconds: 0,
    pollMs: 1000,
    whenUnreachable: 'wait',
  },
): JobReplicas {
  return {
    nodes: [],
    ...limits,
    probeAll: async () => [],
    check: async () => noGate,
    mark: async () => null,
    waitForReplicas: async () => ({ kind: 'ok', waitedMs: 0, gate: noGate }),
    onNode: async (node) => {
      throw new Error(`no replica named ${node}`);
    },
    heartbeat: () => ({ running: false, beats: 0, lastWritten: null, failures: 0, lastError: null }),
  };
}
