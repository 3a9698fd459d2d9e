/** A strict check of the Prometheus text exposition format (0.0.4), written for the tests: prom-client has no
 * parser. Returns the problems (empty = valid) and the parsed families. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  type: string;
  help: string | null;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Go's strconv.ParseFloat, which Prometheus parses with: Inf/Infinity/NaN in any case (prom-client writes `Nan`). */
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity)|nan)$/i;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(v: string): number {
  if (/^\+?inf(inity)?$/i.test(v)) return Infinity;
  if (/^-inf(inity)?$/i.test(v)) return -Infinity;
  if (/^nan$/i.test(v)) return NaN;
  return Number(v);
}

/** `{a="x",b="y\"z"}` → labels; null when the syntax or an escape is wrong. */
function parseLabels(text: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) return null;
    const name = text.slice(i, eq);
    if (!LABEL.test(name) || name in labels || text[eq + 1] !== '"') return null;
    let j = eq + 2;
    let value = '';
    for (;;) {
      const c = text[j];
      if (c === undefined || c === '\n') return null;
      if (c === '"') break;
      if (c === '\\') {
        const e = text[j + 1];
        if (e === '\\') value += '\\';
        else if (e === '"') value += '"';
        else if (e === 'n') value += '\n';
        else return null;
        j += 2;
        continue;
      }
      value += c;
      j += 1;
    }
    labels[name] = value;
    i = j + 1;
    if (i < text.length) {
      if (text[i] !== ',') return null;
      i += 1;
    }
  }
  return labels;
}

function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  if (families.has(sample)) return families.get(sample);
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sample.endsWith(suffix)) {
      const f = families.get(sample.slice(0, -suffix.length));
      if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
    }
  }
  return undefined;
}

export function checkExposition(text: string): { problems: string[]; families: Map<string, Family> } {
  const problems: string[] = [];
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) problems.push('does not end with a newline');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let current: Family | undefined;
  const closed = new Set<string>();
  lines.forEach((line, n) => {
    const at = `line ${n + 1}`;
    if (line === '') return; // the format ignores empty lines (prom-client puts one between families)
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) problems.push(`${at}: bad metric name ${name}`);
      let f = families.get(name);
      if (f && f.samples.length > 0) problems.push(`${at}: ${kind} for ${name} after its samples`);
      if (!f) {
        if (current && current.name !== name) closed.add(current.name);
        f = { name, type: 'untyped', help: null, samples: [] };
        families.set(name, f);
      }
      current = f;
      if (kind === 'HELP') {
        if (f.help !== null) problems.push(`${at}: second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) problems.push(`${at}: bad escape in HELP of ${name}`);
        f.help = rest;
      } else {
        if (!TYPES.has(rest)) problems.push(`${at}: bad TYPE ${rest}`);
        if ((f as Family & { typed?: boolean }).typed) problems.push(`${at}: second TYPE for ${name}`);
        (f as Family & { typed?: boolean }).typed = true;
        f.type = rest;
      }
      return;
    }
    const m = /^([^\s{]+)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) return void problems.push(`${at}: not a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText, value] = m as unknown as [string, string, string | undefined, string];
    if (!NAME.test(name)) problems.push(`${at}: bad sample name ${name}`);
    if (!VALUE.test(value)) problems.push(`${at}: bad value ${value}`);
    const labels = labelText === undefined || labelText === '' ? {} : parseLabels(labelText);
    if (labels === null) return void problems.push(`${at}: bad labels ${labelText}`);
    const f = familyOf(name, families);
    if (!f) return void problems.push(`${at}: sample ${name} has no TYPE/HELP before it`);
    if (closed.has(f.name) || (current && current !== f)) problems.push(`${at}: samples of ${f.name} are not together`);
    if (!(f as Family & { typed?: boolean }).typed) problems.push(`${at}: ${f.name} has no TYPE`);
    current = f;
    f.samples.push({ name, labels, value: parseValue(value) });
  });
  for (const f of families.values()) if (f.type === 'histogram') problems.push(...checkHistogram(f));
  return { problems, families };
}

/** Per label set: buckets with `le`, cumulative (non-decreasing in le), +Inf = _count, one _sum. */
function checkHistogram(f: Family): string[] {
  const problems: string[] = [];
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  for (const s of f.samples) {
    const g = groups.get(keyOf(s.labels)) ?? { buckets: [] };
    groups.set(keyOf(s.labels), g);
    if (s.name === `${f.name}_bucket`) {
      if (s.labels.le === undefined || !VALUE.test(s.labels.le)) problems.push(`${f.name}: bucket without a valid le`);
      else g.buckets.push([parseValue(s.labels.le), s.value]);
    } else if (s.name === `${f.name}_sum`) g.sum = s.value;
    else if (s.name === `${f.name}_count`) g.count = s.value;
    else problems.push(`${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, g] of groups) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.length === 0 || sorted[sorted.length - 1]![0] !== Infinity)
      problems.push(`${f.name}${key}: no le="+Inf" bucket`);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i]![1] < sorted[i - 1]![1]) problems.push(`${f.name}${key}: buckets not cumulative`);
    if (g.count === undefined || g.sum === undefined) problems.push(`${f.name}${key}: _sum or _count missing`);
    else if (sorted.length && sorted[sorted.length - 1]![1] !== g.count)
      problems.push(`${f.name}${key}: +Inf bucket ${sorted[sorted.length - 1]![1]} != _count ${g.count}`);
    if (g.count !== undefined && g.count > 0 && g.sum !== undefined && g.sum < 0)
      problems.push(`${f.name}${key}: negative _sum`);
  }
  return problems;
}
