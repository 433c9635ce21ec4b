import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The install-from-tarball test (`nx run @peerchart/tools:e2e-pack`): packs every published package,
 * installs the tarballs into fresh apps outside the workspace and calls between them in Chromium.
 * Installs and builds take most of the time, so the hooks get generous (but finite) bounds.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 420_000,
  },
});
