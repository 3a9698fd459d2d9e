import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { AnyJob } from '../job/job-contract.js';
import { ConfigError } from './config-error.js';
import { buildConfigSchema, type JobBaseConfig } from './config-schema.js';
import { parseDatabaseUrl } from './database-url.js';
import { deepMerge, isPlainObject, setPath, type Plain } from './deep-merge.js';
import { ENV_BINDINGS, parseEnvValue } from './env-mapping.js';
import { resolveSecretFiles } from './secret-files.js';
import { tlsFileProblems } from './tls-files.js';

export type Config = z.infer<ReturnType<typeof buildConfigSchema>>;

/** A job's section of the config (enabled, schedule, catchUp, its own keys); undefined for a job the config does not list. */
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
  jobs: readonly AnyJob[];
  env?: NodeJS.ProcessEnv;
  /** Extra overrides applied last (tests, demo). */
  overrides?: Plain;
}

/** One validated config object. Sources, later wins: config/default.json, DBKEEPER_CONFIG file, env, overrides. */
export function loadConfig({ jobs, env: rawEnv = process.env, overrides }: LoadConfigOptions): Config {
  const secrets = resolveSecretFiles(rawEnv);
  const env = secrets.env;
  let merged = readJsonFile(defaultConfigPath(), 'config/default.json');
  if (env.DBKEEPER_CONFIG) merged = deepMerge(merged, readJsonFile(env.DBKEEPER_CONFIG, 'DBKEEPER_CONFIG'));

  const problems: string[] = [...secrets.problems];
  const envOf = new Map<string, string>();
  const envLayer: Plain = {};
  if (env.DATABASE_URL) {
    const parsed = parseDatabaseUrl(env.DATABASE_URL);
    if ('error' in parsed) problems.push(parsed.error);
    else for (const { path, value } of parsed.fields) {
      setPath(envLayer, ['db', ...path], value);
      envOf.set(['db', ...path].join('.'), 'DATABASE_URL');
    }
  }
  for (const binding of ENV_BINDINGS) {
    const raw = env[binding.env];
    if (raw === undefined) continue;
    setPath(envLayer, binding.path, parseEnvValue(binding.kind, raw));
    envOf.set(binding.path.join('.'), binding.env);
  }
  merged = deepMerge(merged, envLayer);
  if (overrides) merged = deepMerge(merged, overrides);

  const result = buildConfigSchema(jobs).safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const base = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push(`${[...base, key].join('.')}: unknown key`);
        continue;
      }
      const field = base.join('.') || '(root)';
      const source = envOf.get(field);
      problems.push(`${field}${source ? ` (from ${source})` : ''}: ${issue.message}`);
    }
  }
  if (result.success) problems.push(...tlsFileProblems(result.data.db.ssl));
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data!;
}
