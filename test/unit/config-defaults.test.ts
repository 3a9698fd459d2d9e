import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../jobs/index.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

/** Every job's effective section as config/default.json spelled it out before the defaults moved into each job's
 * config.ts: a job no file mentions must run on exactly these. */
const EXPECTED_JOBS = {
  'index-review': {
    enabled: true,
    schedule: '30 4 1 * *',
    catchUp: true,
    schemas: [],
    indexBudget: 10,
    tableBudgets: { appointments: 6 },
    evidenceWindowDays: 35,
    minEvidenceDays: 7,
    snapshotRetentionDays: 100,
  },
  ping: { enabled: true, schedule: '15 3 * * *', catchUp: false },
  'table-maintenance': {
    enabled: true,
    schedule: '0 4 * * 0',
    catchUp: true,
    schema: null,
    analyzeTables: ['appointments', 'customers', 'calls'],
    optimizeTables: ['appointments'],
    bloatThresholdPercent: 20,
    minReclaimBytes: 67108864,
    maxRebuildBytes: 10737418240,
    writeToBinlog: true,
    persistentForAll: [],
    histogramColumns: {},
    histogramBuckets: 100,
    // Issue 17: the size model's sample and the metadata-lock pre-check.
    sampleRows: 4000,
    sampleSeconds: 5,
    ddlLockWaitSeconds: 2,
    mdlWaitSeconds: 10,
    longTransactionSeconds: 5,
    rebuildTimeoutSeconds: 7200,
    maxReplicatedRebuildSeconds: 60,
    assumedRebuildBytesPerSecond: 10485760,
  },
  partitions: {
    enabled: true,
    schedule: '30 4 1 * *',
    catchUp: true,
    tables: ['api_call_logs'],
    column: 'created_at',
    premakeMonths: 3,
    retentionMonths: 6,
    maxDropsPerRun: 2,
    pastRetention: 'drop',
    pmaxRowThreshold: 10000,
    lockWaitTimeoutSeconds: 3,
    mdlWaitSeconds: 10,
    longTransactionSeconds: 5,
  },
  'purge-locks': {
    enabled: true,
    schedule: '15 3 * * *',
    catchUp: true,
    targets: [{ table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'server' }],
    chunk: { minRows: 100, startRows: 1000, maxRows: 5000, targetMs: 100, restRatio: 0.25 },
    maxRowsPerRun: 5000000,
    maxRunSeconds: 3600,
    throttle: { maxThreadsRunning: 30, pollMs: 1000 },
    retry: { maxRetries: 5, backoffMs: 200 },
  },
  health: {
    enabled: true,
    schedule: '15 3 * * *',
    catchUp: true,
    avgQueryTimeMsWarn: 100,
    avgQueryTimeMsFail: 500,
    connectionUsePercentWarn: 80,
    connectionUsePercentFail: 95,
    deadlocksPerDayFail: 0,
    slowQueriesPerDayWarn: 100,
    slowQueriesPerDayFail: 1000,
    rowLockWaitsPerDayWarn: 10000,
    rowLockWaitAvgMsWarn: 500,
    refusedConnectionsPerDayFail: 0,
    abortedConnectsPerDayWarn: 100,
    abortedClientsPerDayWarn: 1000,
    bufferPoolHitPercentWarn: 99,
    bufferPoolHitPercentFail: 95,
    historyListLengthWarn: 100000,
    historyListLengthFail: 1000000,
    replicaLagSecondsWarn: 60,
    replicaLagSecondsFail: 600,
    largestTables: 10,
    indexUsageSnapshot: true,
    indexUsageSchemas: [],
    apiResponse: {
      enabled: true,
      schema: null,
      table: 'api_call_logs',
      timeColumn: 'created_at',
      durationColumn: 'duration_ms',
      statusColumn: 'status_code',
      errorStatusAtLeast: 500,
      errorStatusValues: [],
      p95MsWarn: 200,
      p95MsFail: 1000,
      errorPercentWarn: 1,
      errorPercentFail: 5,
      maxRows: 200000,
      timeLimitSeconds: 30,
    },
    bookingSuccess: {
      enabled: false,
      schema: null,
      table: null,
      timeColumn: null,
      statusColumn: null,
      successValues: [],
      filterColumn: null,
      filterValues: [],
      successPercentWarn: 99.9,
      successPercentFail: 99,
      timeLimitSeconds: 30,
    },
    fullJoinsPerDayWarn: 250,
    rangeCheckJoinsPerDayWarn: 250,
    tmpDiskTablePercentWarn: 25,
    tableOpenCacheHitPercentWarn: 80,
    threadCacheHitPercentWarn: 50,
    bufferPoolOfDataPercentWarn: 100,
    redoLogOfBufferPoolPercentWarn: 25,
    tablesWithoutPrimaryKeyWarn: 0,
    indexLargerThanDataTablesWarn: 0,
    indexLargerThanDataMinBytes: 67108864,
    tableCheckSchemas: [],
    serverEolWarnDays: 180,
    accountChecks: false,
    tunerTimeLimitSeconds: 30,
  },
  'performance-review': {
    enabled: true,
    schedule: '30 4 1 * *',
    catchUp: true,
    topStatements: 10,
    appPoolMax: null,
    appInstances: 1,
    poolHeadroomPercent: 25,
    connectionUsePercentTarget: 80,
    maxSlowLogEntries: 1000000,
    rawSamples: false,
    rawSamplesDir: './raw-samples',
  },
};

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dbkeeper-defaults-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('job defaults live in each job schema', () => {
  it('with no jobs section in any file, every job runs on the values config/default.json used to hold', () => {
    expect(loadConfig({ jobs: ALL_JOBS, env: {} }).jobs).toStrictEqual(EXPECTED_JOBS);
  });

  it('an empty jobs section in DBKEEPER_CONFIG changes nothing', () => {
    expect(loadConfig({ jobs: ALL_JOBS, env: { DBKEEPER_CONFIG: configFile({ jobs: {} }) } }).jobs).toStrictEqual(
      EXPECTED_JOBS,
    );
  });

  it('a partial section keeps the defaults of the keys it leaves out, nested ones too', () => {
    const file = configFile({
      jobs: { 'purge-locks': { chunk: { maxRows: 2000 } }, 'index-review': { tableBudgets: { calls: 4 } } },
    });
    const jobs = loadConfig({ jobs: ALL_JOBS, env: { DBKEEPER_CONFIG: file } }).jobs as Record<
      string,
      Record<string, unknown>
    >;
    expect(jobs['purge-locks']).toStrictEqual({
      ...EXPECTED_JOBS['purge-locks'],
      chunk: { ...EXPECTED_JOBS['purge-locks'].chunk, maxRows: 2000 },
    });
    expect(jobs['index-review']!.tableBudgets).toStrictEqual({ appointments: 6, calls: 4 });
  });

  it('an unknown key inside a job section is still a config error naming it', () => {
    const file = configFile({ jobs: { 'table-maintenance': { optimiseTables: ['appointments'] } } });
    let problems: string[] = [];
    try {
      loadConfig({ jobs: ALL_JOBS, env: { DBKEEPER_CONFIG: file } });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual(['jobs.table-maintenance.optimiseTables: unknown key']);
  });
});
