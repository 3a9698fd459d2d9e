import type { Connection, Pool, PoolConnection } from 'mysql2/promise';
import { describe, expect, it, vi } from 'vitest';
import { ensureMigrations } from '../../src/db/migrations.js';

/** Compiled by `tsc --noEmit` (tsconfig includes test/), never called: an `@ts-expect-error` that no longer errors
 * fails the typecheck, so this is the type-level half of the test. */
export function typeChecks(pool: Pool, borrowed: PoolConnection, own: Connection): void {
  // @ts-expect-error a pool is not one session: its queries may each take another connection
  void ensureMigrations(pool, 'dbkeeper', []);
  void ensureMigrations(borrowed, 'dbkeeper', []);
  void ensureMigrations(own, 'dbkeeper', []);
}

describe('migrations take a single session', () => {
  it('refuses a pool before any statement, even past the types', async () => {
    const query = vi.fn();
    const pool = { query, threadId: 1, getConnection: vi.fn() };
    await expect(ensureMigrations(pool as unknown as Connection, 'dbkeeper', [])).rejects.toThrow(
      'ensureMigrations needs one session (a connection), not a pool',
    );
    expect(query).not.toHaveBeenCalled();
  });
});
