import { describe, expect, it } from 'vitest';
import type { JobContext, JobResult } from '../../src/job/job-contract.js';
import { lazyRun } from '../../src/job/lazy-run.js';

describe('lazyRun: a job run module imported at the run, not at definition', () => {
  it('calls load only when the job runs, each run, and hands the context and the result through', async () => {
    const seen: unknown[] = [];
    let loads = 0;
    const run = lazyRun<{ n: number }>(async () => {
      loads += 1;
      return async (ctx) => {
        seen.push(ctx.config.n);
        return { status: 'ok', summary: `n=${ctx.config.n}` } satisfies JobResult;
      };
    });
    expect(loads).toBe(0);
    const ctx = (n: number) => ({ config: { n } }) as unknown as JobContext<{ n: number }>;
    await expect(run(ctx(1))).resolves.toEqual({ status: 'ok', summary: 'n=1' });
    await expect(run(ctx(2))).resolves.toEqual({ status: 'ok', summary: 'n=2' });
    expect(loads).toBe(2);
    expect(seen).toEqual([1, 2]);
  });

  it('a module that fails to load fails the run with its error', async () => {
    const run = lazyRun(() => Promise.reject(new Error('Cannot find module ./run.js')));
    await expect(run({} as JobContext)).rejects.toThrow('Cannot find module ./run.js');
  });
});
