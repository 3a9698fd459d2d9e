import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: root });

/** The messages of the import-layers rule for `code` as if it were the file at `path` (lint of the real config). */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result!.messages.filter((m) => m.ruleId === 'dbkeeper/import-layers').map((m) => m.message);
}

describe('imports flow one way (eslint dbkeeper/import-layers)', () => {
  it.each([
    ['src/db/x.ts', "import type { AnyJob } from '../job/job-contract.js';", 'src/job/job-contract.ts'],
    ['src/db/x.ts', "import { runJob } from '../runner/run-job.js';", 'src/runner/run-job.ts'],
    ['src/config/x.ts', "import { reportSchema } from '../report/report-config.js';", 'src/report/report-config.ts'],
    ['src/config/x.ts', "import { ALL_JOBS } from '../../jobs/index.js';", 'jobs/index.ts'],
    ['src/report/x.ts', "import { findJob } from '../../jobs/index.js';", 'jobs/index.ts'],
    ['src/scheduler/x.ts', "import { EXIT } from '../cli/exit-codes.js';", 'src/cli/exit-codes.ts'],
    ['src/scheduler/x.ts', "import { ALL_JOBS } from '../../jobs/index.js';", 'jobs/index.ts'],
    ['src/app/x.ts', "import { ALL_JOBS } from '../../jobs/index.js';", 'jobs/index.ts'],
    ['src/runner/x.ts', "import { Scheduler } from '../scheduler/scheduler.js';", 'src/scheduler/scheduler.ts'],
    ['src/log/x.ts', "import type { Config } from '../config/load-config.js';", 'src/config/load-config.ts'],
    ['jobs/ping/x.ts', "import { ALL_JOBS } from '../index.js';", 'jobs/index.ts'],
    ['jobs/ping/x.ts', "import { cliMain } from '../../src/cli/cli-main.js';", 'src/cli/cli-main.ts'],
    ['src/db/x.ts', "export type { RunOutcome } from '../runner/run-outcome.js';", 'src/runner/run-outcome.ts'],
    [
      'src/scheduler/x.ts',
      "import { WorkerMetrics } from '../metrics/worker-metrics.js';",
      'src/metrics/worker-metrics.ts',
    ],
    ['src/db/x.ts', "import type { Flavor } from '../job/privileges.js';", 'src/job/privileges.ts'],
    ['src/metrics/x.ts', "import { ALL_JOBS } from '../../jobs/index.js';", 'jobs/index.ts'],
    ['src/replica/x.ts', "import type { JobContext } from '../job/job-contract.js';", 'src/job/job-contract.ts'],
    ['src/db/x.ts', "import { probeReplica } from '../replica/replica-probe.js';", 'src/replica/replica-probe.ts'],
  ])('%s may not import: %s', async (path, code, target) => {
    const errors = await layerErrors(path, `${code}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`may not import ${target}`);
  });

  it.each([
    ['src/db/x.ts', "import { identifierSchema } from '../config/identifier.js';"],
    ['src/db/x.ts', "import type { Trigger } from '../core/trigger.js';"],
    ['src/runner/x.ts', "import type { AnyJob } from '../job/job-contract.js';"],
    ['src/scheduler/x.ts', "import { runJob } from '../runner/run-job.js';"],
    ['src/metrics/x.ts', "import type { ScheduledJob } from '../scheduler/scheduled-jobs.js';"],
    ['src/replica/x.ts', "import { firstConnection } from '../db/database.js';"],
    ['jobs/purge-locks/x.ts', "import { replicaGate } from '../../src/replica/replica-lag.js';"],
    ['src/scheduler/run-worker.ts', "import { metricsEnabled } from '../config/metrics-config.js';"],
    ['src/scheduler/run-worker.ts', "import { ALL_JOBS } from '../../jobs/index.js';"],
    ['src/cli/x.ts', "import { ALL_JOBS } from '../../jobs/index.js';"],
    ['jobs/health/x.ts', "import { recordIndexUsageSnapshot } from '../index-review/usage-snapshot.js';"],
    ['jobs/ping/x.ts', "import { defineJob } from '../../src/job/job-contract.js';"],
  ])('%s may: %s', async (path, code) => {
    expect(await layerErrors(path, `${code}\n`)).toEqual([]);
  });
});
