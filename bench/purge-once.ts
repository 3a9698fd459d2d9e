import type { TargetOutcome } from '../jobs/purge-locks/apply.js';
import { purgeLocksJob } from '../jobs/purge-locks/job.js';
import { connectApp } from '../src/app/bootstrap.js';
import type { Config } from '../src/config/load-config.js';
import { createLogger } from '../src/log/logger.js';
import { runJob } from '../src/runner/run-job.js';

/** One real purge-locks run through the runner (lock, run row, guards), as the benches measure it: its one target. */
export async function purgeOnce(config: Config, clock?: () => Date): Promise<TargetOutcome> {
  const log = createLogger({ level: 'warn', secrets: [], stream: 'stderr', pretty: false });
  const app = await connectApp(config, log, { jobs: [purgeLocksJob] });
  try {
    const o = await runJob({ db: app.db, config, log, ...(clock ? { clock } : {}) }, purgeLocksJob, {
      trigger: 'manual',
      dryRun: false,
      scheduledFor: new Date(),
    });
    if (o.status !== 'ok') throw new Error(`purge-locks ended ${o.status}: ${o.error?.message ?? o.result?.summary}`);
    return (o.result!.details as { targets: TargetOutcome[] }).targets[0]!;
  } finally {
    await app.db.close();
  }
}
