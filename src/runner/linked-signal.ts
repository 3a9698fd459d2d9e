/** One signal that aborts when any source does, unlinked from the sources when the run ends. Not AbortSignal.any:
 * on Node 20 a source keeps a reference to every signal ever derived from it (nodejs/node#55351), and the worker's
 * shutdown signal lives as long as the process: one more entry per run, never freed. */
export function linkSignals(sources: readonly AbortSignal[]): { signal: AbortSignal; unlink: () => void } {
  const controller = new AbortController();
  const already = sources.find((s) => s.aborted);
  if (already) {
    controller.abort(already.reason);
    return { signal: controller.signal, unlink: () => {} };
  }
  const unlink = () => {
    for (const s of sources) s.removeEventListener('abort', onAbort);
  };
  function onAbort(event: Event) {
    unlink();
    controller.abort((event.target as AbortSignal).reason);
  }
  for (const s of sources) s.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, unlink };
}
