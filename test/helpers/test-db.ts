import { randomBytes } from 'node:crypto';
import mysql, { type Connection } from 'mysql2/promise';
import pino, { type Logger } from 'pino';
import { ALL_JOBS } from '../../jobs/index.js';
import { connectApp, type App } from '../../src/app/bootstrap.js';
import { deepMerge, type Plain } from '../../src/config/deep-merge.js';
import { loadConfig, type Config } from '../../src/config/load-config.js';

/** The machine's MariaDB (or MySQL): 127.0.0.1:3306, root, empty password, unless TEST_DB_* say otherwise. */
export const TEST_DB = {
  host: process.env.TEST_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_DB_PORT ?? 3306),
  user: process.env.TEST_DB_USER ?? 'root',
  password: process.env.TEST_DB_PASSWORD ?? '',
};

export function adminConnection(database?: string): Promise<Connection> {
  return mysql.createConnection({
    ...TEST_DB,
    ...(database ? { database } : {}),
    timezone: 'Z',
    multipleStatements: false,
  });
}

export interface TestSchema {
  name: string;
  /** A root connection with the schema selected, for fixtures and assertions. */
  admin: Connection;
  drop(): Promise<void>;
}

/** A fresh `dbkeeper_t_<random>` schema; drop() removes it. Every test file makes its own. */
export async function createTestSchema(): Promise<TestSchema> {
  const name = `dbkeeper_t_${randomBytes(5).toString('hex')}`;
  const admin = await adminConnection();
  await admin.query(`CREATE SCHEMA \`${name}\``);
  await admin.query(`USE \`${name}\``);
  return {
    name,
    admin,
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

/** A validated config pointing at the test schema; the process environment is not read. */
export function testConfig(schema: string, overrides: Plain = {}, env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    jobs: ALL_JOBS,
    env,
    overrides: deepMerge(
      {
        db: { ...TEST_DB, database: schema, connectRetries: 0 },
        log: { level: 'silent' },
        report: { outboxDir: `/tmp/dbkeeper-test-outbox-${schema}` },
      },
      overrides,
    ),
  });
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Logger whose lines are collected, to assert on what was (not) logged. */
export function capturingLogger(level = 'debug'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino({ level }, { write: (line: string) => lines.push(line) });
  return { log, lines };
}

export async function testApp(schema: string, overrides: Plain = {}): Promise<App> {
  const config = testConfig(schema, overrides);
  return connectApp(config, silentLogger(), { jobs: ALL_JOBS });
}
