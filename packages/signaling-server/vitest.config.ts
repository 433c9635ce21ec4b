import { defineConfig } from 'vitest/config';

/** The server integration suites: run against one in-memory instance and against a two-instance Redis cluster. */
const SERVER_SUITES = ['relay', 'resume', 'limits', 'fuzz', 'security', 'turn', 'werift'].map((name) => `src/${name}.test.ts`);

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'memory', include: ['src/**/*.test.ts'], exclude: ['src/**/*.cluster.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          // Same suites, parametrized by the harness (src/test-support/harness.ts), plus the cluster-only ones.
          include: [...SERVER_SUITES, 'src/**/*.cluster.test.ts'],
          env: { PEERCHART_TEST_TOPOLOGY: 'cluster' },
          globalSetup: ['src/test-support/global-redis.ts'],
        },
      },
    ],
  },
});
