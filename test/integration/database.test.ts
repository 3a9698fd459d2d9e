import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/app/bootstrap.js';
import { tryLock } from '../../src/db/named-lock.js';
import { createTestSchema, testApp, type TestSchema } from '../helpers/test-db.js';

let t: TestSchema;
let app: App;

beforeAll(async () => {
  t = await createTestSchema();
  app = await testApp(t.name, { db: { poolMax: 100, workerConnections: 1, poolTimeoutSeconds: 1 } });
});
afterAll(async () => {
  await app?.db.close();
  await t?.drop();
});

describe('dbkeeper pool', () => {
  it('opens at most min(DB_POOL_MAX, DBKEEPER_POOL_MAX) connections and waits DB_POOL_TIMEOUT for one, then says so', async () => {
    const held = await app.db.getConnection();
    const started = Date.now();
    await expect(app.db.getConnection()).rejects.toThrow(
      /no free connection in dbkeeper's pool within 1 s \(DB_POOL_TIMEOUT\)/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    held.release();
    // The connection that was still queued when the wait ended went back to the pool: the next one comes at once.
    const next = await app.db.getConnection();
    const [rows] = await next.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    next.release();
  });
});

describe('named lock', () => {
  it('closes its dedicated connection when GET_LOCK itself fails, instead of leaving it open', async () => {
    const destroy = vi.fn();
    const conn = { query: () => Promise.reject(new Error('server went away')), destroy } as unknown as Connection;
    await expect(tryLock(conn, 'dbkeeper:test:job')).rejects.toThrow('server went away');
    expect(destroy).toHaveBeenCalledTimes(1);
  });
});
