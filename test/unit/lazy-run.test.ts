import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineJob, type DetailsOf, type JobContext, type JobResult } from '../../src/job/job-contract.js';
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

  it("keeps the run's result type, so defineJob infers the job's details through it (tsc checks the types)", async () => {
    const runTwo = async (ctx: JobContext<{ n: number }>) =>
      ({ status: 'ok', summary: 'two', details: { n: ctx.config.n, twice: ctx.config.n * 2 } }) satisfies JobResult;
    const job = defineJob({
      name: 'typed',
      description: 'lazyRun keeps the details type',
      period: 'daily',
      schedule: '0 0 * * *',
      configSchema: z.object({ n: z.number() }),
      writes: false,
      run: lazyRun(async () => runTwo),
    });
    expectTypeOf<DetailsOf<typeof job>>().toEqualTypeOf<{ n: number; twice: number }>();
    const result = await job.run({ config: { n: 3 } } as unknown as JobContext<{ n: number }>);
    expect(result.details).toEqual({ n: 3, twice: 6 });
  });
});
