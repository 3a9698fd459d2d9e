/** The job did not stop within the drain time after its signal fired (its statement may be stuck on a stalled link). */
export class DrainTimeoutError extends Error {
  override name = 'DrainTimeoutError';
  constructor(readonly drainMs: number) {
    super(
      `the job did not stop within the drain time (shutdown.drainSeconds = ${drainMs / 1000} s) after it was asked to`,
    );
  }
}

/** The job's own end, or a DrainTimeoutError once `signal` has fired and drainMs passed without it. */
export function untilDrained<T>(work: Promise<T>, signal: AbortSignal, drainMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(new DrainTimeoutError(drainMs)), drainMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    work.then(
      (v) => {
        settle();
        resolve(v);
      },
      (err: unknown) => {
        settle();
        reject(err);
      },
    );
  });
}
