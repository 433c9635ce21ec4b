import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The network-lab tests (`nx run @peerchart/tools:e2e-net`): root, iptables and coturn required. One file at a
 * time (each builds its own lab and browsers), one test at a time: the machine has two cores.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['*.net.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
