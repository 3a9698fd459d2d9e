import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration files share one MariaDB on a 2-core machine; each uses its own schema.
    maxWorkers: 2,
  },
});
