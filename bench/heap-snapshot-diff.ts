// What grew between two heap snapshots (.heapsnapshot JSON): self size and count per node type and constructor name.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  key: string;
  count: number;
  bytes: number;
}

export function heapGroups(path: string): Map<string, HeapGroup> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]!]!;
    // Strings are grouped by type only: their text may be anything the worker read.
    const isString = type === 'string' || type.endsWith(' string');
    const name = isString ? '' : snap.strings[snap.nodes[i + iName]!]!.slice(0, 60);
    const key = `${type}${name ? ` ${name}` : ''}`;
    const g = groups.get(key) ?? { key, count: 0, bytes: 0 };
    g.count += 1;
    g.bytes += snap.nodes[i + iSize]!;
    groups.set(key, g);
  }
  return groups;
}

/** The groups that grew most in bytes from `early` to `late`, and the totals. */
export function heapGrowth(early: string, late: string, top = 12) {
  const a = heapGroups(early);
  const b = heapGroups(late);
  const total = (m: Map<string, HeapGroup>) => [...m.values()].reduce((s, g) => s + g.bytes, 0);
  const keys = new Set([...a.keys(), ...b.keys()]);
  const rows = [...keys].map((key) => {
    const x = a.get(key) ?? { count: 0, bytes: 0 };
    const y = b.get(key) ?? { count: 0, bytes: 0 };
    const kb = (bytes: number) => +(bytes / 1024).toFixed(1);
    return { key, countDelta: y.count - x.count, kbDelta: kb(y.bytes - x.bytes), kbLate: kb(y.bytes) };
  });
  rows.sort((p, q) => q.kbDelta - p.kbDelta);
  const mb = (m: Map<string, HeapGroup>) => +(total(m) / 1048576).toFixed(2);
  return { earlyMb: mb(a), lateMb: mb(b), topGrowth: rows.slice(0, top) };
}
