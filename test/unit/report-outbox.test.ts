import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/parse-args.js';
import { Outbox } from '../../src/report/outbox.js';
import { envelopeOf, isPermanentFailure } from '../../src/report/smtp-transport.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbkeeper-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const raw = Buffer.from(
  'From: "dbkeeper" <dbkeeper@example.test>\r\nTo: dba@example.test,\r\n  "On Call" <oncall@example.test>\r\nSubject: x\r\n\r\nTo: not-a-header@example.test\r\n',
);
const name = Outbox.fileName(new Date('2026-11-30T03:15:00.123Z'), 'summary', 'abc123');

describe('Outbox', () => {
  it('names files by time, kind and report id', () => {
    expect(name).toBe('20261130T031500Z-summary-abc123.eml');
    expect(Outbox.idOf(`${name}.sending-host-12`)).toBe('abc123');
  });

  it('lets only one process claim a pending file', async () => {
    const a = new Outbox(dir, 'h', 101);
    const b = new Outbox(dir, 'h', 102);
    await a.enqueue(name, raw);
    const [ca, cb] = await Promise.all([a.claim(name), b.claim(name)]);
    expect([ca, cb].filter((c) => c !== null)).toHaveLength(1);
    expect(await readdir(a.pendingDir)).toHaveLength(1);
  });

  it('does not queue a report that is already queued or delivered', async () => {
    const o = new Outbox(dir, 'h', 101);
    expect(await o.enqueue(name, raw)).toBe(join(o.pendingDir, name));
    expect(await o.enqueue(name.replace('031500Z', '031600Z'), raw)).toBeNull();
    const claimed = await o.claim(name);
    await o.markDelivered(claimed!.path, ['dba@example.test'], new Date('2026-11-30T03:15:05Z'));
    expect(await readdir(o.pendingDir)).toEqual([]);
    expect(await o.enqueue(name, raw)).toBeNull();
    expect(await o.wasDelivered('abc123')).toBe(true);
    expect(await o.wasDelivered('abc12')).toBe(false);
  });

  it('puts a released file back in pending', async () => {
    const o = new Outbox(dir, 'h', 101);
    await o.enqueue(name, raw);
    const claimed = await o.claim(name);
    expect(await readdir(o.pendingDir)).toEqual([`${name}.sending-h-101`]);
    await o.release(claimed!.path);
    expect(await o.listPending()).toEqual([name]);
  });

  it('leaves in-flight files of live processes alone at start-up', async () => {
    const other = new Outbox(dir, 'h', process.pid);
    await other.enqueue(name, raw);
    await other.claim(name);
    const me = new Outbox(dir, 'h', 999_999);
    expect(await me.recoverInterrupted()).toEqual({ removed: [], unconfirmed: [] });
    expect(await readdir(me.pendingDir)).toEqual([`${name}.sending-h-${process.pid}`]);
  });
});

describe('envelopeOf', () => {
  it('reads sender and recipients from the headers only, unfolding continued lines', () => {
    expect(envelopeOf(raw)).toEqual({ from: 'dbkeeper@example.test', to: ['dba@example.test', 'oncall@example.test'] });
  });

  it.each([
    [{ responseCode: 550 }, true],
    [{ responseCode: 421 }, false],
    [{ code: 'ECONNREFUSED' }, false],
  ])('%o permanent: %s', (err, permanent) => {
    expect(isPermanentFailure(err)).toBe(permanent);
  });
});

describe('report CLI arguments', () => {
  const lookup = () => undefined;
  it('parses report --preview with an optional --out', () => {
    expect(parseArgs(['report', '--preview'], lookup)).toEqual({ kind: 'report', preview: true });
    expect(parseArgs(['report', '--preview', '--out', '/tmp/r.html'], lookup)).toEqual({
      kind: 'report',
      preview: true,
      out: '/tmp/r.html',
    });
    expect(parseArgs(['report', '--out=/tmp/r.html', '--preview'], lookup)).toEqual({
      kind: 'report',
      preview: true,
      out: '/tmp/r.html',
    });
  });

  it.each([
    [['report'], /report: say what to do: --preview/],
    [['report', '--preview', '--out'], /--out needs a file path/],
    [['report', '--preview', '--json'], /report: unknown argument --json/],
  ])('%o is a usage error', (argv, message) => {
    expect(() => parseArgs(argv, lookup)).toThrow(UsageError);
    expect(() => parseArgs(argv, lookup)).toThrow(message);
  });
});
