import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkSignals } from '../../src/runner/linked-signal.js';

/** What a source signal keeps of the signals derived from it with AbortSignal.any (Node internals; 0 if none). */
function dependants(signal: AbortSignal): number {
  const sym = Object.getOwnPropertySymbols(signal).find((s) => s.toString() === 'Symbol(kDependantSignals)');
  return sym ? ((signal as unknown as Record<symbol, Set<unknown> | undefined>)[sym]?.size ?? 0) : 0;
}

describe('linkSignals: a run signal derived from the worker-long shutdown signal', () => {
  it('aborts with the reason of whichever source aborts first', () => {
    const shutdown = new AbortController();
    const lockLost = new AbortController();
    const { signal } = linkSignals([lockLost.signal, shutdown.signal]);
    expect(signal.aborted).toBe(false);
    lockLost.abort(new Error('lock lost'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('lock lost');
    shutdown.abort(new Error('SIGTERM'));
    expect((signal.reason as Error).message).toBe('lock lost');
  });

  it('a source aborted already: the run signal starts aborted', () => {
    const { signal } = linkSignals([AbortSignal.abort(new Error('stopping'))]);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('stopping');
  });

  it('after 1,000 runs linked and unlinked the shutdown signal holds nothing of them', () => {
    const shutdown = new AbortController();
    for (let i = 0; i < 1000; i++) linkSignals([new AbortController().signal, shutdown.signal]).unlink();
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(dependants(shutdown.signal)).toBe(0);
  });
});
