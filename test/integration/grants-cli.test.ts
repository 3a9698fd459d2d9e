import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  await t?.drop();
});

const tablesIn = async (schema: string) =>
  (
    await t.admin.query<RowDataPacket[]>('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [
      schema,
    ])
  )[0].length;

describe('npm run job -- grants', () => {
  it('the connected server decides the dialect (MariaDB here); nothing is created', async () => {
    const run = await runCli(['grants', '--user', "'dbkeeper'@'10.%'"], {
      DB_DATABASE: t.name,
      DBKEEPER_SCHEMA: `${t.name}_own`,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('dialect of the server at 127.0.0.1:');
    expect(run.stdout).toContain('-- dbkeeper on MariaDB 10.6+');
    expect(run.stdout).not.toContain('-- dbkeeper on MySQL 8');
    expect(run.stdout).toContain(
      `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON \`${t.name}_own\`.* TO \`dbkeeper\`@\`10.%\`;`,
    );
    expect(await tablesIn(t.name)).toBe(0);
    const [own] = await t.admin.query<RowDataPacket[]>(
      'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [`${t.name}_own`],
    );
    expect(own).toEqual([]);
  });

  it('no server answering: both dialects, and the account defaults to DB_USERNAME@%', async () => {
    const run = await runCli(['grants'], { DB_DATABASE: t.name, DB_PORT: '1', DB_USERNAME: 'keeper' });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/did not answer.*both dialects/);
    expect(run.stdout).toContain('GRANT SLAVE MONITOR ON *.* TO `keeper`@`%`;');
    expect(run.stdout).toContain('GRANT REPLICATION CLIENT ON *.* TO `keeper`@`%`;');
  });

  it('a bad --user: usage error naming the flag, before any connection', async () => {
    const run = await runCli(['grants', '--user', "dbkeeper'@'%"], { DB_DATABASE: t.name, DB_PORT: '1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^dbkeeper: --user: quote both parts alike or neither/);
    expect(run.stdout).toBe('');
  });
});
