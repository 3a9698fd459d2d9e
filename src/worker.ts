#!/usr/bin/env node
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyJob } from './job/job-contract.js';
import { runWorker } from './scheduler/run-worker.js';

/** TEST HOOK, not for production: DBKEEPER_TEST_EXTRA_JOBS=<path of an ES module exporting `jobs: Job[]`> adds
 * jobs beside ALL_JOBS (the pm2, kill -9 and two-worker tests use a slow fixture job). Logged at start. */
async function extraJobs(): Promise<AnyJob[]> {
  const path = process.env.DBKEEPER_TEST_EXTRA_JOBS;
  if (!path) return [];
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { jobs?: AnyJob[] };
  if (!Array.isArray(mod.jobs)) throw new Error(`DBKEEPER_TEST_EXTRA_JOBS: ${path} does not export \`jobs\``);
  return mod.jobs;
}

extraJobs()
  .then((jobs) => runWorker({ env: process.env, extraJobs: jobs }))
  .then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `dbkeeper worker: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
