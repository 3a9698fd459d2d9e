import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createTestSchema, type TestSchema } from '../helpers/test-db.js';

/** A bad name in the platform targets' config: exit 78 naming the field, before any lock, run row or table. */
let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema();
});
afterAll(async () => {
  await t?.drop();
});

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dbkeeper-h19-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('health: the platform targets take names and values from config, validated', () => {
  it.each([
    [
      'a column name with a trailing space',
      { apiResponse: { durationColumn: 'duration_ms ' } },
      /jobs\.health\.apiResponse\.durationColumn: must not end with a space/,
    ],
    [
      'a table name of 65 characters',
      { apiResponse: { table: 'x'.repeat(65) } },
      /jobs\.health\.apiResponse\.table: must be at most 64 characters/,
    ],
    [
      'booking success on without its status column',
      { bookingSuccess: { enabled: true, table: 'b', timeColumn: 'created_at', successValues: ['ok'] } },
      /jobs\.health\.bookingSuccess\.statusColumn: required when/,
    ],
    [
      'SQL where a name belongs',
      {
        bookingSuccess: {
          enabled: true,
          table: 'b',
          timeColumn: 'created_at',
          statusColumn: 's',
          successValues: ['ok'],
          filterColumn: 'a\u0000b',
          filterValues: [1],
        },
      },
      /jobs\.health\.bookingSuccess\.filterColumn: must not contain a NUL/,
    ],
  ])('%s: exit 78 naming the field, nothing created', async (_what, health, message) => {
    const run = await runCli(['health', '--dry-run'], {
      DB_DATABASE: t.name,
      DBKEEPER_CONFIG: configFile({ jobs: { health } }),
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(message);
    const [tables] = await t.admin.query<RowDataPacket[]>(
      'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [t.name],
    );
    expect(tables).toEqual([]);
  });
});
