import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthStartSeconds, partitionNameFor } from '../../jobs/partitions/month-math.js';
import type { PartitionFacts, PartitionRow } from '../../jobs/partitions/facts.js';
import { planPartitions, type PartitionPolicy } from '../../jobs/partitions/plan.js';
import type { PurgeConfig } from '../../jobs/purge-locks/config.js';
import { cutoffSampleInstants, utcWallClock, zoneWallClock } from '../../jobs/purge-locks/cutoff.js';
import type { PurgeFacts } from '../../jobs/purge-locks/facts.js';
import { planPurge } from '../../jobs/purge-locks/plan.js';
import { evaluationTime, judgeClockSkew } from '../../src/runner/clock-skew.js';

// The runner's decision (skew guard + evaluation time) feeding the pure planners, with random host clocks
// against a server clock that is right by definition: the rows' ages are judged by the server clock only.

const DAY = 86_400_000;
const RUNS = 3000;
const MIN = Date.UTC(2001, 0, 1);
const MAX = Date.UTC(2036, 11, 1);

const skewMs = fc.oneof(fc.integer({ min: -120_000, max: 120_000 }), fc.integer({ min: -400 * DAY, max: 400 * DAY }));
/** Small limits, the default, and limits raised far enough to let any skew through. */
const maxSkewSeconds = fc.oneof(fc.integer({ min: 1, max: 120 }), fc.constant(60), fc.constant(400 * 86_400));
const ZONES = [
  'Etc/UTC',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'America/Sao_Paulo',
];

/** The runner for a writing job: refused, or the evaluation time the job gets. */
function runnerNow(serverMs: number, skew: number, limit: number): Date | null {
  const verdict = judgeClockSkew({ host: new Date(serverMs + skew), server: new Date(serverMs) }, limit, true);
  return verdict.kind === 'refuse' ? null : evaluationTime(verdict.clock);
}

const purgeConfig: PurgeConfig = {
  targets: [],
  chunk: { minRows: 100, startRows: 1000, maxRows: 5000, targetMs: 100, restRatio: 0 },
  maxRowsPerRun: 1_000_000,
  maxRunSeconds: 60,
  throttle: { maxThreadsRunning: 30, pollMs: 100 },
  retry: { maxRetries: 1, backoffMs: 10 },
};

const purgeScenario = fc.record({
  serverMs: fc.integer({ min: MIN, max: MAX }),
  skew: skewMs,
  limit: maxSkewSeconds,
  columnType: fc.constantFrom<'datetime' | 'timestamp'>('datetime', 'timestamp'),
  nullable: fc.boolean(),
  /** The application's session zone, configured as an IANA zone or as "server" (the server's global zone). */
  appZone: fc.constantFrom(...ZONES),
  configuredAsServer: fc.boolean(),
  graceSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 7200 })),
  /** Expiry instants relative to the server clock (ms); null = no expiry. */
  expiries: fc.array(
    fc.option(fc.oneof(fc.integer({ min: -3 * DAY, max: 3 * DAY }), fc.integer({ min: -7_300_000, max: 7_300_000 })), {
      nil: null,
    }),
    { maxLength: 40 },
  ),
});

type PurgeScenario = typeof purgeScenario extends fc.Arbitrary<infer T> ? T : never;

function purgeFacts(s: PurgeScenario, now: Date): PurgeFacts {
  const datetimeZone = s.configuredAsServer ? ('server' as const) : s.appZone;
  const start = new Date(now.getTime() - s.graceSeconds * 1000);
  return {
    database: 'app',
    replica: { kind: 'not-a-replica' },
    targets: [
      {
        target: { table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: s.graceSeconds, datetimeZone },
        table: { engine: 'InnoDB' },
        columns: [
          { name: 'id', dataType: 'bigint' },
          { name: 'expires_at', dataType: s.columnType },
        ],
        indexes: [
          { name: 'PRIMARY', columns: ['id'], usable: true },
          { name: 'idx_expires', columns: ['expires_at'], usable: true },
        ],
        // What the collector reads: the zone's wall clocks (for "server", the server converts in its global zone).
        wallClockSamples:
          s.columnType === 'datetime' ? cutoffSampleInstants(start).map((i) => zoneWallClock(i, s.appZone)) : null,
        zoneLabel:
          s.columnType === 'datetime'
            ? s.configuredAsServer
              ? `"server" = global time_zone ${s.appZone}`
              : s.appZone
            : null,
      },
    ],
  };
}

/** The partitions layout of the existing property, around the server's month. */
const partitionScenario = fc.record({
  serverMs: fc.integer({ min: MIN, max: MAX }),
  skew: skewMs,
  limit: maxSkewSeconds,
  firstOffset: fc.integer({ min: -48, max: 2 }),
  length: fc.integer({ min: 0, max: 60 }),
  merged: fc.array(fc.nat(), { maxLength: 6 }),
  /** Rows by the server clock: mostly in the past, some written seconds before the run. */
  rowOffsets: fc.array(fc.oneof(fc.integer({ min: -60 * 31 * 86_400, max: 0 }), fc.integer({ min: -120, max: 0 })), {
    maxLength: 60,
  }),
  premakeMonths: fc.integer({ min: 1, max: 12 }),
  extraRetention: fc.integer({ min: 0, max: 30 }),
  maxDropsPerRun: fc.integer({ min: 0, max: 60 }),
  pastRetention: fc.constantFrom<'drop' | 'archive'>('drop', 'archive'),
});

function partitionsAround(server: Date, firstOffset: number, length: number, merged: number[]): PartitionRow[] {
  let bounds: number[] = [];
  for (let i = 0; i < length; i += 1) bounds.push(monthStartSeconds(server, firstOffset + i + 1));
  const drop = new Set(merged.map((k) => (bounds.length > 1 ? k % (bounds.length - 1) : -1)));
  bounds = bounds.filter((_b, i) => !drop.has(i));
  return [
    ...bounds.map((b) => ({ name: partitionNameFor(monthStartSeconds(b, -1)), description: String(b) })),
    { name: 'pmax', description: 'MAXVALUE' },
  ];
}

function partitionFacts(partitions: PartitionRow[]): PartitionFacts {
  return {
    database: 'app',
    server: { readOnly: false, archiveMethod: 'convert', tableNames: [] },
    tables: [
      {
        table: 'api_call_logs',
        exists: true,
        partitionMethod: 'RANGE',
        subpartitionMethod: null,
        expression: 'unix_timestamp(`created_at`)',
        columns: [{ name: 'created_at', dataType: 'timestamp' }],
        uniqueKeys: [{ name: 'PRIMARY', columns: ['id', 'created_at'] }],
        foreignKeys: [],
        partitions,
        tailRows: { counted: 0, capped: false },
        // Counted, none: the NULL/zero-date rule (its own property) does not hold the first partition back here.
        firstPartitionUndated: { partition: partitions[0]!.name, nullRows: 0, zeroRows: 0, capped: false },
      },
    ],
  };
}

const partitionOf = (partitions: PartitionRow[], ts: number) =>
  partitions.find((p) => p.description === 'MAXVALUE' || ts < Number(p.description))!.name;

describe('destructive plans judged by the server clock (random host skew, zones, column types, layouts)', () => {
  it(`purge: no planned delete touches a row not yet expired by the server's clock (${RUNS} runs)`, () => {
    let planned = 0;
    fc.assert(
      fc.property(purgeScenario, (s) => {
        const now = runnerNow(s.serverMs, s.skew, s.limit);
        if (now === null) return; // refused: the job's run() is not called, nothing is deleted
        const plan = planPurge(purgeFacts(s, now), purgeConfig, now);
        expect(plan.ok).toBe(true);
        if (!plan.ok) return;
        planned += 1;
        const { cutoff } = plan.targets[0]!;
        for (const offset of s.expiries) {
          if (offset === null && !s.nullable) continue;
          const expiry = offset === null ? null : new Date(s.serverMs + offset);
          // The value as stored: TIMESTAMP read in the UTC session, DATETIME as the application's wall clock.
          const stored =
            expiry === null
              ? null
              : s.columnType === 'timestamp'
                ? utcWallClock(expiry)
                : zoneWallClock(expiry, s.appZone);
          const deleted = stored !== null && stored < cutoff; // WHERE expires_at < ? (NULL never matches)
          if (deleted) expect(expiry!.getTime() + s.graceSeconds * 1000).toBeLessThanOrEqual(s.serverMs);
        }
      }),
      { numRuns: RUNS },
    );
    expect(planned).toBeGreaterThan(RUNS / 10);
  });

  it(`partitions: no planned drop or archive holds a row newer than retention by the server's clock (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(partitionScenario, (s) => {
        const server = new Date(s.serverMs);
        const now = runnerNow(s.serverMs, s.skew, s.limit);
        if (now === null) return;
        const partitions = partitionsAround(server, s.firstOffset, s.length, s.merged);
        const policy: PartitionPolicy = {
          column: 'created_at',
          premakeMonths: s.premakeMonths,
          retentionMonths: s.premakeMonths + s.extraRetention,
          maxDropsPerRun: s.maxDropsPerRun,
          pastRetention: s.pastRetention,
          pmaxRowThreshold: 100,
        };
        const [plan] = planPartitions(partitionFacts(partitions), policy, now);
        const retiring = new Set(plan!.actions.flatMap((a) => (a.kind === 'create' ? [] : [a.partition])));
        const retentionStart = monthStartSeconds(server, -policy.retentionMonths);
        expect(retiring.has(partitionOf(partitions, Math.floor(s.serverMs / 1000)))).toBe(false);
        for (const o of s.rowOffsets) {
          const ts = Math.floor(s.serverMs / 1000) + o;
          if (ts >= retentionStart) expect(retiring.has(partitionOf(partitions, ts))).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
