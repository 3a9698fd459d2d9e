import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutbox } from '../../src/report/outbox-check.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbkeeper-outbox-check-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkOutbox (tests run as root: only real obstacles, not mode bits, stop a write)', () => {
  it('creates a missing outbox and its pending/ folder and leaves no probe behind', async () => {
    const outbox = join(dir, 'a', 'b');
    expect(await checkOutbox(outbox)).toBeNull();
    expect(await readdir(outbox)).toEqual(['pending']);
    expect(await readdir(join(outbox, 'pending'))).toEqual([]);
  });

  it('a path under a regular file cannot be created', async () => {
    await writeFile(join(dir, 'file'), 'x');
    expect(await checkOutbox(join(dir, 'file', 'outbox'))).toMatch(
      /^report\.outboxDir \(REPORT_OUTBOX\): cannot create or write .*file\/outbox \(ENOTDIR\)/,
    );
  });

  it('a pending/ that is a file is refused', async () => {
    await writeFile(join(dir, 'pending'), 'x');
    expect(await checkOutbox(dir)).toMatch(
      /^report\.outboxDir \(REPORT_OUTBOX\): cannot create or write .*pending \(EEXIST|ENOTDIR\)/,
    );
  });

  it('a folder nobody can write to (/proc)', async () => {
    expect(await checkOutbox('/proc/dbkeeper-outbox')).toMatch(
      /^report\.outboxDir \(REPORT_OUTBOX\): cannot create or write \/proc\/dbkeeper-outbox \(E[A-Z]+\)/,
    );
  });
});
