import { readFileSync, writeFileSync } from 'node:fs';
import { writeWorkerConfig } from '../../fixtures/worker-process.js';

/** A DBKEEPER_CONFIG for the CLI on the test schema: the worker's config without the fixture jobs (the CLI
 * knows only the real ones). Returns the env the CLI needs and the temp dir (its outbox is <dir>/outbox). */
export function cliConfig(
  schema: string,
  jobs: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): { env: Record<string, string>; dir: string } {
  const { path, dir } = writeWorkerConfig(schema, jobs, extra);
  const config = JSON.parse(readFileSync(path, 'utf8')) as { jobs: Record<string, unknown> };
  for (const fixture of ['slow', 'tick', 'fail']) delete config.jobs[fixture];
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { env: { DBKEEPER_CONFIG: path }, dir };
}
