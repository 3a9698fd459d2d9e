// PURE: a wait's result as the typed reason a statement was not run (`replica-lagging`), with the figure.
import { describeNodeLag } from './replica-lag.js';
import type { ReplicaWaitResult } from './wait-for-replicas.js';

export interface ReplicaHold {
  kind: 'replica-lagging';
  /** What held it, with the figures: "r1: lag 12 s > 1 s (status 12 s, heartbeat 12.2 s)". */
  figure: string;
  waitedSeconds: number;
  /** The wait was ended by the signal (shutdown), not by its bound. */
  aborted: boolean;
}

export function replicaHoldOf(r: ReplicaWaitResult, maxLagSeconds: number): ReplicaHold | null {
  if (r.kind === 'ok') return null;
  return {
    kind: 'replica-lagging',
    figure: r.gate.blocking.map((n) => describeNodeLag(n, maxLagSeconds)).join('; '),
    waitedSeconds: Math.round(r.waitedMs / 100) / 10,
    aborted: r.kind === 'aborted',
  };
}

/** "waited 30 s; r1: lag 12 s > 1 s (…)" (the kind, replica-lagging, is the outcome beside it). */
export function replicaHoldText(h: ReplicaHold): string {
  return `${h.aborted ? `stopped waiting after ${h.waitedSeconds} s (shutdown)` : `waited ${h.waitedSeconds} s`}; ${h.figure}`;
}

/** The one call a writing job makes before a statement: null = go on; else why it must not run now (the figure). */
export async function holdForReplicas(
  replicas: {
    nodes: readonly string[];
    maxLagSeconds: number;
    waitForReplicas(o: { signal: AbortSignal }): Promise<ReplicaWaitResult>;
  },
  signal: AbortSignal,
): Promise<string | null> {
  if (replicas.nodes.length === 0) return null;
  const hold = replicaHoldOf(await replicas.waitForReplicas({ signal }), replicas.maxLagSeconds);
  return hold ? replicaHoldText(hold) : null;
}
