// Preloaded by `npm run bench:soak` (node --import) into the worker: answers memory samples over IPC, forcing a full
// GC first when the worker runs with --expose-gc (then heapUsed is what is retained, not garbage), and writes a heap
// snapshot on request. Not part of dbkeeper.
import { writeHeapSnapshot } from 'node:v8';

type Ask = { soak: 'sample' } | { soak: 'snapshot'; path: string };
const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (m: Ask) => {
  if (m?.soak === 'sample') {
    gc?.();
    process.send?.({ soak: 'sample', gc: Boolean(gc), memory: process.memoryUsage() });
  } else if (m?.soak === 'snapshot') {
    process.send?.({ soak: 'snapshot', path: writeHeapSnapshot(m.path) });
  }
});
