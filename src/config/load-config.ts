import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { buildConfigSchema, jobSectionSchema, type ConfigurableJob, type JobBaseConfig } from './config-schema.js';
import { parseDatabaseUrl } from './database-url.js';
import { replicaNodeProblems } from './replica-nodes.js';
import { deepMerge, isPlainObject, setPath, type Plain } from './deep-merge.js';
import { ENV_BINDINGS, parseEnvValue } from './env-mapping.js';
import { resolveSecretFiles, SECRET_FILE_KEYS } from './secret-files.js';
import { tlsFileProblems } from './tls-files.js';

export type Config = z.infer<ReturnType<typeof buildConfigSchema>>;

/** A job's section of the config (enabled, schedule, catchUp, its own keys); undefined for a job the config does not
 * list. */
export function jobSection(config: Config, name: string): (JobBaseConfig & Record<string, unknown>) | undefined {
  return (config.jobs as Record<string, JobBaseConfig & Record<string, unknown>>)[name];
}

/** The zone a job's schedule and its calendar run in: the job's own `timezone`, else the global one. */
export function jobTimezone(config: Config, name: string): string {
  return jobSection(config, name)?.timezone ?? config.timezone;
}

const here = dirname(fileURLToPath(import.meta.url));
/** config/default.json, found from src/config (tsx/vitest) or dist/src/config (compiled). */
export function defaultConfigPath(): string {
  const candidates = [resolve(here, '../../config/default.json'), resolve(here, '../../../config/default.json')];
  for (const path of candidates) {
    try {
      readFileSync(path);
      return path;
    } catch {
      /* try the next */
    }
  }
  return candidates[0]!;
}

function readJsonFile(path: string, field: string): Plain {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${field}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${field}: ${path} is not valid JSON (${(err as Error).message})`]);
  }
  if (!isPlainObject(parsed)) throw new ConfigError([`${field}: ${path} must hold a JSON object`]);
  return parsed;
}

export interface LoadConfigOptions {
  jobs: readonly ConfigurableJob[];
  env?: NodeJS.ProcessEnv;
  /** Extra overrides applied last (tests, demo). */
  overrides?: Plain;
}

/** Where a leaf value came from: a default (a job's schema or config/default.json), the DBKEEPER_CONFIG file, an
 * environment variable, or an override (tests, demo). */
export type ConfigSource =
  | { source: 'default' }
  | { source: 'file'; file: string }
  | { source: 'env'; variable: string }
  | { source: 'override' };

/** The layers a config is merged from, earliest first (later wins). */
interface ConfigLayers {
  defaults: Plain;
  file: { path: string; values: Plain } | null;
  env: Plain;
  envOf: Map<string, string>;
  overrides: Plain;
  problems: string[];
}

/** Each job's section as its schema's defaults make it: a job no file mentions runs on these. A job with a key
 * that has no default (a test's job) adds nothing here; its section is checked with the merged config. */
function jobDefaults(jobs: readonly ConfigurableJob[]): Plain {
  const out: Plain = {};
  for (const job of jobs) {
    const parsed = jobSectionSchema(job).safeParse({});
    if (parsed.success) out[job.name] = parsed.data;
  }
  return out;
}

function readLayers({ jobs, env: rawEnv = process.env, overrides }: LoadConfigOptions): ConfigLayers {
  const secrets = resolveSecretFiles(rawEnv);
  const env = secrets.env;
  const defaults = deepMerge({ jobs: jobDefaults(jobs) }, readJsonFile(defaultConfigPath(), 'config/default.json'));
  const file = env.DBKEEPER_CONFIG
    ? { path: env.DBKEEPER_CONFIG, values: readJsonFile(env.DBKEEPER_CONFIG, 'DBKEEPER_CONFIG') }
    : null;

  const problems: string[] = [...secrets.problems];
  const envOf = new Map<string, string>();
  const envLayer: Plain = {};
  if (env.DATABASE_URL) {
    const parsed = parseDatabaseUrl(env.DATABASE_URL);
    if ('error' in parsed) problems.push(parsed.error);
    else
      for (const { path, value } of parsed.fields) {
        setPath(envLayer, ['db', ...path], value);
        envOf.set(['db', ...path].join('.'), 'DATABASE_URL');
      }
  }
  for (const binding of ENV_BINDINGS) {
    const raw = env[binding.env];
    if (raw === undefined) continue;
    setPath(envLayer, binding.path, parseEnvValue(binding.kind, raw));
    const fromFile = SECRET_FILE_KEYS.find((k) => k.valueKey === binding.env && rawEnv[k.fileKey]);
    envOf.set(binding.path.join('.'), fromFile ? fromFile.fileKey : binding.env);
  }
  return { defaults, file, env: envLayer, envOf, overrides: overrides ?? {}, problems };
}

function validate(layers: ConfigLayers, jobs: readonly ConfigurableJob[]): Config {
  let merged = layers.defaults;
  if (layers.file) merged = deepMerge(merged, layers.file.values);
  merged = deepMerge(deepMerge(merged, layers.env), layers.overrides);

  const problems = [...layers.problems];
  const result = buildConfigSchema(jobs).safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const base = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push(`${[...base, key].join('.')}: unknown key`);
        continue;
      }
      const field = base.join('.') || '(root)';
      const source = layers.envOf.get(field);
      problems.push(`${field}${source ? ` (from ${source})` : ''}: ${issue.message}`);
    }
  }
  if (result.success) problems.push(...tlsFileProblems(result.data.db.ssl), ...replicaNodeProblems(result.data));
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data!;
}

/** One validated config object. Sources, later wins: each job's schema defaults, config/default.json,
 * the DBKEEPER_CONFIG file, env, overrides. */
export function loadConfig(options: LoadConfigOptions): Config {
  return validate(readLayers(options), options.jobs);
}

/** The validated config and, for each leaf (a scalar or an array, by dotted path), the layer it came from. */
export function explainConfig(options: LoadConfigOptions): { config: Config; sources: Map<string, ConfigSource> } {
  const layers = readLayers(options);
  const config = validate(layers, options.jobs);
  const sources = new Map<string, ConfigSource>();
  for (const path of leafPaths(config as Plain)) {
    const key = path.join('.');
    const envVariable = layers.envOf.get(key);
    if (hasPath(layers.overrides, path)) sources.set(key, { source: 'override' });
    else if (envVariable) sources.set(key, { source: 'env', variable: envVariable });
    else if (layers.file && hasPath(layers.file.values, path))
      sources.set(key, { source: 'file', file: layers.file.path });
    else sources.set(key, { source: 'default' });
  }
  return { config, sources };
}

/** Dotted paths of the leaves: objects are walked, arrays and scalars (and empty objects) are leaves. */
function leafPaths(node: Plain, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, value] of Object.entries(node)) {
    if (value === undefined) continue;
    const path = [...prefix, key];
    if (isPlainObject(value) && Object.keys(value).length > 0) out.push(...leafPaths(value, path));
    else out.push(path);
  }
  return out;
}

/** Whether a layer sets this path or one of its parents to a non-object (an array or scalar replaces the whole). */
function hasPath(layer: Plain, path: readonly string[]): boolean {
  let node: unknown = layer;
  for (const key of path) {
    if (!isPlainObject(node) || !(key in node)) return false;
    node = node[key];
    if (!isPlainObject(node)) return true;
  }
  return true;
}
