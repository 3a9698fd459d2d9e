// Soak finding (issue 14): each run's signal was AbortSignal.any([lock lost, worker shutdown]); on Node 20 the
// worker-long shutdown signal kept an entry for every run ever made (nodejs/node#55351). Runs must leave it as
// they found it.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingJob } from '../../jobs/ping/job.js';
import type { App } from '../../src/app/bootstrap.js';
import { runJob } from '../../src/runner/run-job.js';
import { createTestSchema, silentLogger, testApp, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
let app: App;
beforeAll(async () => {
  t = await createTestSchema();
  app = await testApp(t.name);
});
afterAll(async () => {
  await app?.db.close();
  await t?.drop();
});

/** What a signal keeps of the signals derived from it with AbortSignal.any (Node internals; 0 if none). */
function dependants(signal: AbortSignal): number {
  const sym = Object.getOwnPropertySymbols(signal).find((s) => s.toString() === 'Symbol(kDependantSignals)');
  return sym ? ((signal as unknown as Record<symbol, Set<unknown> | undefined>)[sym]?.size ?? 0) : 0;
}

describe('runJob and the long-lived shutdown signal', () => {
  it('after 25 runs the shutdown signal holds no listener and no derived signal of theirs', async () => {
    const shutdown = new AbortController();
    const deps = { db: app.db, config: app.config, log: silentLogger() };
    for (let i = 0; i < 25; i++) {
      const outcome = await runJob(deps, pingJob, { trigger: 'manual', dryRun: false, signal: shutdown.signal });
      expect(outcome.status).toBe('ok');
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(dependants(shutdown.signal)).toBe(0);
  });
});
