import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The browser tests (run by each shell's `e2e` target with E2E_SHELLS set; E2E_MIXED=1 adds the
 * Vue↔React call). One file at a time, one browser per file: the machine has two cores.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: process.env.E2E_MIXED === '1' ? ['call.e2e.ts', 'mixed.e2e.ts'] : ['call.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
