import { appendFile, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';

/** The outbox on disk. Every move is a rename inside one directory tree, so it is atomic:
 *   <dir>/<stamp>-<kind>-<id>.eml          reports written instead of sent (no SMTP configured)
 *   <dir>/pending/<name>.eml               waiting for SMTP (it failed, or the send is about to start)
 *   <dir>/pending/<name>.eml.sending-<host>-<pid>   claimed by one process that is talking to SMTP now
 *   <dir>/unconfirmed/<name>.eml           a sender died mid-send: maybe delivered, so never resent automatically
 *   <dir>/failed/<name>.eml                the SMTP server refused it for good (5xx)
 *   <dir>/delivered.log                    one line per delivered message id; a delivered id is never sent again */
export class Outbox {
  readonly pendingDir: string;
  readonly unconfirmedDir: string;
  readonly failedDir: string;
  readonly deliveredLog: string;
  private readonly marker: string;

  constructor(
    readonly dir: string,
    private readonly host = hostname(),
    private readonly pid = process.pid,
  ) {
    this.pendingDir = join(dir, 'pending');
    this.unconfirmedDir = join(dir, 'unconfirmed');
    this.failedDir = join(dir, 'failed');
    this.deliveredLog = join(dir, 'delivered.log');
    this.marker = `.sending-${safe(this.host)}-${this.pid}`;
  }

  /** "20261130T031500Z": the time in file names of the outbox (reports and previews). */
  static stamp(at: Date): string {
    return at
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
  }

  static fileName(stamp: Date, kind: string, id: string): string {
    return `${Outbox.stamp(stamp)}-${kind}-${id}.eml`;
  }

  static idOf(name: string): string {
    return /-([0-9a-f]+)\.eml/.exec(basename(name))?.[1] ?? basename(name);
  }

  /** A report kept as a file (no SMTP): returns its path. */
  async writeLetter(name: string, raw: Buffer): Promise<string> {
    return atomicWrite(this.dir, name, raw);
  }

  /** Queue for SMTP. Returns null when the same report is already queued, in flight or delivered. */
  async enqueue(name: string, raw: Buffer): Promise<string | null> {
    const id = Outbox.idOf(name);
    if ((await this.listAll(this.pendingDir)).some((f) => Outbox.idOf(f) === id)) return null;
    if (await this.wasDelivered(id)) return null;
    return atomicWrite(this.pendingDir, name, raw);
  }

  async listPending(): Promise<string[]> {
    return (await this.listAll(this.pendingDir)).filter((f) => f.endsWith('.eml')).sort();
  }

  /** Take a pending file for sending. Only one process wins the rename; the others get null. */
  async claim(name: string): Promise<{ path: string; raw: Buffer } | null> {
    const from = join(this.pendingDir, name);
    const path = `${from}${this.marker}`;
    try {
      await rename(from, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return { path, raw: await readFile(path) };
  }

  /** SMTP did not take it: back to pending for the next try. */
  async release(claimed: string): Promise<string> {
    const back = claimed.slice(0, claimed.length - this.marker.length);
    await rename(claimed, back);
    return back;
  }

  /** SMTP took it: record the id first, then remove the file (a crash in between leaves a record, not a resend). */
  async markDelivered(claimed: string, recipients: readonly string[], at: Date): Promise<void> {
    await this.recordDelivered(Outbox.idOf(claimed), recipients, at);
    await unlink(claimed);
  }

  /** One line in delivered.log: this id is never sent again. */
  async recordDelivered(id: string, recipients: readonly string[], at: Date): Promise<void> {
    await appendFile(this.deliveredLog, `${at.toISOString()} ${id} ${recipients.join(',')}\n`);
  }

  /** Remove a claimed file whose id is already in delivered.log. */
  async discard(claimed: string): Promise<void> {
    await unlink(claimed);
  }

  async moveToFailed(claimed: string): Promise<string> {
    return this.moveInto(this.failedDir, claimed);
  }

  async wasDelivered(id: string): Promise<boolean> {
    const text = await readFile(this.deliveredLog, 'utf8').catch(() => '');
    return text.split('\n').some((line) => line.split(' ')[1] === id);
  }

  /** At start-up: files left `.sending` by a process of this host that is gone. If the id is in delivered.log
   * the file is simply removed; otherwise the message may or may not have reached the server, so it goes to
   * unconfirmed/ for a person (resend = move it back to pending/). Returns what was moved. */
  async recoverInterrupted(): Promise<{ removed: string[]; unconfirmed: string[] }> {
    const removed: string[] = [];
    const unconfirmed: string[] = [];
    const prefix = `.sending-${safe(this.host)}-`;
    for (const f of await this.listAll(this.pendingDir)) {
      const at = f.indexOf(prefix);
      if (at < 0) continue;
      const pid = Number(f.slice(at + prefix.length));
      if (!Number.isInteger(pid) || isAlive(pid)) continue;
      const path = join(this.pendingDir, f);
      if (await this.wasDelivered(Outbox.idOf(f))) {
        await unlink(path);
        removed.push(path);
      } else unconfirmed.push(await this.moveInto(this.unconfirmedDir, path));
    }
    return { removed, unconfirmed };
  }

  private async moveInto(dir: string, claimed: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const name = basename(claimed).replace(/\.eml\.sending-.*$/, '.eml');
    const target = join(dir, name);
    await rename(claimed, target);
    return target;
  }

  private async listAll(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9.]/g, '_');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function atomicWrite(dir: string, name: string, data: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  await writeFile(tmp, data, { mode: 0o640 });
  await rename(tmp, path);
  return path;
}
