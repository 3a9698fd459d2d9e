import { chmod, mkdir, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RawSample } from './statement-stats.js';

/** File name of one review's raw samples: the period and the run's evaluation time. */
export function rawSamplesFileName(periodLabel: string, at: Date): string {
  return `performance-review-${periodLabel}-${at.toISOString().replace(/[:.]/g, '-')}.json`;
}

/** Writes real statements (customer data) to a file on the worker host only: directory 0700, file 0600,
 * created new (never appended to someone else's file). Returns the file's path. */
export async function writeRawSamples(dir: string, fileName: string, samples: readonly RawSample[]): Promise<string> {
  const abs = resolve(dir);
  await mkdir(abs, { recursive: true, mode: 0o700 });
  const path = join(abs, fileName);
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(samples, null, 2)}\n`, 'utf8');
  } finally {
    await file.close();
  }
  // The process umask can only take permissions away; make the mode exact.
  await chmod(path, 0o600);
  return path;
}
