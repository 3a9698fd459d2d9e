import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutboxCensus {
  /** delivered.log ids, one entry per line (an id twice = sent twice). */
  delivered: string[];
  pending: string[];
  /** Files still claimed `.sending-<host>-<pid>` (only while a sender lives). */
  sending: string[];
  unconfirmed: string[];
  failed: string[];
  /** Reports written as files (no SMTP). */
  written: string[];
}

const ls = (dir: string) =>
  readdir(dir).then(
    (f) => f.filter((n) => !n.startsWith('.')).sort(),
    () => [] as string[],
  );

/** Where every report of an outbox is, as docs/report.md names the places. */
export async function outboxCensus(dir: string): Promise<OutboxCensus> {
  const log = await readFile(join(dir, 'delivered.log'), 'utf8').catch(() => '');
  const pendingAll = await ls(join(dir, 'pending'));
  return {
    delivered: log
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')[1]!),
    pending: pendingAll.filter((f) => f.endsWith('.eml')),
    sending: pendingAll.filter((f) => f.includes('.eml.sending-')),
    unconfirmed: await ls(join(dir, 'unconfirmed')),
    failed: await ls(join(dir, 'failed')),
    written: (await ls(dir)).filter((f) => f.endsWith('.eml')),
  };
}

/** How many reports of the outbox are accounted for (each place counts once); a report in two places is a bug. */
export function placesOf(census: OutboxCensus, id: string): string[] {
  const has = (names: string[]) => names.some((n) => n.includes(id));
  const places: string[] = [];
  for (const d of census.delivered) if (d === id) places.push('delivered');
  if (has(census.pending)) places.push('pending');
  if (has(census.sending)) places.push('sending');
  if (has(census.unconfirmed)) places.push('unconfirmed');
  if (has(census.failed)) places.push('failed');
  if (has(census.written)) places.push('written');
  return places;
}

/** Report ids found anywhere in the outbox. */
export function allIds(census: OutboxCensus): string[] {
  const id = (n: string) => /-([0-9a-f]+)\.eml/.exec(n)?.[1] ?? n;
  return [
    ...new Set([
      ...census.delivered,
      ...[...census.pending, ...census.sending, ...census.unconfirmed, ...census.failed, ...census.written].map(id),
    ]),
  ];
}
