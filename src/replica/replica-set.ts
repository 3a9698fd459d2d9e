// The engine's side of the replicas for one run: a link per node, one connection to the primary for its clock and
// the heartbeat writer, and the JobReplicas handle the job gets. Closed by the runner at the end of the run.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DbConfig } from '../config/config-schema.js';
import { replicaNodes } from '../config/replica-nodes.js';
import type { ReplicasConfig } from '../config/replicas-schema.js';
import { boundedQueryable, endWithin, withDeadline } from '../db/query-timeout.js';
import { readPrimaryClock, writeHeartbeat } from './heartbeat.js';
import type { HeartbeatState, JobReplicas } from './job-replicas.js';
import { replicaLink, type ReplicaLink } from './replica-connection.js';
import { replicaGate } from './replica-lag.js';
import { probeReplica } from './replica-probe.js';
import { waitForReplicaGate } from './wait-for-replicas.js';

export interface ReplicaSetDeps {
  db: DbConfig;
  replicas: ReplicasConfig;
  /** dbkeeper's schema (the heartbeat table). */
  schema: string;
  log: Logger;
  /** A new connection to the primary outside the pool (the pool may have none to spare). */
  newPrimaryConnection(): Promise<Connection>;
  queryTimeoutMs: number;
}

export interface ReplicaSet extends JobReplicas {
  /** Write one beat now, then about every heartbeatMs until close(). */
  startHeartbeat(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BEATS = 4_000;

export function openReplicaSet(deps: ReplicaSetDeps): ReplicaSet {
  const cfg = deps.replicas;
  const links: ReplicaLink[] = replicaNodes({ db: deps.db, replicas: cfg }).map((node) =>
    replicaLink(deps.db, node, {
      connectTimeoutMs: cfg.connectTimeoutMs,
      queryTimeoutMs: deps.queryTimeoutMs,
      log: deps.log,
    }),
  );
  let primary: Promise<Connection> | null = null;
  // One connection, opened once even when several probes ask at the same moment.
  const primaryQ = async () => {
    primary ??= withDeadline(
      deps.newPrimaryConnection(),
      cfg.connectTimeoutMs + deps.queryTimeoutMs,
      'connecting to the primary for the heartbeat',
    ).then((c) => {
      c.on('error', () => undefined);
      return c;
    });
    const opening = primary;
    try {
      return boundedQueryable(await opening, deps.queryTimeoutMs);
    } catch (err) {
      if (primary === opening) primary = null;
      throw err;
    }
  };
  const dropPrimary = () => {
    const p = primary;
    primary = null;
    p?.then(
      (c) => c.destroy(),
      () => undefined,
    );
  };
  const hb: HeartbeatState = { running: false, beats: 0, lastWritten: null, failures: 0, lastError: null };
  // The beats of this run, oldest first (the last MAX_BEATS): lag is measured against the first one a replica lacks.
  const written: string[] = [];
  const stop = new AbortController();
  let loop: Promise<void> | null = null;

  const beat = async () => {
    try {
      hb.lastWritten = await writeHeartbeat(await primaryQ(), deps.schema);
      hb.beats += 1;
      written.push(hb.lastWritten);
      if (written.length > MAX_BEATS) written.splice(0, written.length - MAX_BEATS);
    } catch (err) {
      dropPrimary();
      hb.failures += 1;
      hb.lastError = (err as Error).message;
      if (hb.failures === 1 || hb.failures % 60 === 0)
        deps.log.warn(
          { failures: hb.failures, err: (err as Error).message },
          "heartbeat write failed; lag is judged on the replicas' own status",
        );
    }
  };
  const probeAll = () =>
    Promise.all(
      links.map((link) =>
        probeReplica(link, deps.schema, {
          primaryNow: async () => {
            try {
              return await readPrimaryClock(await primaryQ());
            } catch (err) {
              dropPrimary();
              throw err;
            }
          },
          written: () => written,
        }),
      ),
    );
  const check = async (opts: { applied?: string | null } = {}) =>
    replicaGate(await probeAll(), cfg.maxLagSeconds, cfg.whenUnreachable, opts.applied);

  return {
    nodes: links.map((l) => l.node.name),
    maxLagSeconds: cfg.maxLagSeconds,
    waitSeconds: cfg.waitSeconds,
    pollMs: cfg.pollMs,
    whenUnreachable: cfg.whenUnreachable,
    probeAll,
    check,
    async mark() {
      if (links.length === 0 || !hb.running) return null;
      await beat();
      return hb.lastWritten;
    },
    async waitForReplicas(opts) {
      const maxLag = opts.maxLagSeconds ?? cfg.maxLagSeconds;
      return waitForReplicaGate(
        { check: async () => replicaGate(await probeAll(), maxLag, cfg.whenUnreachable) },
        { waitSeconds: opts.waitSeconds ?? cfg.waitSeconds, pollMs: cfg.pollMs, signal: opts.signal },
      );
    },
    async onNode(name, fn) {
      const link = links.find((l) => l.node.name === name);
      if (!link) throw new Error(`no replica named ${name}`);
      try {
        const { q, dialect } = await link.open();
        return await fn({
          node: name,
          dialect,
          query: async <T>(sql: string, values?: unknown[]) => {
            const [rows] = await q.query<RowDataPacket[]>(sql, values);
            return rows as T;
          },
        });
      } catch (err) {
        if ((err as { fatal?: boolean }).fatal) link.reset();
        throw err;
      }
    },
    heartbeat: () => ({ ...hb }),
    async startHeartbeat() {
      if (links.length === 0 || hb.running) return;
      hb.running = true;
      await beat();
      loop = (async () => {
        while (!stop.signal.aborted) {
          await sleepTimer(cfg.heartbeatMs, undefined, { signal: stop.signal }).catch(() => undefined);
          if (!stop.signal.aborted) await beat();
        }
      })();
    },
    async close() {
      stop.abort();
      if (loop) await withDeadline(loop, deps.queryTimeoutMs + 1_000, 'stopping the heartbeat').catch(() => undefined);
      hb.running = false;
      const p = primary;
      primary = null;
      await Promise.all([
        ...links.map((l) => l.close()),
        p
          ? p.then(
              (c) => endWithin(c, 1_000),
              () => undefined,
            )
          : Promise.resolve(),
      ]);
    },
  };
}
