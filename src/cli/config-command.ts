import { ALL_JOBS } from '../../jobs/index.js';
import { maskedValue } from '../config/config-secrets.js';
import { explainConfig, type ConfigSource } from '../config/load-config.js';

/** One leaf: its dotted path, its value (secrets masked), and its source (`default`, `file` with the path, `env`
 * with the variable). */
export type ConfigEntry = { path: string; value: unknown } & ConfigSource;

/** Every leaf of the effective configuration, secrets masked, with the layer it came from. Needs no database. */
export function configEntries(env: NodeJS.ProcessEnv): ConfigEntry[] {
  const { sources, config } = explainConfig({ jobs: ALL_JOBS, env });
  return [...sources].map(([path, source]) => ({ path, value: maskedValue(path, valueAt(config, path)), ...source }));
}

function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
}

function sourceText(s: ConfigSource): string {
  if (s.source === 'file') return `file ${s.file}`;
  if (s.source === 'env') return `env ${s.variable}`;
  return s.source;
}

/** One line a leaf: `path = value   (source)`, values as JSON. */
export function formatConfig(entries: readonly ConfigEntry[]): string {
  const shown = entries.map((e) => ({ left: `${e.path} = ${JSON.stringify(e.value)}`, source: sourceText(e) }));
  const width = Math.min(64, Math.max(...shown.map((s) => s.left.length)));
  return shown.map((s) => `${s.left.padEnd(width)}  (${s.source})`).join('\n');
}
