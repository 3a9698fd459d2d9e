// PURE: a replica's lag from its two measures, and whether writes may go on. Unknown lag is never 0.
import type { ReplicaProbe } from './replica-probe.js';

export type NodeVerdict =
  | { kind: 'ok'; lagSeconds: number }
  | { kind: 'lagging'; lagSeconds: number }
  | { kind: 'unknown'; reason: string }
  /** Within the limit, but it has not applied the writer's last mark yet (a purge chunk it must apply first). */
  | { kind: 'applying'; lagSeconds: number }
  | { kind: 'unreachable'; error: string };

export interface NodeLag {
  node: string;
  verdict: NodeVerdict;
  /** Seconds_Behind_* as the replica says it; null = unknown. */
  statusLagSeconds: number | null;
  /** From the heartbeat; null = no figure. */
  heartbeatLagSeconds: number | null;
}

export function nodeLag(p: ReplicaProbe, maxLagSeconds: number): NodeLag {
  const heartbeatLagSeconds = p.heartbeat ? round(p.heartbeat.lagSeconds) : null;
  const base = { node: p.node, heartbeatLagSeconds };
  if (!p.reachable || !p.status)
    return { ...base, statusLagSeconds: null, verdict: { kind: 'unreachable', error: p.error ?? 'not reachable' } };
  if (p.status.kind === 'not-a-replica')
    return {
      ...base,
      statusLagSeconds: null,
      verdict: { kind: 'unknown', reason: 'it has no replica status: not replicating' },
    };
  const statusLagSeconds = p.status.lagSeconds;
  if (statusLagSeconds === null)
    return {
      ...base,
      statusLagSeconds,
      verdict: { kind: 'unknown', reason: p.status.lagUnknownReason ?? 'lag unknown' },
    };
  // The larger of the two: Seconds_Behind_Master reads 0 while the IO thread is behind; the heartbeat sees that.
  const lag = Math.max(statusLagSeconds, heartbeatLagSeconds ?? 0);
  return {
    ...base,
    statusLagSeconds,
    verdict: lag > maxLagSeconds ? { kind: 'lagging', lagSeconds: lag } : { kind: 'ok', lagSeconds: lag },
  };
}

export interface ReplicaGate {
  /** Writes may go on now. */
  ok: boolean;
  nodes: NodeLag[];
  /** The nodes that hold writes back. */
  blocking: NodeLag[];
  /** Unreachable nodes passed over (`whenUnreachable: ignore`). */
  ignored: NodeLag[];
}

/** `applied`: a beat each node must have applied (the primary's clock text of a mark written after the writer's last
 * statement); a node within the limit that lacks it is `applying`. */
export function replicaGate(
  probes: readonly ReplicaProbe[],
  maxLagSeconds: number,
  whenUnreachable: 'wait' | 'ignore',
  applied?: string | null,
): ReplicaGate {
  const nodes = probes.map((p) => {
    const n = nodeLag(p, maxLagSeconds);
    if (applied && n.verdict.kind === 'ok' && !((p.beat ?? '') >= applied))
      return { ...n, verdict: { kind: 'applying' as const, lagSeconds: n.verdict.lagSeconds } };
    return n;
  });
  const ignored = whenUnreachable === 'ignore' ? nodes.filter((n) => n.verdict.kind === 'unreachable') : [];
  const blocking = nodes.filter((n) => n.verdict.kind !== 'ok' && !ignored.includes(n));
  return { ok: blocking.length === 0, nodes, blocking, ignored };
}

/** One node's state as a person reads it, e.g. "r1: lag 12.4 s > 1 s (status 12 s, heartbeat 12.4 s)". */
export function describeNodeLag(n: NodeLag, maxLagSeconds: number): string {
  const both = `status ${n.statusLagSeconds === null ? 'unknown' : `${n.statusLagSeconds} s`}, heartbeat ${n.heartbeatLagSeconds === null ? 'none' : `${n.heartbeatLagSeconds} s`}`;
  switch (n.verdict.kind) {
    case 'ok':
      return `${n.node}: lag ${n.verdict.lagSeconds} s <= ${maxLagSeconds} s (${both})`;
    case 'lagging':
      return `${n.node}: lag ${n.verdict.lagSeconds} s > ${maxLagSeconds} s (${both})`;
    case 'unknown':
      return `${n.node}: lag unknown, ${n.verdict.reason} (${both})`;
    case 'applying':
      return `${n.node}: applying the last chunk (${both})`;
    case 'unreachable':
      return `${n.node}: unreachable, ${n.verdict.error}`;
  }
}

/** Why writes wait, one line (the blocking nodes). */
export function gateReason(g: ReplicaGate, maxLagSeconds: number): string | null {
  if (g.ok) return null;
  return `replica ${g.blocking.map((n) => describeNodeLag(n, maxLagSeconds)).join('; ')}`;
}

/** A short, stable reason for counting pauses: "replica r1 lagging" / "replica r1 lag unknown" / "replica r1
 * unreachable". */
export function gateReasonKind(g: ReplicaGate): string | null {
  if (g.ok) return null;
  const word = {
    ok: 'ok',
    lagging: 'lagging',
    unknown: 'lag unknown',
    unreachable: 'unreachable',
    applying: 'applying',
  } as const;
  return g.blocking.map((n) => `replica ${n.node} ${word[n.verdict.kind]}`).join('; ');
}

const round = (n: number) => Math.round(n * 1000) / 1000;
