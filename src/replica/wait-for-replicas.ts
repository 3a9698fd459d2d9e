// Wait, up to a bound, until every replica is within the lag limit. The signal (drain, abort) ends the wait at once.
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { ReplicaGate } from './replica-lag.js';

export type ReplicaWaitResult =
  | { kind: 'ok'; waitedMs: number; gate: ReplicaGate }
  /** Still over the limit (or unknown) after waitSeconds. */
  | { kind: 'lagging'; waitedMs: number; gate: ReplicaGate }
  /** A node could not be reached for waitSeconds (whenUnreachable: wait). */
  | { kind: 'unreachable'; waitedMs: number; gate: ReplicaGate }
  | { kind: 'aborted'; waitedMs: number; gate: ReplicaGate };

export interface WaitOptions {
  waitSeconds: number;
  pollMs: number;
  signal: AbortSignal;
}

export interface WaitDeps {
  check(): Promise<ReplicaGate>;
  clock?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const realSleep = (ms: number, signal: AbortSignal) => sleepTimer(ms, undefined, { signal }).catch(() => undefined);

export async function waitForReplicaGate(deps: WaitDeps, opts: WaitOptions): Promise<ReplicaWaitResult> {
  const clock = deps.clock ?? (() => performance.now());
  const sleep = deps.sleep ?? realSleep;
  const started = clock();
  for (;;) {
    const gate = await deps.check();
    const waitedMs = Math.round(clock() - started);
    if (gate.ok) return { kind: 'ok', waitedMs, gate };
    if (opts.signal.aborted) return { kind: 'aborted', waitedMs, gate };
    if (waitedMs >= opts.waitSeconds * 1000) {
      const unreachable = gate.blocking.every((n) => n.verdict.kind === 'unreachable');
      return { kind: unreachable ? 'unreachable' : 'lagging', waitedMs, gate };
    }
    await sleep(Math.min(opts.pollMs, Math.max(1, opts.waitSeconds * 1000 - waitedMs)), opts.signal);
  }
}
