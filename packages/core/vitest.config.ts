import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import the package by name, as an app would; tests run them against the sources.
  resolve: { alias: [{ find: /^@peerchart\/core$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['src/**/*.test.ts'],
    // Every fast-check property uses one printed seed (FC_SEED overrides it).
    setupFiles: ['src/test-support/fast-check-seed.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
