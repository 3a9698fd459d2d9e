import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Start-up check of REPORT_OUTBOX: the folder and its pending/ queue can be created and written (a probe file is
 * written and removed). The problem as a config line naming the key, or null. */
export async function checkOutbox(outboxDir: string): Promise<string | null> {
  const dir = resolve(outboxDir);
  let at = dir;
  try {
    await makeDirs(dir);
    at = join(dir, 'pending');
    await makeDirs(at);
    const probe = join(at, `.write-check-${process.pid}`);
    await writeFile(probe, 'dbkeeper outbox check\n');
    await rm(probe);
    return null;
  } catch (err) {
    return `report.outboxDir (REPORT_OUTBOX): cannot create or write ${at} (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

/** mkdir -p that fails instead of looping: Node 20's `mkdir(…, { recursive: true })` never settles when a level
 * keeps answering ENOENT after its parent exists (e.g. under /proc). */
async function makeDirs(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
  }
  await makeDirs(dirname(dir));
  try {
    await mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw err;
  }
}
